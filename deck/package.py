"""Rendered notes -> a deterministic `.apkg`, written atomically. The only module importing genanki.

genanki builds the collection database; this module writes the zip itself, because genanki's
writer truncates the destination before it has succeeded, leaks a temporary SQLite file per build
and stamps zip entries with the clock. Here the database is built in memory, the package is
written to a temporary file beside the destination and renamed over it only when complete.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import sqlite3
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import genanki

from deck.notetypes import CSS, NOTE_TYPES, NoteType


@dataclass(frozen=True)
class Note:
    """One Anki note, its fields already HTML, in the order of its note type's fields."""

    card_id: str
    kind: str  # a key of notetypes.NOTE_TYPES
    fields: tuple[str, ...]
    tags: tuple[str, ...]
    subdeck: str | None  # below the deck's own name, levels joined by '::'
    card_count: int


@dataclass(frozen=True)
class DeckTree:
    """The deck every note goes in or below: its slug (identity), Anki name and HTML description."""

    slug: str
    name: str
    description: str


def note_guid(deck_slug: str, card_id: str) -> str:
    """A note's identity: the deck's id and the card's id, never its text."""
    return genanki.guid_for(deck_slug, card_id)


def anki_deck_id(deck_slug: str, subdeck: str | None) -> int:
    """Stable across builds, machines and renames of the deck: derived from ids, not names."""
    digest = hashlib.sha256(f"{deck_slug}\x1f{subdeck or ''}".encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 12  # positive, and well within Anki's int64


def write(tree: DeckTree, notes: list[Note], out: Path, timestamp: int) -> None:
    """Write the package to `out` atomically: a failure leaves any previous file untouched."""
    database = _database(tree, notes, timestamp)
    date_time = _zip_date_time(timestamp)
    handle, temporary = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as archive:
                for name, data in (("collection.anki2", database), ("media", b"{}")):
                    entry = zipfile.ZipInfo(name, date_time)
                    entry.compress_type = zipfile.ZIP_DEFLATED
                    entry.external_attr = 0o644 << 16
                    archive.writestr(entry, data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, out)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _database(tree: DeckTree, notes: list[Note], timestamp: int) -> bytes:
    models = {kind: _model(note_type) for kind, note_type in NOTE_TYPES.items()}
    decks = {None: genanki.Deck(anki_deck_id(tree.slug, None), tree.name, tree.description)}
    for position, note in enumerate(notes):
        if note.subdeck not in decks:
            name = f"{tree.name}::{note.subdeck}"
            decks[note.subdeck] = genanki.Deck(anki_deck_id(tree.slug, note.subdeck), name)
        decks[note.subdeck].add_note(genanki.Note(
            model=models[note.kind],
            fields=list(note.fields),
            tags=list(note.tags),
            guid=note_guid(tree.slug, note.card_id),
            due=position,
        ))
    connection = sqlite3.connect(":memory:")
    try:
        id_gen = itertools.count(timestamp * 1000)
        genanki.Package(list(decks.values())).write_to_db(connection.cursor(), timestamp, id_gen)
        connection.commit()
        return connection.serialize()
    finally:
        connection.close()


def _model(note_type: NoteType) -> genanki.Model:
    return genanki.Model(
        note_type.id,
        note_type.name,
        fields=[{"name": name} for name in note_type.fields],
        templates=[{"name": name, "qfmt": front, "afmt": back} for name, front, back in note_type.templates],
        css=CSS,
        model_type=genanki.Model.CLOZE if note_type.cloze else genanki.Model.FRONT_BACK,
    )


def _zip_date_time(timestamp: int) -> tuple[int, int, int, int, int, int]:
    # Zip dates cannot go before 1980; SOURCE_DATE_EPOCH=0 is common, so clamp rather than fail.
    moment = time.gmtime(max(timestamp, 315_532_800))
    return moment[:6]


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current

