"""`deck pull`: edits made in Anki, from an exported package, merged back into the deck's files.

Notes are matched to cards by GUID. A field that differs from what the deck renders is written back
in place (`deck.interop.textedit`), as Markdown through `deck import`'s conversion, or as HTML for a
field kept as HTML; tags and the subdeck follow Anki's. `cards.lock` tells who changed a card: the
deck (its rendering is not the one the last build recorded), Anki (the note is not), or both, a
conflict that is reported and left alone. A pulled value that would make the deck invalid is
reported and left out. Every changed file is replaced at once, or none.
"""

from __future__ import annotations

import difflib
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from deck import ids, pipeline
from deck.cards import NoteCard
from deck.fields import Note
from deck.files import write_all_atomically
from deck.interop import apkg
from deck.interop.apkg import AnkiNote
from deck.interop.importer import CONVERTED
from deck.interop.interchange import to_markdown
from deck.interop.textedit import Edit, Editor
from deck.nodes import Document, Mapping, Scalar
from deck.package import note_guid
from deck.problems import Problem, shown


class PullFailed(Exception):
    """The package cannot be read; nothing was written."""


@dataclass
class Pulled:
    """What a pull changed (or, dry, would change) and what it left alone, in words."""

    changed: list[str] = field(default_factory=list)  # ids of the cards updated from Anki
    files: list[Path] = field(default_factory=list)  # the deck files changed
    diff: str = ""  # unified, of every changed file
    messages: list[str] = field(default_factory=list)  # what was converted or left out, one line each
    conflicts: list[str] = field(default_factory=list)  # cards changed on both sides: each with both versions
    missing: list[str] = field(default_factory=list)  # ids of cards the package does not have
    elsewhere: int = 0  # notes of other decks, left alone
    unknown: int = 0  # notes of this deck that no card has, not added
    problems: list[Problem] = field(default_factory=list)  # why nothing was pulled, or what was left out


@dataclass
class _Card:
    """One card to pull into: where it is, and what the deck renders of it now."""

    card_id: str
    note: Note
    node: Mapping
    editor: Editor
    keys: list[str]  # each field's key, in `fields_node`
    fields_node: Mapping  # the card, or its `fields:` for a deck's own note type
    html_fields: frozenset[str] = frozenset()  # fields kept as HTML


def pull(package: Path, deck: Path, dry_run: bool = False) -> Pulled:
    """Merge the notes of the Anki package at `package` into the deck at `deck` (a file with the
    files it includes, or a folder), each card in the file it lives in. `dry_run`: write nothing.
    Raises PullFailed when the package cannot be read."""
    checked = pipeline.check(str(deck))
    if not checked.ok or checked.deck is None:
        return Pulled(problems=checked.problems)
    with tempfile.TemporaryDirectory(prefix="deck-pull-") as temporary:
        try:
            notes = apkg.read(package, Path(temporary)).notes
        except apkg.PackageError as error:
            raise PullFailed(str(error)) from error
    info = checked.deck.deck
    documents = {Path(document.path).resolve(): (document, Editor(document, data))
                 for data, document in ids.parts(deck)}
    places = {guid: (node, path) for path, (document, _) in documents.items() for node in ids.cards_of(document) or []
              if (guid := _guid(info.id, node))}
    hashed = pipeline.note_hasher(checked.media.contents())
    locked = checked.lock.by_guid() if checked.lock else {}
    by_guid = {note.guid: note for note in notes}
    pulled = Pulled()
    for name in ("elsewhere", "unknown"):
        setattr(pulled, name, sum(1 for note in notes if note.guid not in places and _where(note, info.name) == name))
    edits: dict[Path, dict[str, list[Edit]]] = {}
    for (card, _), note, guid in zip(checked.cards, checked.notes, checked.guids):
        anki = by_guid.get(guid)
        if anki is None:
            pulled.missing.append(card.id)
            continue
        node, path = places[guid]
        note_type = checked.note_types[card.type]
        if isinstance(card, NoteCard):
            fields = node.pairs["fields"][1]
            assert isinstance(fields, Mapping)  # (the deck is valid)
            target = _Card(card.id, note, node, documents[path][1], list(note_type.fields), fields,
                           note_type.html_fields)
        else:
            target = _Card(card.id, note, node, documents[path][1], list(CONVERTED[note_type.name][1]), node)
        entry = locked.get(guid)
        theirs = note._replace(fields=tuple(value for _, value in anki.fields), tags=tuple(anki.tags))
        moved = _inside(anki.deck, info.name) and _subdeck(anki.deck, info.name) != note.subdeck
        if theirs.fields == note.fields and _same_tags(anki.tags, note.tags) and not moved:
            continue
        ours_changed = entry is not None and hashed(note) != entry["hash"]
        theirs_changed = entry is None or hashed(theirs) != entry["hash"] or moved
        if ours_changed and not theirs_changed:
            continue  # Anki has the last build's card: the deck's own edit is newer
        if ours_changed:
            pulled.conflicts.append(_conflict(target, anki, info.name))
            continue
        made = _edits(target, anki, info.name, checked.media.reference, pulled.messages)
        if made:
            edits.setdefault(path, {})[card.id] = made
            pulled.changed.append(card.id)
    _validate(deck, documents, edits, pulled)
    texts = {path: documents[path][1].apply([edit for made in cards.values() for edit in made])
             for path, cards in edits.items() if cards}
    for path, text in texts.items():
        old = documents[path][1].text
        name = str(Path(documents[path][0].path))
        pulled.diff += "".join(difflib.unified_diff(old.splitlines(keepends=True), text.splitlines(keepends=True),
                                                    f"a/{name}", f"b/{name}"))
    pulled.files = [Path(documents[path][0].path) for path in texts]
    if texts and not dry_run:
        write_all_atomically({path: documents[path][1].encoded(text) for path, text in texts.items()})
    return pulled


def _guid(deck_id: str, node: Mapping) -> str | None:
    """A card's GUID from its nodes: its `guid:`, or the one its id makes."""
    for key, make in (("guid", lambda value: value), ("id", lambda value: note_guid(deck_id, value))):
        value = node.pairs.get(key, (None, None))[1]
        if isinstance(value, Scalar):
            return make(value.value)
    return None


def _where(note: AnkiNote, deck_name: str) -> str:
    return "unknown" if _inside(note.deck, deck_name) else "elsewhere"


def _inside(anki_deck: str, deck_name: str) -> bool:
    return anki_deck == deck_name or anki_deck.startswith(f"{deck_name}::")


def _subdeck(anki_deck: str, deck_name: str) -> str | None:
    """The subdeck below the deck's own name (None for the deck itself), of a deck `_inside` it."""
    return anki_deck[len(deck_name) + 2:] or None


def _same_tags(theirs: list[str], ours: tuple[str, ...]) -> bool:
    """Anki sorts a note's tags and keeps the case it first saw: neither is a change."""
    return sorted({tag.casefold() for tag in theirs}) == sorted({tag.casefold() for tag in ours})


def _edits(card: _Card, anki: AnkiNote, deck_name: str, reference: Callable[[str], str],
           messages: list[str]) -> list[Edit]:
    """The text edits that give `card` the note's fields, tags and subdeck."""
    label = f"card '{card.card_id}'"
    made: list[Edit] = []
    for key, ours, (name, theirs) in zip(card.keys, card.note.fields, anki.fields):
        if ours == theirs:
            continue
        if key in ("source", "audio"):
            messages.append(f"{label}: its {name} field changed in Anki; a {key} is not pulled: edit it in the deck")
            continue
        if name in card.html_fields:
            value = theirs
        else:
            converted = to_markdown(theirs, reference)
            if any(change.startswith("dropped image") for change in converted.changes):
                messages.append(f"{label}: {name} not pulled: " + "; ".join(converted.changes))
                continue
            messages += [f"{label}: {name}: {change}" for change in converted.changes]
            value = converted.markdown
        made.append(card.editor.set_text(card.fields_node, key, value))
    if not _same_tags(anki.tags, card.note.tags):
        # The deck's tags that Anki kept, in the deck's order and case, then those added in Anki.
        theirs = {tag.casefold(): tag for tag in anki.tags}
        kept = [tag for tag in card.note.tags if theirs.pop(tag.casefold(), None)]
        made.append(card.editor.set_list(card.node, "tags", kept + list(theirs.values())))
    subdeck = _subdeck(anki.deck, deck_name)
    if not _inside(anki.deck, deck_name):
        messages.append(f"{label}: moved to deck '{anki.deck}' in Anki, outside this deck; its deck is not pulled")
    elif subdeck != card.note.subdeck:
        edit = card.editor.set_text(card.node, "deck", subdeck) if subdeck else card.editor.remove(card.node, "deck")
        made += [edit] if edit else []
    return made


def _conflict(card: _Card, anki: AnkiNote, deck_name: str) -> str:
    """A card changed on both sides, in words, with both versions of what differs."""
    lines = [f"card '{card.card_id}': changed in the deck since the last build and in Anki; left as it is"]
    for ours, (name, theirs) in zip(card.note.fields, anki.fields):
        if ours != theirs:
            lines += [f"  {name} in the deck: {shown(ours)}", f"  {name} in Anki:     {shown(theirs)}"]
    if not _same_tags(anki.tags, card.note.tags):
        lines += [f"  tags in the deck: {shown(' '.join(card.note.tags))}",
                  f"  tags in Anki:     {shown(' '.join(anki.tags))}"]
    if _subdeck(anki.deck, deck_name) != card.note.subdeck:
        lines += [f"  deck in the deck: {shown(card.note.subdeck or '')}", f"  deck in Anki:     {shown(anki.deck)}"]
    return "\n".join(lines)


def _validate(deck: Path, documents: dict[Path, tuple[Document, Editor]], edits: dict[Path, dict[str, list[Edit]]],
              pulled: Pulled) -> None:
    """Leave out the edits of each card whose pulled values make the deck invalid, and report them."""
    while texts := {path: documents[path][1].encoded(documents[path][1].apply([edit for made in cards.values()
                                                                                  for edit in made]))
                    for path, cards in edits.items() if cards}:
        problems = [problem for problem in pipeline.check(str(deck), notes=False, texts=texts).problems
                    if problem.severity == "error"]
        placed = [(problem, card_id) for problem in problems if (card_id := _card_at(documents, edits, problem))]
        if problems and not placed:  # (a problem outside the pulled cards: none is pulled)
            pulled.problems += problems
            pulled.changed.clear()
            edits.clear()
        for problem, card_id in placed:
            pulled.problems.append(replace(problem, message=f"{problem.message}; the value from Anki is not pulled"))
            edits[Path(problem.path).resolve()].pop(card_id, None)
            if card_id in pulled.changed:
                pulled.changed.remove(card_id)
        if not problems:
            return


def _card_at(documents: dict[Path, tuple[Document, Editor]], edits: dict[Path, dict[str, list[Edit]]],
             problem: Problem) -> str | None:
    """The edited card a problem of the edited file is in, by the lines its edited text spans."""
    path = Path(problem.path).resolve()
    if path not in edits:
        return None
    document, editor = documents[path]
    shift = 0  # how many lines the edits before a card added to the file
    cards = sorted(ids.cards_of(document) or [], key=lambda node: node.start)
    for number, node in enumerate(cards):
        card_id = _id(node)
        first = node.line + shift
        made = edits[path].get(card_id or "", [])
        shift += sum(edit.text.count("\n") - editor.text.count("\n", edit.start, edit.end) for edit in made)
        last = cards[number + 1].line + shift if number + 1 < len(cards) else None
        if made and first <= problem.line and (last is None or problem.line < last):
            return card_id
    return None


def _id(node: Mapping) -> str | None:
    value = node.pairs.get("id", (None, None))[1]
    return value.value if isinstance(value, Scalar) else None

