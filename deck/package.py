"""Rendered notes -> a deterministic `.apkg`, written atomically. The only module importing genanki.

genanki builds the collection database; this module writes the zip itself, because genanki's
writer truncates the destination before it has succeeded, leaks a temporary SQLite file per build
and stamps zip entries with the clock. Here the database is built in memory, the package is
written to a temporary file beside the destination and renamed over it only when complete.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import sqlite3
import string
import tempfile
import time
import zipfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from deck.cards import Card
from deck.fields import Note
from deck.files import atomic
from deck.notetypes import NOTE_TYPES, NoteType

if TYPE_CHECKING:
    import genanki


@dataclass(frozen=True)
class Stamps:
    """Modification times (seconds since the epoch) that Anki compares on re-import.

    Anki updates a note or note type only when the package's time is newer than its own, so an
    unchanged card must keep the time at which its content first appeared (see `deck.lock`).
    """

    package: int  # the collection, ids and zip entries: the newest time below
    notes: dict[str, int]  # by card id
    note_types: dict[str, int]  # by key of the note types (a built-in `type`, or a deck's own type's name)


@dataclass(frozen=True)
class DeckTree:
    """The deck every note goes in or below: its slug (identity), Anki name and HTML description, and
    its subdecks' descriptions by their names below it."""

    slug: str
    name: str
    description: str
    subdecks: dict[str, str] = field(default_factory=dict)


# The digits of Anki's GUIDs (its utils.base91), which genanki writes too; and two of them for each
# number below 91 ** 2, most significant first.
_BASE91 = string.ascii_letters + string.digits + "!#$%&()*+,-./:;<=>?@[]^_`{|}~"
_DIGIT_PAIRS = [high + low for high in _BASE91 for low in _BASE91]


def note_guid(deck_slug: str, card_id: str) -> str:
    """A note's identity: the deck's id and the card's id, never its text.

    This is `genanki.guid_for(deck_slug, card_id)`, which decks built by genanki scripts share: the
    first 8 bytes of a SHA-256 as a base-91 number. Here it is written two digits a step, without
    leading zeros: 0.05 s less at 30,000 cards, in every check (tests/test_package.py compares).
    """
    number = int.from_bytes(hashlib.sha256(f"{deck_slug}__{card_id}".encode()).digest()[:8], "big")
    number, fifth = divmod(number, len(_DIGIT_PAIRS))
    number, fourth = divmod(number, len(_DIGIT_PAIRS))
    number, third = divmod(number, len(_DIGIT_PAIRS))
    first, second = divmod(number, len(_DIGIT_PAIRS))  # 64 bits are under 91 ** 10
    digits = "".join((_DIGIT_PAIRS[first], _DIGIT_PAIRS[second], _DIGIT_PAIRS[third], _DIGIT_PAIRS[fourth],
                      _DIGIT_PAIRS[fifth]))
    return digits.lstrip(_BASE91[0])


def guid_of(deck_slug: str, card: Card) -> str:
    """The GUID a card's note has in Anki: the one it kept from another tool, or the derived one."""
    return card.guid or note_guid(deck_slug, card.id)


def anki_deck_id(deck_slug: str, subdeck: str | None) -> int:
    """Stable across builds, machines and renames of the deck: derived from ids, not names."""
    digest = hashlib.sha256(f"{deck_slug}\x1f{subdeck or ''}".encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 12  # positive, and well within Anki's int64


def write(tree: DeckTree, notes: list[Note], guids: list[str], media: dict[str, bytes], out: Path,
          stamps: Stamps, note_types: Mapping[str, NoteType] = NOTE_TYPES) -> None:
    """Write the package to `out` atomically: a failure leaves any previous file untouched.

    `guids` are the notes' GUIDs (see `guid_of`); `media` maps each media file's name in Anki to
    its bytes: each is packed once, in name order. `note_types`: by each note's `kind`.
    """
    with collection_file() as collection:
        database(tree, notes, guids, stamps, collection, note_types)
        pack(collection, media, out, stamps.package)


@contextmanager
def collection_file() -> Iterator[Path]:
    """A path for the collection database that `database` writes and `pack` zips, in a folder of its
    own in the system's temporary folder, removed with it. On disk, not in memory: the database of
    800,000 cards is 145 MB, and in memory it was there twice over (0.3 GB), then copied into the zip."""
    with tempfile.TemporaryDirectory(prefix="deck-") as folder:
        yield Path(folder) / "collection.anki2"


def pack(collection: Path, media: dict[str, bytes], out: Path, stamp: int) -> None:
    """`write`'s second half: the `collection` database and the media zipped, dated `stamp`, into
    `out`. Most of its time is zlib's and the disk's, without Python's lock: a thread can do it."""
    names = sorted(media)
    index = json.dumps({str(number): name for number, name in enumerate(names)}, ensure_ascii=False)
    entries = [("collection.anki2", collection.read_bytes()), ("media", index.encode())]
    entries += [(str(number), media[name]) for number, name in enumerate(names)]
    # Zipped into the package's temporary file as it goes, not into memory first (0.06 GB at 800,000 cards).
    with atomic(out) as stream, zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            # Fixed dates and permissions: genanki would take them from the clock and the disk.
            entry = zipfile.ZipInfo(name, _zip_date_time(stamp))
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            # Level 1: a third of the default level's time on a big deck, for a package ~15% bigger.
            archive.writestr(entry, data, compresslevel=1)


def database(tree: DeckTree, notes: list[Note], guids: list[str], stamps: Stamps, file: Path,
             note_types: Mapping[str, NoteType] = NOTE_TYPES) -> None:
    """Write the collection database to `file`, a new file (see `collection_file`).

    genanki writes the collection, its decks and note types; the notes and cards are inserted
    here, with the rows genanki's `Note.write_to_db` would write, but each note with its own time
    and all of them in two statements (genanki's objects and row-by-row inserts were most of the
    time of a big build).

    genanki is imported here, as only writing needs it: with the asyncio it imports, it was 0.025 s
    of every command, checks included."""
    import genanki

    models = {kind: _model(note_type) for kind, note_type in note_types.items()}
    decks: dict[str | None, genanki.Deck] = {
        None: genanki.Deck(anki_deck_id(tree.slug, None), tree.name, tree.description),
    }
    # The subdecks notes are in, in order of appearance, and those described (a parent of others, say).
    for subdeck in [*dict.fromkeys(note.subdeck for note in notes), *tree.subdecks]:
        if subdeck not in decks:
            decks[subdeck] = genanki.Deck(anki_deck_id(tree.slug, subdeck), f"{tree.name}::{subdeck}",
                                          tree.subdecks.get(subdeck or "", ""))
    for subdeck, kind in dict.fromkeys((note.subdeck, note.kind) for note in notes):
        decks[subdeck].add_model(models[kind])  # genanki writes the note types decks use
    model_ids = {kind: model.model_id for kind, model in models.items()}
    deck_ids = {subdeck: deck.deck_id for subdeck, deck in decks.items()}
    first_id = stamps.package * 1000
    # The rows are made as they are inserted, not listed first: 0.3 GB less at 800,000 cards.
    note_rows = ((note_id, guid, model_ids[note.kind], stamps.notes[note.card_id], f" {' '.join(note.tags)} ",
                  "\x1f".join(note.fields), note.fields[0])
                 for (_, note_id, note), guid in zip(_numbered(notes, first_id), guids))
    card_rows = ((note_id + 1 + index, note_id, deck_ids[note.subdeck], ord_, position)
                 for position, note_id, note in _numbered(notes, first_id) for index, ord_ in enumerate(note.ords))
    connection = sqlite3.connect(file)
    try:
        cursor = connection.cursor()
        # A scratch file, zipped once written: no journal, and no waiting for the disk.
        cursor.execute("PRAGMA journal_mode = OFF")
        cursor.execute("PRAGMA synchronous = OFF")
        ids_after = itertools.count(first_id + sum(1 + len(note.ords) for note in notes))
        genanki.Package(list(decks.values())).write_to_db(cursor, stamps.package, ids_after)
        # The indexes of the notes and cards are made after their rows: a fifth less time than
        # keeping them up to date row by row, and a smaller database.
        indexes = cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                                 "AND tbl_name IN ('notes', 'cards') ORDER BY name").fetchall()
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {name}")
        # What is alike in every row is written in the statement (a quarter less time than binding it):
        # a note's usn, csum, flags and data; a card's mod, usn, type and queue (new), then zeros.
        cursor.executemany("INSERT INTO notes VALUES (?, ?, ?, ?, -1, ?, ?, ?, 0, 0, '')", note_rows)
        cursor.executemany(f"INSERT INTO cards VALUES (?, ?, ?, ?, {stamps.package:d}, -1, 0, 0, ?, "
                           "0, 0, 0, 0, 0, 0, 0, 0, '')", card_rows)  # due: the note's position
        for _, sql in indexes:
            cursor.execute(sql)
        (models_json,) = cursor.execute("SELECT models FROM col").fetchone()
        written = json.loads(models_json)
        for kind, note_type in note_types.items():
            if str(note_type.id) in written:
                model = written[str(note_type.id)]
                model["mod"] = stamps.note_types[kind]
                if note_type.stock_kind:  # (genanki writes neither)
                    model["originalStockKind"] = note_type.stock_kind
                    for field, tag in zip(model["flds"], note_type.field_tags):
                        field["tag"] = tag
        cursor.execute("UPDATE col SET models = ?", (json.dumps(written),))
        connection.commit()
    finally:
        connection.close()


def _numbered(notes: list[Note], first_id: int) -> Iterator[tuple[int, int, Note]]:
    """Each note with its position and id, from `first_id` on; its cards have the ids after its own."""
    note_id = first_id
    for position, note in enumerate(notes):
        yield position, note_id, note
        note_id += 1 + len(note.ords)


def _model(note_type: NoteType) -> genanki.Model:
    import genanki

    return genanki.Model(
        note_type.id,
        note_type.name,
        fields=[{"name": name} for name in note_type.fields],
        templates=[{"name": name, "qfmt": front, "afmt": back} for name, front, back in note_type.templates],
        css=note_type.css,
        model_type=genanki.Model.CLOZE if note_type.cloze else genanki.Model.FRONT_BACK,
        latex_pre=note_type.latex_pre,
        latex_post=note_type.latex_post,
        sort_field_index=note_type.sort_field,
    )


def _zip_date_time(timestamp: int) -> tuple[int, int, int, int, int, int]:
    # Zip dates run from 1980 to 2107; SOURCE_DATE_EPOCH=0 is common, so clamp rather than fail.
    moment = time.gmtime(min(max(timestamp, 315_532_800), 4_354_819_198))
    return moment[:6]
