"""Build the shipped deck: cards.yaml -> ice-pick-scars.apkg, exactly as `deck build cards.yaml`."""

from pathlib import Path

from deck.__main__ import run

run(["build", str(Path(__file__).with_name("cards.yaml"))])
