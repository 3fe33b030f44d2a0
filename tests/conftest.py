"""Shared fixtures: writing deck files, building them, and importing packages into real Anki."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from anki.collection import Collection
from anki.import_export_pb2 import ImportAnkiPackageOptions, ImportAnkiPackageRequest
from click.testing import CliRunner, Result

from deck import pipeline
from deck.cli import main

# One card of each type, with every optional key: the deck most tests start from.
EXAMPLE_DECK = """\
deck:
  id: scars
  name: "Dermatology::Scars"
  description: "Cards about **scars**."
sources:
  huizen-2019:
    title: How to get rid of ice pick scars
    author: Jennifer Huizen
    publisher: Medical News Today
    date: "2019-05-24"
    url: https://www.medicalnewstoday.com/articles/325285.php
cards:
  - id: width
    question: How wide is a typical ice pick scar?
    answer: Less than 2 mm
    extra: Narrow but *deep*.
    tags: [morphology, scars::ice-pick]
    source: huizen-2019
    deck: Definition
  - id: cross
    type: reversed
    question: CROSS
    answer: Chemical reconstruction of skin scars
    deck: Treatments
  - id: tca
    type: cloze
    text: "One session improves scars by about {{c1::25%}}; repeat every {{c2::2-4 weeks::interval}}."
    extra: From a 2015 review.
    deck: Treatments
"""


def deck_file(directory: Path, text: str, name: str = "cards.yaml") -> Path:
    """Write a deck file; `text` is dedented, so tests can indent it with the code."""
    path = directory / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def build(directory: Path, text: str, out_name: str = "out.apkg") -> Path:
    """Build `text` into a package and return its path; the deck must be valid."""
    path = deck_file(directory, text)
    checked, built = pipeline.build(str(path), directory / out_name)
    assert built is not None, [problem.format() for problem in checked.problems]
    return built.out


def import_package(collection: Collection, package: Path):
    """Import with Anki's default options, as a student does; returns Anki's import log."""
    request = ImportAnkiPackageRequest(package_path=str(package), options=ImportAnkiPackageOptions())
    log = collection.import_anki_package(request).log
    # The Python side caches note types and does not see what the backend's import changed.
    collection.models._clear_cache()
    return log


def shown(html: str) -> str:
    """A card's rendered HTML without the note type's <style> block."""
    return re.sub(r"(?s)<style>.*?</style>", "", html).strip()


@pytest.fixture
def collection(tmp_path: Path) -> Iterator[Collection]:
    """An empty real Anki collection, closed after the test."""
    folder = tmp_path / "anki"
    folder.mkdir()
    col = Collection(str(folder / "collection.anki2"))
    yield col
    col.close()


@pytest.fixture
def run(monkeypatch, tmp_path: Path):
    """Run `deck ARGS` in tmp_path; prints what it printed, so a failing test shows it."""
    monkeypatch.chdir(tmp_path)

    def invoke(*args: str) -> Result:
        result = CliRunner().invoke(main, list(args))
        print(f"$ deck {' '.join(args)}\n[exit {result.exit_code}]\n[stdout]\n{result.stdout}\n[stderr]\n{result.stderr}")
        return result

    return invoke
