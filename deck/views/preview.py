"""`deck preview`: every card as Anki shows it, in one self-contained HTML page.

The deck is packaged as `deck build` packages it, imported into a throwaway Anki collection and
rendered by Anki's own template engine (the optional `anki` package), so cloze deletions,
conditional sections and typing boxes look as they do in Anki; image occlusion cards get their
masks drawn as Anki's reviewer draws them (`deck.views.masks`). The page makes no network request:
the note types' CSS is inlined, pictures and sounds become data: URIs, and the filter box and
answer buttons are a few lines of inline script. Printed, it is a handout: every front and back.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from deck import pipeline, render
from deck.cards import ImageOcclusionCard
from deck.files import remove_stale, write_atomically
from deck.media import data_uri, inline_images
from deck.package import DeckTree, Stamps, write
from deck.views import masks

if TYPE_CHECKING:
    from anki.cards import Card
    from anki.collection import Collection
    from anki.sound import AVTag

# The preview package is thrown away after import: its times need to be valid, not meaningful.
_STAMP = 1_000_000_000

_SOUND = re.compile(r"\[anki:play:[qa]:(\d+)\]")  # where Anki's reviewer would put a play button
_TYPE_ANSWER = re.compile(r"\[\[type:([^\]]+)\]\]")  # where Anki's reviewer puts the typing box
_BLOCK_TAG = re.compile(r"<(?=/?(?:br|div|p|hr|li|td|th|h[1-6]|pre|blockquote)\b)", re.IGNORECASE)


class PreviewError(Exception):
    """The preview could not be made: Anki's renderer is not installed, or the page not written or served."""


@dataclass(frozen=True)
class Shown:
    """One Anki card as Anki's reviewer shows it, its media inlined."""

    card_id: str  # the `id` of the card in the deck file
    deck: str  # the full Anki deck name
    tags: tuple[str, ...]
    front: str  # HTML
    back: str  # HTML; Anki's back repeats the front above <hr id="answer">
    css: str  # the note type's CSS


def write_preview(path: str, out: Path) -> pipeline.Checked:
    """Check the deck file at `path`, then write its preview page to `out`, atomically.

    Nothing is written while the deck has an error: the returned `Checked` holds its problems.
    Raises PreviewError when the `anki` package is missing or `out` cannot be written,
    `deck.files.Refused` when `out` is a file the deck is made from, and OSError when `path`
    cannot be read.
    """
    checked = pipeline.check(path)
    if not checked.ok:
        return checked
    pipeline.refuse_overwriting_inputs(checked, out)
    html = page(checked)
    try:
        remove_stale(out)
        write_atomically(out, html.encode())
    except OSError as error:
        raise PreviewError(f"cannot write {out}: {error.strerror or error}") from error
    return checked


def page(checked: pipeline.Checked,
         render: Callable[[pipeline.Checked], tuple[str, list[Shown]]] | None = None) -> str:
    """The preview page of a valid deck, as `write_preview` writes it, its cards rendered by
    `render` (default: `render_cards`). Raises PreviewError when the `anki` package is missing."""
    description, cards = (render or render_cards)(checked)
    return _page(checked, description, cards)


def render_cards(checked: pipeline.Checked) -> tuple[str, list[Shown]]:
    """A valid deck's description and every one of its cards, rendered by Anki, media inlined.

    Cards come in the order of Anki's deck list (each deck before its subdecks, subdecks by
    name), and within a deck in the order Anki shows new cards: the deck file's order.
    """
    try:
        from anki.collection import Collection
        from anki.import_export_pb2 import ImportAnkiPackageOptions, ImportAnkiPackageRequest
    except ModuleNotFoundError as error:
        raise PreviewError("deck preview renders cards with Anki's own engine, which is not installed; "
                           "install it with: pip install 'anki>=25.2' (the preview extra of deck)") from error
    assert checked.deck is not None
    info = checked.deck.deck
    stamps = Stamps(_STAMP, {note.card_id: _STAMP for note in checked.notes}, dict.fromkeys(checked.note_types, _STAMP))
    card_ids = dict(zip(checked.guids, (note.card_id for note in checked.notes)))
    pictures = {card.id: card for card, _ in checked.cards if isinstance(card, ImageOcclusionCard)}
    with tempfile.TemporaryDirectory(prefix="deck-preview-") as folder:
        package = Path(folder) / "preview.apkg"
        write(DeckTree(info.id, info.name, checked.description), checked.notes, checked.guids, checked.media.contents(),
              package, stamps, checked.note_types)
        col = Collection(str(Path(folder) / "collection.anki2"))
        try:
            col.import_anki_package(ImportAnkiPackageRequest(package_path=str(package),
                                                             options=ImportAnkiPackageOptions()))
            media = {file.name: data_uri(file) for file in Path(col.media.dir()).iterdir()}
            cards = [_show(col, col.get_card(card), media, card_ids, pictures)
                     for card in col.find_cards("", order="c.due, c.ord")]
        finally:
            col.close()
    cards.sort(key=deck_order)  # stable: keeps the file's order
    return inline_images(checked.description, media), cards


def deck_order(card: Shown) -> list[str]:
    """Where a card's deck comes in Anki's deck list: the sort key of the cards' order."""
    return card.deck.casefold().split("::")


def _show(col: Collection, card: Card, media: dict[str, str], card_ids: dict[str, str],
          pictures: dict[str, ImageOcclusionCard]) -> Shown:
    output = card.render_output()
    note = card.note()

    def side(text: str, sounds: list[AVTag], typing_box: Callable[[str], str]) -> str:
        text = _SOUND.sub(lambda match: _audio(sounds[int(match[1])], media), text)
        text = _TYPE_ANSWER.sub(lambda match: typing_box(render.plain_text(note[match[1]])), text)
        return inline_images(text, media)

    # As Anki's reviewer shows them: an empty typing box, then the answer compared with nothing typed.
    front = side(output.question_text, output.question_av_tags,
                 lambda _: '<input type="text" id="typeans" disabled placeholder="the answer is typed here">')
    back = side(output.answer_text, output.answer_av_tags, lambda expected: col.compare_answer(expected, ""))
    card_id, css = card_ids[note.guid], output.css
    if card_id in pictures:  # its masks, which Anki's reviewer draws with a script of its own
        front, back = masks.drawn(pictures[card_id], card.ord + 1, front, back)
        css += masks.CSS
    return Shown(card_id, col.decks.name(card.did), tuple(note.tags), front, back, css)


def _audio(sound: AVTag, media: dict[str, str]) -> str:
    from anki.sound import SoundOrVideoTag

    assert isinstance(sound, SoundOrVideoTag)  # the templates play files ([sound:...]), never text to speech
    return f'<audio controls src="{media[sound.filename]}"></audio>'


def _searchable(html: str) -> str:
    """Lowercased plain text for the filter box; block boundaries become spaces, so words stay apart."""
    return " ".join(render.plain_text(_BLOCK_TAG.sub(" <", html)).split()).lower()  # as the script's toLowerCase


def _page(checked: pipeline.Checked, description: str, cards: list[Shown]) -> str:
    """The preview page: a header with the deck, a filter box and counts, then cards by deck."""
    assert checked.deck is not None
    name = checked.deck.deck.name
    sections: dict[str, list[str]] = {}
    for card in cards:
        tags = " ".join(f'<button type="button" class="tag">{escape(tag)}</button>' for tag in card.tags)
        sections.setdefault(card.deck, []).append(
            f'<article class="flashcard" data-card="{escape(card.card_id)}" '
            f'data-tags="{escape(" ".join(card.tags).lower())}" '
            f'data-text="{escape(_searchable(card.front + " " + card.back))}">\n'
            f'<div class="front"><div class="card">{card.front}</div></div>\n'
            f'<div class="back"><div class="card">{card.back}</div></div>\n'
            f'<footer><button type="button" class="reveal" aria-expanded="false">Show answer</button>'
            f'<span class="tags">{tags}</span><span class="card-id">{escape(card.card_id)}</span></footer>\n'
            "</article>")
    body = "\n".join(
        f'<section class="subdeck" data-deck="{escape(deck)}">\n<h2>{escape(_title(name, deck))}</h2>\n'
        + "\n".join(articles) + "\n</section>"
        for deck, articles in sections.items())
    styles = "\n".join(f"<style>\n{css}</style>" for css in dict.fromkeys(card.css for card in cards))
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; media-src data:; \
style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<base target="_blank">
<title>{escape(name)} (preview)</title>
{styles}
<style>{_PAGE_CSS}</style>
</head>
<body>
<header class="page">
<h1>{escape(name.replace("::", " › "))}</h1>
<div class="description">{description}</div>
<p class="counts">{escape(checked.counts())}</p>
</header>
<div class="controls">
<input type="search" id="filter" placeholder="Filter by tag or text, e.g. tag:morphology" aria-label="Filter cards">
<button type="button" id="reveal-all" aria-pressed="false">Show all answers</button>
<span id="shown" aria-live="polite">{len(cards)} of {len(cards)} cards</span>
</div>
<main>
{body}
</main>
<script>{_SCRIPT}</script>
</body>
</html>
"""


def _title(root: str, deck: str) -> str:
    """A section's heading: the subdeck's levels below the deck, or the deck's own last level."""
    below = deck[len(root) + 2:] if deck.startswith(root + "::") else deck.rsplit("::", 1)[-1]
    return below.replace("::", " › ")


_PAGE_CSS = """
body { margin: 0; background: #eef0f3; color: #1d1d1f;
  font-family: -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
[hidden] { display: none !important; }
header.page { background: #fff; padding: 1.2em 1em 0.2em; }
header.page > * { max-width: 46rem; margin-left: auto; margin-right: auto; }
h1 { font-size: 1.5rem; margin-top: 0; margin-bottom: 0.3em; }
.description, .counts { color: #3a3a3c; margin-top: 0; margin-bottom: 0.6em; }
.controls { display: flex; gap: 0.6em; align-items: center; flex-wrap: wrap; position: sticky; top: 0; z-index: 1;
  background: #fff; border-bottom: 1px solid #d2d2d7; padding: 0.6em max(1em, calc((100% - 46rem) / 2)); }
#filter { flex: 1; min-width: 14em; font-size: 1rem; padding: 0.45em 0.6em; border: 1px solid #aeaeb2;
  border-radius: 6px; }
#shown { color: #6e6e73; font-size: 0.9rem; }
button { font: inherit; font-size: 0.9rem; cursor: pointer; border: 1px solid #aeaeb2; border-radius: 6px;
  background: #fff; padding: 0.35em 0.8em; }
button:hover { background: #f2f2f7; }
main { max-width: 46rem; margin: 0 auto; padding: 0.5em 1em 3em; }
h2 { font-size: 1.15rem; margin: 1.6em 0 0.6em; color: #3a3a3c; }
.flashcard { background: #fdfdfd; border: 1px solid #d2d2d7; border-radius: 10px; margin: 0 0 1em;
  padding: 1em 0.8em 0.6em; box-shadow: 0 1px 2px rgba(0, 0, 0, 0.06); }
.flashcard .back, .flashcard.revealed .front { display: none; }
.flashcard.revealed .back { display: block; }
.flashcard footer { display: flex; gap: 0.5em; align-items: center; flex-wrap: wrap; margin-top: 1em;
  padding-top: 0.6em; border-top: 1px solid #e5e5ea; }
.tags { display: flex; gap: 0.3em; flex-wrap: wrap; }
button.tag { font-size: 0.75rem; padding: 0.1em 0.6em; border-radius: 1em; background: #eef4fb;
  border-color: #c5d9ef; color: #0a4f96; }
.card-id { margin-left: auto; font-size: 0.75rem; color: #8e8e93; font-family: ui-monospace, Menlo, monospace; }
#typeans[disabled] { background: #fff; border: 1px solid #aeaeb2; border-radius: 4px; }
@media print {
  body { background: #fff; }
  header.page { padding: 0 0 0.5em; } header.page > * { max-width: none; }
  .controls, footer, audio { display: none !important; }
  main { max-width: none; padding: 0; }
  h2 { break-after: avoid; page-break-after: avoid; }
  .flashcard { break-inside: avoid; page-break-inside: avoid; box-shadow: none; border-color: #aeaeb2;
    border-radius: 0; padding: 0.6em; margin-bottom: 0.6em; }
  .flashcard .card { font-size: 12pt; max-width: none; background: none; }
  .flashcard .front, .flashcard .back { display: block !important; }
  /* The back repeats the front above <hr id="answer">: print that part once. */
  .flashcard .back .card > :has(~ hr#answer), .flashcard .back hr#answer { display: none; }
  .flashcard .back { border-top: 1px dashed #aeaeb2; margin-top: 0.5em; padding-top: 0.5em; }
  a { color: inherit; }
}
"""

_SCRIPT = """
const cards = [...document.querySelectorAll(".flashcard")];
const filter = document.getElementById("filter");
const revealAll = document.getElementById("reveal-all");
function matches(card, term) {
  const tags = card.dataset.tags.split(" ");
  if (term.startsWith("tag:")) {
    const wanted = term.slice(4);
    return !wanted || tags.some(tag => tag === wanted || tag.startsWith(wanted + "::"));
  }
  return card.dataset.text.includes(term) || tags.some(tag => tag.includes(term));
}
function applyFilter() {
  const terms = filter.value.toLowerCase().split(/\\s+/).filter(Boolean);
  let shown = 0;
  for (const card of cards) {
    card.hidden = !terms.every(term => matches(card, term));
    shown += !card.hidden;
  }
  for (const section of document.querySelectorAll(".subdeck"))
    section.hidden = !section.querySelector(".flashcard:not([hidden])");
  document.getElementById("shown").textContent = `${shown} of ${cards.length} cards`;
}
function reveal(card, open) {
  card.classList.toggle("revealed", open);
  const button = card.querySelector(".reveal");
  button.textContent = open ? "Hide answer" : "Show answer";
  button.setAttribute("aria-expanded", open);
}
filter.addEventListener("input", applyFilter);
revealAll.addEventListener("click", () => {
  const open = revealAll.getAttribute("aria-pressed") !== "true";
  cards.forEach(card => reveal(card, open));
  revealAll.setAttribute("aria-pressed", open);
  revealAll.textContent = open ? "Hide all answers" : "Show all answers";
});
document.querySelector("main").addEventListener("click", event => {
  const button = event.target.closest("button");
  if (!button) return;
  const card = button.closest(".flashcard");
  if (button.classList.contains("reveal")) reveal(card, !card.classList.contains("revealed"));
  if (button.classList.contains("tag")) { filter.value = "tag:" + button.textContent.toLowerCase(); applyFilter(); }
});
"""
