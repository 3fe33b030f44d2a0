"""The lock file: what each card looked like at the last build, and since when.

Anki updates a note on re-import only when the package's modification time is newer than the one
in the student's collection. So a card whose content did not change must keep the time at which
that content first appeared: then re-importing changes nothing, and a student's own edit to that
card survives. A changed card gets the new build's time, which is newer, so its edit arrives.

`cards.lock` sits beside `cards.yaml` and is committed with it: one line per card, sorted by id, so
that a diff shows exactly which cards changed. It also remembers removed cards, so that their ids
are never given to a different card.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from json.encoder import encode_basestring as _json_text
from pathlib import Path
from typing import Annotated, BinaryIO, Literal, NamedTuple, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from deck.notetypes import LATEX_POST, LATEX_PRE, NOTE_TYPES, NoteType
from deck.problems import Problem

FORMAT: Literal[1] = 1

# Anki keeps times in 64-bit integers, ids as milliseconds: the end of year 9999 fits with room.
LATEST_TIME = 253_402_300_799
Time = Annotated[int, Field(ge=0, le=LATEST_TIME)]
# A card's note type: a built-in `type` (a key of notetypes.NOTE_TYPES) or the name of a deck's own.
Kind = Annotated[str, StringConstraints(pattern=r"\S")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Stamp(_Strict):
    hash: str
    mod: Time


class CardStamp(NamedTuple):
    """A named tuple, not a model or a dict: a lock holds one per card, and reading 30,000 models
    took twice as long; 800,000 dicts took 0.1 GB more. Its fields in the order of the file's keys."""

    guid: str  # the note's identity in Anki: it must not change while students have the note
    hash: str
    kind: Kind
    mod: Time
    prompt: str  # the card's first field, HTML exactly as in Anki: finds the note once the card is removed


class Removed(_Strict):
    kind: Kind
    prompt: str
    removed: Time  # when the card left the deck, for whoever reads the lock


class Lock(_Strict):
    format: Literal[1] = FORMAT
    deck: str
    note_types: dict[str, Stamp] = {}
    cards: dict[str, CardStamp] = {}
    removed: dict[str, Removed] = {}

    def newest(self) -> int:
        mods = [*(entry.mod for entry in self.note_types.values()), *(entry.mod for entry in self.cards.values())]
        return max(mods, default=0)

    def by_guid(self) -> dict[str, CardStamp]:
        """Each card's entry by its note's GUID: a card is its note, whatever its id."""
        return {entry.guid: entry for entry in self.cards.values()}


class Content(NamedTuple):
    """What the lock records of one card: its content hash, kind and prompt (see `card_hash`)."""

    card_id: str
    kind: str
    guid: str
    hash: str
    prompt: str


@dataclass
class Changes:
    """Card ids added, changed and removed since the previous build (all empty on the first)."""

    first_build: bool
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: dict[str, Removed] = field(default_factory=dict)
    note_types: list[str] = field(default_factory=list)  # whose templates or CSS changed


# What to do about a lock that cannot be used.
REPAIR = ("restore it from version control, or delete it (every card then counts as changed once, and the ids of "
          "removed cards are forgotten)")


def path_for(deck_file: str | Path) -> Path:
    return Path(deck_file).with_suffix(".lock")


_COMPACT_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def content_hash(*parts: object) -> str:
    """A short, stable fingerprint of JSON-able content: 64 bits are plenty for one deck."""
    return _digest(_COMPACT_JSON.encode(parts))


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def card_hash(kind: str, fields: Sequence[str], tags: Sequence[str], media: list[str], as_written: bool = False) -> str:
    """A card's content hash, of its tags as students who have the note see them: Anki sorts a note's
    tags and keeps the case a tag already has in their collection, so order, case and repeats are no
    change. `as_written`: the hash of locks written before 2026-11-30, of the tags as the file has them.

    This is `content_hash(kind, fields, tags, media)` with its JSON written out here, each text as
    JSONEncoder(ensure_ascii=False) writes it: a JSONEncoder call per card was two thirds of the
    time (tests/test_lock.py compares the two)."""
    tags = tags if as_written else sorted({tag.casefold() for tag in tags})
    return _digest(f"[{_json_text(kind)},{_json_texts(fields)},{_json_texts(tags)},{_json_texts(media)}]")


def _json_texts(texts: Iterable[str]) -> str:
    return f"[{','.join(map(_json_text, texts))}]"


def note_type_hash(note_type: NoteType) -> str:
    """What a note type looks like in Anki: when it changes, students' copies must be updated (and its
    time is newer). What the built-in types leave at its default is left out, so their hash stays."""
    more = [(key, value) for key, value, default in (
        ("sort_field", note_type.sort_field, 0), ("html_fields", sorted(note_type.html_fields), []),
        ("latex", [note_type.latex_pre, note_type.latex_post], [LATEX_PRE, LATEX_POST]),
    ) if value != default]
    return content_hash(note_type.name, note_type.fields, note_type.templates, note_type.css, note_type.cloze, *more)


def read(path: Path) -> tuple[Lock | None, list[Problem]]:
    """The lock at `path`, or None when there is none yet; a damaged lock is a located problem."""
    if not path.exists():
        return None, []
    line = column = 1
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):  # (a named pipe would wait for a writer for ever)
            raise OSError(0, "not a regular file (a folder, a device, a pipe or a socket)")
        data = path.read_bytes()
        return Lock.model_validate_json(data), []
    except OSError as error:
        message = f"cannot read {path.name}: {error.strerror or error}; {REPAIR}"
    except ValidationError as error:
        detail = error.errors()[0]
        where = ".".join(str(step) for step in detail["loc"])
        if detail["type"] == "json_invalid":
            reason = detail["ctx"]["error"]
            if place := re.search(r"at line (\d+) column (\d+)$", reason):  # ("trailing comma at line 19 column 3")
                line = int(place[1])
                before = data.split(b"\n")[line - 1][:max(int(place[2]) - 1, 0)]  # the column counts bytes
                column = len(before.decode("utf-8", "replace")) + 1
                reason = reason[:place.start()].strip()
            message = f"{path.name} is not valid JSON ({reason}); mend it here, or {REPAIR}"
        elif not where:
            message = f"{path.name} is not a lock file (it should hold one JSON object); {REPAIR}"
        else:
            message = f"{path.name} has an unexpected '{where}' ({detail['msg']}); {REPAIR}"
    return None, [Problem(str(path), line, column, "error", "bad-lock", message)]


def update(previous: Lock | None, deck_id: str, cards: list[Content], note_types: dict[str, str],
           now: int, as_written: Callable[[int], str] | None = None) -> tuple[Lock, Changes]:
    """The lock for this build: unchanged entries keep their time; new and changed ones get a time
    newer than any in the previous lock (so Anki sees them as newer even if the clock is behind).
    `as_written(n)`: card n's hash as locks before 2026-11-30 made it (see `card_hash`), asked for
    only where the hash differs from the lock's."""
    previous = previous or Lock(deck=deck_id)
    stamp = max(now, previous.newest() + 1)
    changes = Changes(first_build=not previous.cards)
    locked_cards: dict[str, CardStamp] = {}
    by_guid = previous.by_guid()
    for index, card in enumerate(cards):
        # A card is its note: found by its id, or by its GUID where the id changed but a kept `guid:` did not.
        old = previous.cards.get(card.card_id) or by_guid.get(card.guid)
        if old is not None and old.hash != card.hash and as_written is not None and as_written(index) == old.hash:
            old = old._replace(hash=card.hash)  # unchanged, in a lock from before: its hash as it is now made
        if old is not None and old.hash == card.hash:
            locked_cards[card.card_id] = old
            continue
        if old is None:
            changes.added.append(card.card_id)
        else:
            changes.changed.append(card.card_id)
        locked_cards[card.card_id] = CardStamp(card.guid, card.hash, card.kind, stamp, card.prompt)
    removed = dict(previous.removed)
    guids = {card.guid for card in cards}
    for card_id, old in previous.cards.items():
        if card_id not in locked_cards and old.guid not in guids:
            changes.removed[card_id] = removed[card_id] = Removed(kind=old.kind, prompt=old.prompt, removed=stamp)
    locked_types = {}
    for kind, digest in note_types.items():
        old_type = previous.note_types.get(kind)
        if old_type is not None and old_type.hash == digest:
            locked_types[kind] = old_type
        else:
            locked_types[kind] = Stamp(hash=digest, mod=stamp)
            if old_type is not None:
                changes.note_types.append(kind)
    if changes.first_build:
        changes.added.clear()
    # Made of entries validated on reading or made above: validating 30,000 of them again took 0.035 s.
    lock = Lock.model_construct(deck=deck_id, note_types=locked_types, cards=locked_cards, removed=removed)
    return lock, changes


_SORTED_JSON = json.JSONEncoder(ensure_ascii=False, sort_keys=True)
_Entry = TypeVar("_Entry")


def dump(lock: Lock, stream: BinaryIO) -> None:
    """Write the lock file's text to `stream`: one line per entry, sorted, so that a diff reads as a
    list of changed cards. Written some thousand lines at a time: the whole text of 800,000 cards
    at once was 0.25 GB."""
    stream.write(f'{{\n  "format": {lock.format},\n  "deck": {json.dumps(lock.deck)},\n'.encode())
    sections = [
        _section("note_types", {key: vars(entry) for key, entry in lock.note_types.items()}, _SORTED_JSON.encode),
        _section("cards", lock.cards, _card_stamp),
        _section("removed", {key: vars(entry) for key, entry in lock.removed.items()}, _SORTED_JSON.encode),
    ]
    for number, section in enumerate(sections):
        while text := "".join(itertools.islice(section, 5000)):
            stream.write(text.encode())
        stream.write(b",\n" if number < len(sections) - 1 else b"\n}\n")


def _section(name: str, entries: Mapping[str, _Entry], encode: Callable[[_Entry], str]) -> Iterator[str]:
    """The lines of one section (the last without its line break, which the next section or the end
    writes)."""
    if not entries:
        yield f'  "{name}": {{}}'
        return
    yield f'  "{name}": {{\n'
    keys = sorted(entries)
    for key in keys[:-1]:
        yield f"    {_json_text(key)}: {encode(entries[key])},\n"
    yield f"    {_json_text(keys[-1])}: {encode(entries[keys[-1]])}\n  }}"


def _card_stamp(entry: CardStamp) -> str:
    """`_SORTED_JSON.encode(entry._asdict())` written out: a JSONEncoder call per card was 0.06 s of
    a build of 30,000 (tests/test_lock.py compares the two)."""
    return (f'{{"guid": {_json_text(entry.guid)}, "hash": {_json_text(entry.hash)}, '
            f'"kind": {_json_text(entry.kind)}, "mod": {entry.mod}, "prompt": {_json_text(entry.prompt)}}}')


def removed_search(deck_name: str, removed: Iterable[tuple[str, str]],
                   note_types: Mapping[str, NoteType] = NOTE_TYPES) -> str:
    """An Anki browser search that finds exactly the notes of these removed cards, given as
    (kind, first field HTML): each must have that note type and that whole first field. A deck's own
    note type that is gone from `note_types` (by kind) is searched by its name, in any field."""
    notes = []
    for kind, first_field in removed:
        # A line break cannot be typed in Anki's one-line search bar: '_', any one character, stands for it.
        text = _search_escape(first_field, ":").replace("\n", "_")
        note_type = note_types.get(kind)
        field = f"{_search_escape(note_type.fields[0], ':')}:" if note_type else ""
        notes.append(f'("note:{_search_escape(note_type.name if note_type else kind)}" "{field}{text}")')
    return f'"deck:{_search_escape(deck_name)}" ({" OR ".join(notes)})'


def search_twins(removed: Mapping[str, Removed], kept: Iterable[tuple[str, str, str]]) -> dict[str, str]:
    """The removed cards (by id) that `removed_search` would not tell from a kept card, given as
    (id, kind, first field HTML), each with that card's id: Anki compares a whole field ignoring
    case, and a line break in the search stands for any one character."""
    kept = list(kept)
    exact = {(kind, first.casefold()): card_id for card_id, kind, first in kept}
    twins = {card_id: exact[entry.kind, entry.prompt.casefold()] for card_id, entry in removed.items()
             if (entry.kind, entry.prompt.casefold()) in exact}
    for card_id, entry in removed.items():
        if card_id not in twins and "\n" in entry.prompt:
            pattern = re.compile(".".join(map(re.escape, entry.prompt.casefold().split("\n"))), re.DOTALL)
            twin = next((other for other, kind, first in kept
                         if kind == entry.kind and pattern.fullmatch(first.casefold())), None)
            if twin is not None:
                twins[card_id] = twin
    return twins


def _search_escape(text: str, also: str = "") -> str:
    """Backslashes before what Anki's search syntax would read as wildcards, quotes or separators."""
    return re.sub(f'([\\\\"*_{re.escape(also)}])', r"\\\1", text)
