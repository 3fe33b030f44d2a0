"""`deck ids`: give every card without an id a readable one, editing the file as text.

The file is not re-dumped (PyYAML would drop comments and change quoting); a line `id: ...` is
inserted before each such card's first key, at its indentation, so everything else stays as it
was, byte for byte. The new file replaces the old one atomically.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from pathlib import Path, PurePosixPath

from deck import cloze, pipeline
from deck.files import remove_stale, write_atomically
from deck.nodes import LINE_BREAK, Document, Mapping, Scalar, Sequence
from deck.problems import Problem
from deck.reading import file_bytes
from deck.source import read

# Words that make ids longer without making them easier to recognise.
_STOPWORDS = frozenset(
    "a an and are as at be by can do does for from how in is it its of on or the their them they this to "
    "what when where which who why with".split()
)
_WORDS_PER_ID = 5


def slug(text: str) -> str:
    """'How wide is a typical ice pick scar?' -> 'wide-typical-ice-pick-scar'."""
    text = cloze.CLOZE.sub(r"\2", text)  # keep a deletion's answer
    text = re.sub(r"<[^>]+>|[*_`#>\[\]()!]", " ", text)  # drop markup
    words = ascii_words(text)
    kept = [word for word in words if word not in _STOPWORDS] or words
    return "-".join(kept[:_WORDS_PER_ID]) or "card"


def ascii_words(text: str) -> list[str]:
    """'Májovci tvořili' -> ['majovci', 'tvorili']: lowercase, accents taken off the letters."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.findall(r"[a-z0-9]+", folded.lower())


def assign(path: Path) -> tuple[list[str], list[Problem]]:
    """Add ids to the cards that lack one in the deck at `path`: a file with the files it includes,
    or every *.yaml in a folder. Returns the new ids, or why it could not; each file it changes is
    replaced atomically, and nothing is changed while any file has a problem."""
    # The deck checked whole first: a card without an id is what this command is for; any other
    # error (a misspelt key, say) leaves every file as it is.
    checked = pipeline.check(str(path), notes=False)
    problems = [problem for problem in checked.problems if problem.severity == "error" and problem.code != "missing-id"]
    if problems:
        return [], problems
    files = parts(path)
    with_cards = [(data, document, cards) for data, document in files if (cards := cards_of(document)) is not None]
    if not with_cards:
        return [], [Problem(str(path), 1, 1, "error", "no-cards", "no 'cards' list to give ids to")]
    taken = {
        card.pairs["id"][1].value
        for _, _, cards in with_cards for card in cards if "id" in card.pairs and isinstance(card.pairs["id"][1], Scalar)
    }
    previous = checked.lock
    # An id the last build knew (a card since deleted from the file, or removed earlier) is never given
    # to another card: students may still have that card's note.
    taken |= set(previous.cards) | set(previous.removed) if previous else set()
    new_ids: list[str] = []
    for data, document, cards in with_cards:
        new_ids += _add_ids(data, document, cards, taken)
    return new_ids, []


def parts(path: Path) -> list[tuple[bytes, Document]]:
    """Each file of the deck at `path`, its bytes and what was read of them."""
    if path.is_dir():
        return [_part(file) for file in pipeline.folder_files(path)]
    main = _part(path)
    return [main, *(_part(file) for file in pipeline.includes(main[1]))]


def _part(file: Path) -> tuple[bytes, Document]:
    data = file_bytes(file)
    if isinstance(data, Problem):
        return b"", Document(str(file), "", None, [data])
    return data, read(str(file), data)


def _add_ids(data: bytes, document: Document, cards: list[Mapping], taken: set[str]) -> list[str]:
    """Add an id to each of the file's cards without one; the file is written only if it changed.
    The temporary files a killed run left beside it are removed (see `deck.files.remove_stale`)."""
    remove_stale(Path(document.path))
    new_ids: list[str] = []
    edits: list[tuple[int, str]] = []
    breaks = Counter(LINE_BREAK.findall(document.text))
    newline = max(breaks, key=breaks.__getitem__, default="\n")  # the file's own, as it mostly has
    for card in cards:
        if "id" in card.pairs or not card.pairs:
            continue
        new_ids.append(unique(slug(_prompt(card)), taken))
        if card.flow:  # {question: ...} -> {id: new, question: ...}
            edits.append((card.start + 1, f"id: {new_ids[-1]}, "))
        else:  # the first key, at its column -> id, then the first key at the same column
            edits.append((card.start, f"id: {new_ids[-1]}{newline}{' ' * (card.column - 1)}"))
    text = document.text
    for offset, insertion in reversed(edits):
        text = text[:offset] + insertion + text[offset:]
    if edits:
        bom = "\ufeff" if data.startswith(b"\xef\xbb\xbf") else ""
        write_atomically(Path(document.path), (bom + text).encode("utf-8"))
    return new_ids


def cards_of(document: Document) -> list[Mapping] | None:
    """The card mappings of one file read with positions, or None when it has no `cards` list."""
    root = document.root
    if not isinstance(root, Mapping) or "cards" not in root.pairs:
        return None
    cards = root.pairs["cards"][1]
    return [card for card in cards.items if isinstance(card, Mapping)] if isinstance(cards, Sequence) else None


def _prompt(card: Mapping) -> str:
    """What a card's id is made from: its question or cloze text; a picture card's header, or else its
    picture's file name."""
    for key in ("question", "text", "answer", "header", "image"):
        value = card.pairs.get(key, (None, None))[1]
        if isinstance(value, Scalar) and value.value.strip():
            return PurePosixPath(value.value).stem if key == "image" else value.value
    return "card"


def unique(candidate: str, taken: set[str]) -> str:
    """`candidate`, or `candidate-2`, `-3` ... whichever is not taken yet; it is taken from now on."""
    chosen, number = candidate, 2
    while chosen in taken:
        chosen, number = f"{candidate}-{number}", number + 1
    taken.add(chosen)
    return chosen
