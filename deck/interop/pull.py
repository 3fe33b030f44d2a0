"""`deck pull`: edits made in Anki, from an exported package, merged back into the deck's files.

Notes are matched to cards by GUID. A field that differs from what the deck renders is written back
in place (`deck.interop.textedit`), as Markdown through `deck import`'s conversion, or as HTML for a
field kept as HTML, or as a picture card's masks (`deck.interop.pictures`); tags and the subdeck
follow Anki's. `cards.lock` tells who changed a card: the
deck (its rendering is not the one the last build recorded), Anki (the note is not), or both, a
conflict that is reported and left alone. A pulled value that would make the deck invalid is
reported and left out. Every changed file is replaced at once, or none.
"""

from __future__ import annotations

import difflib
import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from deck import htmlfields, ids, pipeline, render
from deck.cards import ImageOcclusionCard, NoteCard
from deck.fields import Note
from deck.files import write_all_atomically
from deck.interop import apkg, pictures
from deck.interop.apkg import AnkiNote
from deck.interop.importer import CONVERTED, Converter
from deck.interop.yamltext import Card, card_lines, mask_text
from deck.media import MediaError
from deck.notetypes import BUILT_IN_IDS, IMAGE_OCCLUSION_ID
from deck.interop.interchange import to_markdown
from deck.interop.occlusion import Unreadable
from deck.interop.textedit import Edit, Editor
from deck.nodes import Document, Mapping, Scalar
from deck.package import note_guid
from deck.problems import Problem


class PullFailed(Exception):
    """The package cannot be read; nothing was written."""


@dataclass
class Pulled:
    """What a pull changed (or, dry, would change) and what it left alone, in words."""

    changed: list[str] = field(default_factory=list)  # ids of the cards updated from Anki
    added: list[str] = field(default_factory=list)  # ids of the cards made of notes new in Anki
    media: list[str] = field(default_factory=list)  # media files copied in, by name
    diff: str = ""  # unified, of every changed file
    messages: list[str] = field(default_factory=list)  # what was converted or left out, one line each
    conflicts: list[Problem] = field(default_factory=list)  # cards changed on both sides: each with both versions
    missing: list[str] = field(default_factory=list)  # ids of cards the package does not have
    elsewhere: int = 0  # notes of other decks, left alone
    unknown: int = 0  # notes of this deck that no card has, not of its note types: not added
    problems: list[Problem] = field(default_factory=list)  # what was left out, or why nothing was pulled
    deck_ok: bool = True  # False: the deck itself has errors (`problems`), so nothing was pulled


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
    files it includes, or a folder), each card in the file it lives in; notes of the deck that no
    card has become cards at the end of its first file of cards. `dry_run`: write nothing.
    Raises PullFailed when the package cannot be read, or a media file it brings clashes."""
    checked = pipeline.check(str(deck))
    if not checked.ok or checked.deck is None:
        return Pulled(problems=checked.problems, deck_ok=False)
    documents = {Path(document.path).resolve(): (document, Editor(document, data))
                 for data, document in ids.parts(deck)}
    with tempfile.TemporaryDirectory(prefix="deck-pull-") as temporary:
        try:
            read = apkg.read(package, Path(temporary))
        except apkg.PackageError as error:
            raise PullFailed(str(error)) from error
        converter = _converter(checked, read, package.name)
        pulled, edits = _changes(checked, documents, read.notes, converter)
        _validate(deck, documents, edits, pulled, {f"media/{name}" for name in converter.media.files})
        media = _media(checked.media.root, converter, pulled)
    texts = {path: documents[path][1].apply([edit for made in cards.values() for edit in made])
             for path, cards in edits.items() if cards}
    for path, text in texts.items():
        old = documents[path][1].text
        name = str(Path(documents[path][0].path))
        pulled.diff += "".join(difflib.unified_diff(old.splitlines(keepends=True), text.splitlines(keepends=True),
                                                    f"a/{name}", f"b/{name}"))
    if texts and not dry_run:
        if media:
            (checked.media.root / "media").mkdir(exist_ok=True)
        write_all_atomically({**media, **{path: documents[path][1].encoded(text) for path, text in texts.items()}})
    return pulled


def _changes(checked: pipeline.Checked, documents: dict[Path, tuple[Document, Editor]], notes: list[AnkiNote],
             converter: Converter) -> tuple[Pulled, dict[Path, dict[str, list[Edit]]]]:
    """What to pull: the edits to each file, by card id, and what is left alone."""
    assert checked.deck is not None
    info = checked.deck.deck
    places = {guid: (node, path) for path, (document, _) in documents.items() for node in ids.cards_of(document) or []
              if (guid := _guid(info.id, node))}
    hashed = pipeline.note_hasher(checked.media.contents())
    locked = checked.lock.by_guid() if checked.lock else {}
    by_guid = {note.guid: note for note in notes}

    def image(name: str) -> str:  # a picture of the deck's, or one the package brings (copied in)
        try:
            return checked.media.reference(name)
        except MediaError:
            return converter.image(name)

    pulled = Pulled()
    edits: dict[Path, dict[str, list[Edit]]] = {}
    for (card, _), note, guid in zip(checked.cards, checked.notes, checked.guids):
        anki = by_guid.get(guid)
        if anki is None:
            pulled.missing.append(card.id)
            continue
        node, path = places[guid]
        note_type = checked.note_types[note.kind]
        if [name for name, _ in anki.fields] != list(note_type.fields):  # (its fields are what matters)
            pulled.messages.append(f"card '{card.id}': its note type in Anki, '{anki.note_type}', has other fields "
                                   "than the deck's; not pulled")
            continue
        editor = documents[path][1]
        if isinstance(card, NoteCard):
            fields = node.pairs["fields"][1]
            assert isinstance(fields, Mapping)  # (the deck is valid)
            target = _Card(card.id, note, node, editor, list(note_type.fields), fields, note_type.html_fields)
        else:  # a built-in card: each field from its key on the card
            keys = pictures.KEYS if isinstance(card, ImageOcclusionCard) else CONVERTED[note_type.name][1]
            target = _Card(card.id, note, node, editor, list(keys), node)
        entry = locked.get(guid)
        theirs = note._replace(fields=tuple(value for _, value in anki.fields), tags=tuple(anki.tags))
        moved = _inside(anki.deck, info.name) and _subdeck(anki.deck, info.name) != note.subdeck
        if theirs.fields == note.fields and _same_tags(anki.tags, note.tags) and not moved:
            continue
        ours_changed = entry is not None and hashed(note) != entry.hash
        # Anki's text differs from the last build's and is not older than it: an export made before the
        # last build was imported has the older text, which is not an edit to pull.
        theirs_changed = entry is None or (hashed(theirs) != entry.hash and anki.mod >= entry.mod) or moved
        if not theirs_changed:
            continue  # Anki has the last build's card, or an older one: the deck's text is newer
        if ours_changed:
            pulled.conflicts.append(_conflict(target, anki, info.name, documents[path][0]))
            continue
        made = _edits(target, anki, info.name, image, pulled.messages)
        if made:
            edits.setdefault(path, {})[card.id] = made
            pulled.changed.append(card.id)
    new = [note for note in notes if note.guid not in places]
    pulled.elsewhere = sum(1 for note in new if not _inside(note.deck, info.name))
    _add(checked, documents, [note for note in new if _inside(note.deck, info.name)], converter, edits, pulled)
    return pulled, edits


def _converter(checked: pipeline.Checked, read: apkg.Package, origin: str) -> Converter:
    """`deck import`'s converter, for the package's notes of the deck's own note types too: a note of
    one, new in Anki, becomes a card of it, its fields in the formats the deck declares."""
    assert checked.deck is not None
    own = {int(spec.id): key for key, spec in checked.deck.note_types.items() if spec.kind != "image-occlusion"}
    converter = Converter(read.media, origin,
                          {number: note_type for number, note_type in read.note_types.items() if number in own})
    converter.keys = {number: own[number] for number in converter.note_types}
    converter.html = {number: set(checked.note_types[own[number]].html_fields) for number in converter.note_types}
    return converter


def _add(checked: pipeline.Checked, documents: dict[Path, tuple[Document, Editor]], notes: list[AnkiNote],
         converter: Converter, edits: dict[Path, dict[str, list[Edit]]], pulled: Pulled) -> None:
    """Notes of the deck that no card has, of its note types (built-in or declared), as cards after the last card
    of its first file of cards, each with a readable id and its GUID."""
    assert checked.deck is not None
    info = checked.deck.deck
    home = next(((path, cards) for path, (document, _) in documents.items() if (cards := ids.cards_of(document))), None)
    cited: dict[str, tuple[str, dict[str, str | None]]] = {
        render.citation(source.title, source.author, source.publisher, source.date, source.url, source.note): (key, {})
        for key, source in checked.deck.sources.items()}
    converter.sources = dict(cited)  # a note citing one of them cites it by its key
    taken = {card.id for card, _ in checked.cards} | set(checked.lock.cards if checked.lock else ())
    taken |= set(checked.lock.removed if checked.lock else ())
    for note in notes:
        if home is None or (note.note_type_id not in BUILT_IN_IDS and note.note_type_id not in converter.keys):
            pulled.unknown += 1
            continue
        subdeck = _subdeck(note.deck, info.name)
        card: Card | None
        if note.note_type_id in converter.keys:
            card = converter.declared_card(note, subdeck, taken)
        elif note.note_type_id == IMAGE_OCCLUSION_ID:
            picture = converter.picture(note)
            if isinstance(picture, str):
                converter.messages.append(f"note {note.guid!r}: not added: {picture}")
            card = converter.picture_card(note, picture, subdeck, taken) if not isinstance(picture, str) else None
        else:
            card = converter.card(note, subdeck, taken)
        if card is None:  # (the converter says why)
            continue
        if "guid" not in card:  # a card of another GUID would be added again by every pull
            pulled.messages.append(f"note '{note.guid}': not added: its GUID is not one a deck file can keep "
                                   "(up to 64 printable characters without spaces); add the card by hand")
            taken.discard(str(card["id"]))
            continue
        if len(converter.sources) > len(cited):  # a source the deck does not have: it is not made up here
            converter.sources = dict(cited)
            del card["source"]
            pulled.messages.append(f"card '{card['id']}': its source is not one of the deck's; add it by hand")
        path, cards = home
        edits.setdefault(path, {})[str(card["id"])] = [documents[path][1].append_card(cards, card_lines(card))]
        pulled.added.append(str(card["id"]))
    pulled.messages += converter.messages + converter.said_of_cards()


def _media(folder: Path, converter: Converter, pulled: Pulled) -> dict[Path, bytes]:
    """The media files the pulled cards newly use, to be copied into media/ beside the deck (a
    different file of the same name there is an error, never overwritten)."""
    copies = {}
    for name, source in converter.media.files.items():
        target, data = folder / "media" / name, source.read_bytes()
        if target.exists() and target.read_bytes() != data:
            raise PullFailed(f"{target} exists and is not the file of that name in the package; rename one of them "
                             "(and its uses), then pull again")
        if not target.exists():
            copies[target] = data
            pulled.media.append(name)
    return copies


def _guid(deck_id: str, node: Mapping) -> str | None:
    """A card's GUID from its nodes: its `guid:`, or the one its id makes."""
    for key, make in (("guid", lambda value: value), ("id", lambda value: note_guid(deck_id, value))):
        value = node.pairs.get(key, (None, None))[1]
        if isinstance(value, Scalar):
            return make(value.value)
    return None


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
        if key in ("source", "audio", "image"):
            messages.append(f"{label}: its {name} field changed in Anki; a {key} is not pulled: edit it in the deck")
            continue
        if key == "masks":
            made += _masks(card, ours, theirs, messages)
            continue
        if name in card.html_fields:  # kept as HTML, its pictures by the deck's paths to them
            found: list[htmlfields.Finding] = []
            value = htmlfields.pack_media(theirs, reference, reference, found)
            if found:
                messages.append(f"{label}: {name} not pulled: " + "; ".join(finding.message for finding in found))
                continue
        elif "[sound:" in theirs and card.fields_node is card.node:  # (a built-in card's text field)
            messages.append(f"{label}: {name} not pulled: it plays a sound, which a card of deck's built-in types "
                            "plays from 'audio:'; add it there in the deck")
            continue
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
        added = {tag.casefold(): tag for tag in anki.tags}
        kept = [tag for tag in card.note.tags if added.pop(tag.casefold(), None)]
        made.append(card.editor.set_list(card.node, "tags", kept + list(added.values())))
    subdeck = _subdeck(anki.deck, deck_name)
    if not _inside(anki.deck, deck_name):
        messages.append(f"{label}: moved to deck '{anki.deck}' in Anki, outside this deck; its deck is not pulled")
    elif subdeck != card.note.subdeck:
        edit = card.editor.set_text(card.node, "deck", subdeck) if subdeck else card.editor.remove(card.node, "deck")
        made += [edit] if edit else []
    return made


def _masks(card: _Card, ours: str, theirs: str, messages: list[str]) -> list[Edit]:
    """The edits that give a picture card the masks of the Occlusion field Anki's editor wrote."""
    try:
        hide, masks = pictures.occlusions(theirs)
    except Unreadable as error:
        messages.append(f"card '{card.card_id}': its masks changed in Anki, but are not pulled: {error}")
        return []
    was, had = pictures.occlusions(ours)  # (deck wrote it: it reads)
    made = card.editor.set_items_in_place(card.node, "masks", [mask_text(mask) for mask in had],
                                          [mask_text(mask) for mask in masks]) if masks != had else []
    return made + ([card.editor.set_text(card.node, "hide", hide)] if hide != was else [])


def _conflict(card: _Card, anki: AnkiNote, deck_name: str, document: Document) -> Problem:
    """A card changed on both sides: an error at the card, with both versions of what differs."""
    def both(key: str, ours: str, theirs: str) -> str:  # (quoted as JSON: every quote and line break shows)
        return f"{key} in the deck {json.dumps(ours, ensure_ascii=False)}, in Anki {json.dumps(theirs, ensure_ascii=False)}"

    differs = []
    for key, ours, (_, theirs) in zip(card.keys, card.note.fields, anki.fields):
        if ours != theirs:  # the deck's side as the file writes it, where it does
            written = card.fields_node.pairs.get(key, (None, None))[1]
            differs.append(both(key, written.value if isinstance(written, Scalar) else ours, theirs))
    if not _same_tags(anki.tags, card.note.tags):
        differs.append(both("tags", " ".join(card.note.tags), " ".join(anki.tags)))
    if _subdeck(anki.deck, deck_name) != card.note.subdeck:
        differs.append(both("deck", card.note.subdeck or "", anki.deck))
    line, column = document.locate(card.node)
    return document.problem(
        line, column, "conflict", f"card '{card.card_id}': changed in the deck since the last build and in Anki, "
        f"so left as it is; merge by hand: {'; '.join(differs)}")


def _validate(deck: Path, documents: dict[Path, tuple[Document, Editor]], edits: dict[Path, dict[str, list[Edit]]],
              pulled: Pulled, coming: set[str]) -> None:
    """Leave out the edits of each card whose pulled values make the deck invalid, and report them.
    `coming`: the media files to be copied in with the edits (checked in the package already)."""
    while texts := {path: documents[path][1].encoded(documents[path][1].apply([edit for made in cards.values()
                                                                                  for edit in made]))
                    for path, cards in edits.items() if cards}:
        problems = [problem for problem in pipeline.check(str(deck), notes=False, texts=texts).problems
                    if problem.severity == "error"
                    and not any(f"'{reference}' does not exist" in problem.message for reference in coming)]
        placed = [(problem, card_id) for problem in problems
                  if (path := Path(problem.path).resolve()) in edits
                  and (card_id := documents[path][1].card_at(documents[path][0], edits[path], problem.line))]
        if problems and not placed:  # (a problem outside the pulled cards: none is pulled)
            pulled.problems += problems
            pulled.changed.clear()
            pulled.added.clear()
            edits.clear()
        for problem, card_id in placed:
            pulled.problems.append(replace(problem, message=f"{problem.message}; the value from Anki is not pulled"))
            edits[Path(problem.path).resolve()].pop(card_id, None)
            for pulled_ids in (pulled.changed, pulled.added):
                if card_id in pulled_ids:
                    pulled_ids.remove(card_id)
        if not problems:
            return
