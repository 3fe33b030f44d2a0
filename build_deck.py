"""Build the shipped deck: cards.yaml -> ice-pick-scars.apkg, exactly as `deck build cards.yaml`, then
the patient handout, as `deck handout cards.yaml --tag patient-friendly -o ice-pick-scars-patient-handout.pdf`.

Where WeasyPrint cannot make a PDF (the Pango library is missing), the same handout is written as
ice-pick-scars-patient-handout.html, to print from a browser, and a note says what to install.
"""

import sys
from pathlib import Path

from deck.cli import main
from deck.views.handout import pdf_unavailable

CARDS = str(Path(__file__).with_name("cards.yaml"))


def deck(*args: str) -> None:
    """One `deck` command; the script stops with its exit status if it fails."""
    try:
        main(list(args))
    except SystemExit as done:
        if done.code:
            raise


deck("build", CARDS)
missing = pdf_unavailable()
handout = f"ice-pick-scars-patient-handout.{'html' if missing else 'pdf'}"
if missing:
    print(f"note: no PDF handout: {missing}\nnote: writing {handout} instead: open it in a browser and print it",
          file=sys.stderr)
deck("handout", CARDS, "--tag", "patient-friendly", "-o", handout)
