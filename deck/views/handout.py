"""`deck handout`: the deck as a document to read and print, for people who will not study it.

Each selected note appears once, in its subdeck's section, the sections in the order the deck file
first gives them: a question and its answer as a pair, a cloze card as its whole sentence with the
deleted parts marked, and the note's extra (pictures included; sounds are left out). Citations
become numbers, and the sources are listed once at the end. The fields are the checked deck's own rendered, sanitised HTML
(`deck.pipeline.check`), with pictures as data: URIs, so the page loads nothing from elsewhere.

The PDF is made by WeasyPrint (the optional `weasyprint` package, which needs the Pango library
of the system); the HTML is the same document as one page, printable from any browser.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path
from types import ModuleType

from deck import cloze, pipeline
from deck.fields import Note
from deck.files import remove_stale, write_atomically
from deck.media import data_uri, inline_images, references
from deck.notetypes import IMAGE_OCCLUSION_FIELDS, STOCK_KIND_IMAGE_OCCLUSION, NoteType

FORMATS = (".pdf", ".html")
PAPERS = {"a4": "A4", "letter": "letter"}  # --paper, as CSS names the size
_INSTALL_PANGO = ("on Debian or Ubuntu: apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0; "
                  "on macOS: brew install pango; elsewhere see "
                  "https://doc.courtbouillon.org/weasyprint/stable/first_steps.html")


class HandoutError(Exception):
    """The handout could not be made: the PDF engine is missing, or the file could not be written."""


class NothingSelected(ValueError):
    """No note has any of the tags asked for; the message names the deck's tags."""


@dataclass(frozen=True)
class Handout:
    out: Path
    notes: int
    sections: int
    sources: int


def write_handout(path: str, out: Path | None = None, tags: Sequence[str] = (),
                  paper: str = "a4") -> tuple[pipeline.Checked, Handout | None]:
    """Check the deck file at `path`, then write the handout of its notes tagged with any of `tags`
    (or a tag below one of them; every note without `tags`) to `out`: a PDF, or an HTML page when
    `out` ends in .html. `out` defaults to <deck id>-handout.pdf; `paper` is a key of PAPERS.

    Nothing is written while the deck has an error: the returned `Checked` holds its problems.
    Raises NothingSelected when no note has the tags, and HandoutError when the PDF engine is
    missing or `out` cannot be written, and `deck.files.Refused` when `out` is a file the deck is made
    from.
    """
    checked = pipeline.check(path)
    if not checked.ok:
        return checked, None
    assert checked.deck is not None
    out = out or Path(f"{checked.deck.deck.id}-handout.pdf")
    pipeline.refuse_overwriting_inputs(checked, out)
    sections = _sections(checked.notes, tags)
    page, sources = _page(checked, sections, PAPERS[paper])
    data = page.encode() if out.suffix.lower() == ".html" else _pdf(page)
    try:
        remove_stale(out)
        write_atomically(out, data)
    except OSError as error:
        raise HandoutError(f"cannot write {out}: {error.strerror or error}") from error
    notes = sum(len(section) for section in sections.values())
    return checked, Handout(out, notes, len(sections), sources)


def pdf_unavailable() -> str | None:
    """Why this machine cannot make a PDF handout, or None when it can."""
    try:
        _engine()
    except HandoutError as error:
        return str(error)
    return None


def tagged(note_tags: Sequence[str], tags: Sequence[str]) -> bool:
    """Whether a note with `note_tags` has one of `tags` or a tag below it ('a' selects 'a' and
    'a::b', as the preview's `tag:a` filter does); Anki's tags ignore case."""
    wanted = [tag.casefold() for tag in tags]
    return any(have == tag or have.startswith(tag + "::") for have in map(str.casefold, note_tags) for tag in wanted)


def _sections(notes: list[Note], tags: Sequence[str]) -> dict[str | None, list[Note]]:
    """The selected notes by subdeck, each subdeck placed where the deck file first gives it."""
    sections: dict[str | None, list[Note]] = {}
    for note in notes:
        section = sections.setdefault(note.subdeck, [])
        if not tags or tagged(note.tags, tags):
            section.append(note)
    if not any(sections.values()):
        spellings: dict[str, str] = {}  # a tag by its case-folded name: Anki's tags ignore case
        for tag in (tag for note in notes for tag in note.tags):
            spellings.setdefault(tag.casefold(), tag)
        known = [spellings[name] for name in sorted(spellings)]
        listed = ", ".join(known[:20]) + (", ..." if len(known) > 20 else "") if known else "none"
        raise NothingSelected(f"no note is tagged {' or '.join(map(repr, tags))} or a tag below it; "
                              f"the deck's tags are: {listed}")
    return {subdeck: section for subdeck, section in sections.items() if section}


def _page(checked: pipeline.Checked, sections: dict[str | None, list[Note]], paper: str) -> tuple[str, int]:
    """The handout as one HTML page, and how many sources it lists."""
    assert checked.deck is not None
    *above, title = checked.deck.deck.name.split("::")
    shown = [field for notes in sections.values() for note in notes for field in note.fields]
    files = checked.media.files
    uris = {name: data_uri(files[name]) for name in references([checked.description, *shown]) if name in files}
    numbers: dict[str, int] = {}  # a citation's number: the order sources are first cited in
    body = []
    for subdeck, notes in sections.items():
        heading = escape(subdeck.replace("::", " › ") if subdeck else title)
        body.append(f"<section>\n<h2>{heading}</h2>\n"
                    + "\n".join(_note(note, numbers, checked.note_types) for note in notes)
                    + "\n</section>")
    sources = "\n".join(f'<li id="source-{number}"><span class="number">{number}.</span> {citation}</li>'
                        for citation, number in numbers.items())
    listed = f'<section class="sources">\n<h2>Sources</h2>\n<ol>\n{sources}\n</ol>\n</section>' if numbers else ""
    page = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<title>{escape(title)}</title>
<style>@page {{ size: {paper}; }}{_CSS}</style>
</head>
<body>
<header>
{f'<p class="path">{escape(" › ".join(above))}</p>' if above else ""}
<h1>{escape(title)}</h1>
<div class="description">{checked.description}</div>
</header>
<main>
{chr(10).join(body)}
{listed}
</main>
</body>
</html>
"""
    return inline_images(page, uris), len(numbers)


def _note(note: Note, numbers: dict[str, int], note_types: Mapping[str, NoteType]) -> str:
    """One note: its question and answer (or its cloze sentence, filled in), extra and source number."""
    note_type = note_types[note.kind]
    picture = note_type.stock_kind == STOCK_KIND_IMAGE_OCCLUSION
    fields = dict(zip(IMAGE_OCCLUSION_FIELDS if picture else note_type.fields, note.fields))  # (by role: any names)
    source = fields["Comments" if picture else "Source"]
    cited = ""
    if source:
        number = numbers.setdefault(source, len(numbers) + 1)
        cited = f' <a class="cite" href="#source-{number}">[{number}]</a>'
    if picture:  # the picture as it is, every label shown, under its header
        text = f'<figure class="picture">{fields["Image"]}<figcaption>{fields["Header"]}{cited}</figcaption></figure>'
    elif note_type.cloze:
        filled = cloze.CLOZE.sub(lambda match: f'<mark class="cloze">{match[2]}</mark>', fields["Text"])
        text = f'<div class="statement">{filled}{cited}</div>'
    else:
        text = f'<div class="question">{fields["Front"]}</div>\n<div class="answer">{fields["Back"]}{cited}</div>'
    extra_text = fields["Back Extra" if picture else "Extra"]
    extra = f'\n<div class="extra">{extra_text}</div>' if extra_text else ""
    return f'<article class="note">\n{text}{extra}\n</article>'


def _engine() -> ModuleType:
    """WeasyPrint, imported once it is needed (it takes a second), or why it cannot be."""
    try:
        # It prints a banner on standard output when a system library is missing: the error says it.
        with contextlib.redirect_stdout(io.StringIO()):
            import weasyprint
    except ModuleNotFoundError as error:
        raise HandoutError("a PDF handout is made by WeasyPrint, which is not installed; install it with: "
                           "pip install 'weasyprint>=70,<71' (the handout extra of deck), or write an .html "
                           "handout and print it from a browser") from error
    except OSError as error:  # a library of the system it loads, Pango above all
        raise HandoutError(f"a PDF handout is made by WeasyPrint, which cannot load the Pango library it needs "
                           f"({error}); install it ({_INSTALL_PANGO}), or write an .html handout and print it "
                           "from a browser") from error
    return weasyprint


def _pdf(page: str) -> bytes:
    weasyprint = _engine()
    # Every picture is a data: URI by now: nothing else may be loaded, from the network or the disk.
    fetcher = weasyprint.URLFetcher(allowed_protocols={"data"}, fail_on_errors=True)
    pdf: bytes = weasyprint.HTML(string=page, url_fetcher=fetcher).write_pdf()
    return pdf


_CSS = """
@page { margin: 18mm 16mm 20mm;
  @bottom-center { content: "Page " counter(page) " of " counter(pages); font-size: 9pt; color: #6e6e73; } }
html { font-family: "DejaVu Sans", "Liberation Sans", Arial, Helvetica, sans-serif; font-size: 11pt;
  line-height: 1.45; color: #1d1d1f; }
body { max-width: 44rem; margin: 0 auto; padding: 0 1em; }
@media print { body { max-width: none; padding: 0; } }
header { border-bottom: 2px solid #0a5fb4; margin-bottom: 1.2em; }
.path { color: #6e6e73; font-size: 0.9em; margin: 0; }
h1 { font-size: 1.9em; margin: 0.1em 0 0.4em; color: #0a4f96; }
.description { margin-bottom: 1em; }
.description p { margin: 0 0 0.6em; }
h2 { font-size: 1.3em; color: #0a4f96; margin: 1.4em 0 0.5em; break-after: avoid; page-break-after: avoid; }
.note { break-inside: avoid; page-break-inside: avoid; border-left: 3px solid #c5d9ef;
  padding: 0.35em 0 0.35em 0.8em; margin: 0 0 0.9em; }
.question { font-weight: bold; }
.answer { margin-top: 0.15em; }
.extra { margin-top: 0.4em; font-size: 0.92em; color: #3a3a3c; }
.note p { margin: 0 0 0.4em; }
mark.cloze { background: #e3eefb; color: inherit; font-weight: bold; }
.cite { font-size: 0.85em; color: #6e6e73; text-decoration: none; white-space: nowrap; }
img { display: block; max-width: 100%; max-height: 60mm; margin: 0.5em 0; }
.sources { break-before: auto; border-top: 1px solid #d2d2d7; margin-top: 2em; font-size: 0.9em; }
.sources ol { list-style: none; padding: 0; }
.sources li { margin-bottom: 0.5em; break-inside: avoid; overflow-wrap: break-word; }
.sources .number { font-weight: bold; }
a { color: #0a4f96; }
"""
