"""`deck handout`: the deck as a document to read, checked in the PDF WeasyPrint makes and in the HTML page."""

from __future__ import annotations

import base64
import os
import shutil
import struct
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pypdf
import pytest
import yaml

from deck.views import handout
from tests.conftest import EXAMPLE_DECK, deck_file

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"

NO_PDF = handout.pdf_unavailable()
needs_pdf = pytest.mark.skipif(NO_PDF is not None, reason=f"no PDF engine here: {NO_PDF}")

SVG = (b'<svg xmlns="http://www.w3.org/2000/svg" width="200" height="80"><rect width="200" height="80" '
       b'fill="#f1cdb8"/><path d="M90 10 L100 70 L110 10 Z" fill="#fff"/>'
       b'<text x="8" y="20" font-size="12">skin surface label</text></svg>\n')

# Subdecks in the file's order: Treatments, then Definition, then Causes, then the deck itself
# (whose first card comes last); alphabetical order would put Causes first.
DECK = EXAMPLE_DECK.split("cards:\n")[0].replace(
    '"Cards about **scars**."', '"Cards about **scars**.\\n\\nEducational material only, not medical advice."') + """\
  aad:
    title: Acne scars
    publisher: American Academy of Dermatology
cards:
  - id: cost
    question: How much does one session of treatment cost?
    answer: Between 100 and 400 dollars
    tags: [patient-friendly, cost]
    source: huizen-2019
    deck: Treatments
  - id: cross
    type: reversed
    question: CROSS
    answer: Chemical reconstruction of skin scars
    tags: [treatment::tca-cross]
    source: huizen-2019
    deck: Treatments
  - id: width
    question: How wide is a typical ice pick scar?
    answer: Less than 2 mm, so *narrow*
    extra: "A cross-section: ![a V-shaped notch in the skin](images/v-shaped-scar.svg)"
    tags: [Patient-Friendly, morphology]
    source: huizen-2019
    deck: Definition
  - id: tca
    type: cloze
    text: "One session improves scars by about {{c1::25%}}; repeat every {{c2::2-4 weeks::interval}}."
    tags: [patient-friendly, treatment::tca-cross]
    source: aad
    deck: Treatments
  - id: collagen
    question: Which protein do ice pick scars lack?
    answer: Collagen
    tags: [pathophysiology]
    source: aad
    deck: Causes
  - id: common
    question: Which acne scars are the most common?
    answer: "Ice pick scars (a < b & c)"
    tags: [patient-friendly]
"""

PATIENT_FRIENDLY = ["How much does one session of treatment cost?", "Between 100 and 400 dollars",
                    "How wide is a typical ice pick scar?", "Less than 2 mm, so narrow",
                    "One session improves scars by about 25%; repeat every 2-4 weeks.",
                    "Which acne scars are the most common?", "Ice pick scars (a < b & c)"]
NOT_PATIENT_FRIENDLY = ["Chemical reconstruction of skin scars", "Which protein do ice pick scars lack?", "Collagen"]


def write_deck(folder: Path, text: str = DECK) -> Path:
    (folder / "images").mkdir(parents=True, exist_ok=True)
    (folder / "images" / "v-shaped-scar.svg").write_bytes(SVG)
    return deck_file(folder, text)


def words(text: str) -> str:
    """Text with every run of white space (a line break in the PDF) as one space."""
    return " ".join(text.split())


def pdf_pages(pdf: Path) -> list[str]:
    return [words(page.extract_text()) for page in pypdf.PdfReader(pdf).pages]


@pytest.fixture(scope="module")
def patient_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if NO_PDF is not None:
        pytest.skip(f"no PDF engine here: {NO_PDF}")
    folder = tmp_path_factory.mktemp("handout")
    checked, written = handout.write_handout(str(write_deck(folder)), folder / "patients.pdf", ["patient-friendly"])
    assert written is not None, [problem.format() for problem in checked.problems]
    return written.out


# --- the PDF ----------------------------------------------------------------------------------------

def test_the_pdf_has_the_selected_notes_once_each(patient_pdf: Path) -> None:
    text = " ".join(pdf_pages(patient_pdf))
    assert text.startswith("Dermatology Scars Cards about scars. Educational material only, not medical advice.")
    for shown in PATIENT_FRIENDLY:
        assert text.count(shown) == 1, shown
    for absent in NOT_PATIENT_FRIENDLY:
        assert absent not in text
    # The cloze is filled in, once: no blank, no brace, no hint.
    assert "[...]" not in text and "{{" not in text and "interval" not in text


def test_the_pdf_puts_subdecks_in_the_files_order(patient_pdf: Path) -> None:
    text = " ".join(pdf_pages(patient_pdf))
    headings = ["Treatments", "Definition", "Scars Which acne scars"]  # the deck's own notes under its name
    assert sorted(headings, key=text.index) == headings
    assert "Causes" not in text  # none of its notes is selected


def test_the_pdf_lists_each_cited_source_once_numbered(patient_pdf: Path) -> None:
    text = " ".join(pdf_pages(patient_pdf))
    assert text.count("How to get rid of ice pick scars") == 1
    assert text.count("American Academy of Dermatology") == 1
    listed = ("Sources 1. Jennifer Huizen. “How to get rid of ice pick scars.” Medical News Today. 2019-05-24. "
              "https://www.medicalnewstoday.com/articles/325285.php 2. “Acne scars.” American Academy of Dermatology.")
    # (compared without spaces: the address may wrap, and the text then has a space where it did)
    assert "".join(text[text.index("Sources"):].split()).startswith("".join(listed.split()))
    # Each note carries its source's number: 1 for the article, 2 for the academy.
    assert "Between 100 and 400 dollars [1]" in text
    assert "repeat every 2-4 weeks. [2]" in text


def test_the_pdf_has_the_picture_and_page_numbers_on_a4(patient_pdf: Path) -> None:
    pages = pdf_pages(patient_pdf)
    assert "skin surface label" in " ".join(pages)  # drawn from the deck's SVG
    for number, page in enumerate(pages, 1):
        assert page.endswith(f"Page {number} of {len(pages)}")
    box = pypdf.PdfReader(patient_pdf).pages[0].mediabox
    assert (round(float(box.width) * 25.4 / 72), round(float(box.height) * 25.4 / 72)) == (210, 297)


@needs_pdf
def test_paper_letter(run, tmp_path: Path) -> None:
    write_deck(tmp_path)
    result = run("handout", "--paper", "letter", "-o", "letter.pdf")
    assert result.exit_code == 0
    assert result.stdout == "wrote letter.pdf: 6 notes in 4 sections, 2 sources\n"
    box = pypdf.PdfReader(tmp_path / "letter.pdf").pages[0].mediabox
    assert (float(box.width), float(box.height)) == (612, 792)  # 8.5 by 11 inches


@needs_pdf
def test_no_note_is_split_across_pages(tmp_path: Path) -> None:
    cards = "".join(f"""
  - id: note-{number}
    question: Question number {number}?
    answer: Answer number {number}
    extra: "{' '.join(['Some words that fill a line of the page.'] * 8)} End of note {number}."
""" for number in range(40))
    path = deck_file(tmp_path, f"deck: {{id: long, name: Long}}\ncards:{cards}")
    checked, written = handout.write_handout(str(path), tmp_path / "long.pdf")
    assert written is not None, [problem.format() for problem in checked.problems]
    pages = pdf_pages(written.out)
    assert len(pages) > 3
    for number in range(40):
        [page] = [page for page in pages if f"Question number {number}?" in page]
        assert f"End of note {number}." in page


def keep_page_one(pdf: Path, name: str) -> bytes:
    """Page 1 of `pdf` as printed, kept as test-artifacts/NAME.png (by poppler's pdftoppm, at 80 dots an inch)."""
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm is not installed (Debian's poppler-utils; .ci/run installs it)")
    ARTIFACTS.mkdir(exist_ok=True)
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(ARTIFACTS / name)],
                   check=True)
    return (ARTIFACTS / f"{name}.png").read_bytes()


@needs_pdf
def test_page_one_as_a_picture(patient_pdf: Path) -> None:
    """Keeps test-artifacts/handout-page-1.png: the first page of the test deck's patient handout."""
    png = keep_page_one(patient_pdf, "handout-page-1")
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = struct.unpack(">II", png[16:24])
    assert abs(width - 210 / 25.4 * 80) < 1 and abs(height - 297 / 25.4 * 80) < 1  # A4 at 80 dots an inch


# --- the HTML page ----------------------------------------------------------------------------------

class _Page(HTMLParser):
    """The page's tags and text, and the text of each <h2> and each note."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.headings: list[str] = []
        self.notes: list[str] = []
        self._into: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag in ("h2", "article"):
            self._into = self.headings if tag == "h2" else self.notes
            self._into.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("h2", "article") and self._into is not None:
            self._into[-1] = words(self._into[-1])
            self._into = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._into is not None:
            self._into[-1] += data


def html_handout(folder: Path, *tags: str, text: str = DECK) -> tuple[str, _Page]:
    checked, written = handout.write_handout(str(write_deck(folder, text)), folder / "handout.html", tags)
    assert written is not None, [problem.format() for problem in checked.problems]
    html = written.out.read_text(encoding="utf-8")
    page = _Page()
    page.feed(html)
    return html, page


def test_the_html_page_is_the_same_document_self_contained(tmp_path: Path) -> None:
    html, page = html_handout(tmp_path, "patient-friendly")
    assert page.headings == ["Treatments", "Definition", "Scars", "Sources"]
    assert page.notes == [
        "How much does one session of treatment cost? Between 100 and 400 dollars [1]",
        "One session improves scars by about 25%; repeat every 2-4 weeks. [2]",
        "How wide is a typical ice pick scar? Less than 2 mm, so narrow [1] A cross-section:",
        "Which acne scars are the most common? Ice pick scars (a < b & c)",
    ]
    # Deck's own rendering: Markdown as HTML, text escaped, the deletions marked.
    assert "Less than 2 mm, so <em>narrow</em>" in html
    assert "Ice pick scars (a &lt; b &amp; c)" in html
    assert '<mark class="cloze">25%</mark>' in html and '<mark class="cloze">2-4 weeks</mark>' in html
    # Nothing is loaded from elsewhere: the picture is inside, and only the citation links out.
    assert not [tag for tag, _ in page.tags if tag in ("script", "link", "iframe")]
    [image] = [attrs for tag, attrs in page.tags if tag == "img"]
    assert image["src"] == "data:image/svg+xml;base64," + base64.b64encode(SVG).decode()
    assert image["alt"] == "a V-shaped notch in the skin"
    links = {attrs["href"] for tag, attrs in page.tags if tag == "a"}
    assert links == {"#source-1", "#source-2", "https://www.medicalnewstoday.com/articles/325285.php"}
    assert "size: A4" in html


def test_a_tag_selects_the_tags_below_it_and_several_mean_any(tmp_path: Path) -> None:
    _, page = html_handout(tmp_path, "TREATMENT")  # tags ignore case, as in Anki
    assert page.notes == ["CROSS Chemical reconstruction of skin scars [1]",  # a reversed card, once
                          "One session improves scars by about 25%; repeat every 2-4 weeks. [2]"]
    _, page = html_handout(tmp_path, "cost", "pathophysiology")
    assert page.headings == ["Treatments", "Causes", "Sources"]
    assert [note.split("?")[0] for note in page.notes] == ["How much does one session of treatment cost",
                                                           "Which protein do ice pick scars lack"]
    with pytest.raises(handout.NothingSelected):
        html_handout(tmp_path, "treatment::tca")  # a tag's level, not a prefix of its name


# --- the command ------------------------------------------------------------------------------------

def test_a_tag_no_note_has_is_a_usage_error(run, tmp_path: Path) -> None:
    write_deck(tmp_path)
    result = run("handout", "--tag", "treatment::tca", "-o", "out.html")
    assert result.exit_code == 2
    assert ("Error: Invalid value for '--tag': no note is tagged 'treatment::tca' or a tag below it; the deck's tags "
            "are: cost, morphology, pathophysiology, patient-friendly, treatment::tca-cross\n"
            in result.stderr)
    assert not (tmp_path / "out.html").exists()


def test_a_deck_with_problems_writes_nothing(run, tmp_path: Path) -> None:
    write_deck(tmp_path, DECK.replace("answer: Collagen", "answer: <script>alert(1)</script>"))
    (tmp_path / "handout.html").write_text("the previous handout")
    result = run("handout", "-o", "handout.html")
    assert result.exit_code == 1
    assert result.stderr.startswith("cards.yaml:44:13: error: card 'collagen': HTML tag <script> is not allowed")
    assert (tmp_path / "handout.html").read_text() == "the previous handout"


def test_an_output_that_is_neither_pdf_nor_html_is_a_usage_error(run, tmp_path: Path) -> None:
    write_deck(tmp_path)
    result = run("handout", "-o", "handout.txt")
    assert result.exit_code == 2
    assert "Error: Invalid value for '-o': 'handout.txt' must end in .pdf or .html\n" in result.stderr


def test_without_weasyprint_a_pdf_is_refused_and_html_still_works(run, tmp_path: Path, monkeypatch) -> None:
    write_deck(tmp_path)
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # as if it were not installed
    result = run("handout", "-o", "handout.pdf")
    assert result.exit_code == 1
    assert "Error: a PDF handout is made by WeasyPrint, which is not installed" in result.stderr
    assert not (tmp_path / "handout.pdf").exists()
    assert run("handout", "-o", "handout.html").exit_code == 0


# --- build_deck.py ----------------------------------------------------------------------------------

def shipped_copy(folder: Path) -> Path:
    for name in ("build_deck.py", "cards.yaml", "cards.lock"):
        shutil.copy(ROOT / name, folder / name)
    shutil.copytree(ROOT / "images", folder / "images")
    return folder / "build_deck.py"


@needs_pdf
def test_build_deck_writes_the_patient_handout(tmp_path: Path) -> None:
    script = shipped_copy(tmp_path)
    result = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "ice-pick-scars.apkg").is_file()
    text = " ".join(pdf_pages(tmp_path / "ice-pick-scars-patient-handout.pdf"))
    assert "not medical advice" in text
    cards = yaml.safe_load((ROOT / "cards.yaml").read_text(encoding="utf-8"))["cards"]
    # Questions of plain text, long enough not to be part of other text (as 'TCA' is)
    plain = [card for card in cards if "question" in card and not set("*_`<[") & set(card["question"])
             and len(card["question"].split()) >= 5]
    assert len(plain) > 40
    for card in plain:
        assert (words(card["question"]) in text) == ("patient-friendly" in card.get("tags", [])), card["id"]
    keep_page_one(tmp_path / "ice-pick-scars-patient-handout.pdf", "ice-pick-scars-patient-handout-page-1")


def test_build_deck_writes_html_where_pango_is_missing(tmp_path: Path) -> None:
    script = shipped_copy(tmp_path)
    stand_in = tmp_path / "no-pango"  # WeasyPrint fails to import like this without the library
    stand_in.mkdir()
    (stand_in / "weasyprint.py").write_text("raise OSError(\"cannot load library 'libpango-1.0-0'\")\n")
    result = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": str(stand_in)})
    assert result.returncode == 0, result.stderr
    assert "note: no PDF handout: a PDF handout is made by WeasyPrint, which cannot load the Pango library" \
        in result.stderr
    assert "writing ice-pick-scars-patient-handout.html instead" in result.stderr
    assert "not medical advice" in (tmp_path / "ice-pick-scars-patient-handout.html").read_text(encoding="utf-8")
    assert not (tmp_path / "ice-pick-scars-patient-handout.pdf").exists()
