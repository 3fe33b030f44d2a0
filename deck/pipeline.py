"""The whole compiler in two calls: `check` a deck file, `build` it into a package.

Each stage collects problems and hands on what is valid, so one run reports everything:
source (bytes -> nodes) -> validate (nodes -> cards) -> render (cards -> HTML fields) -> package.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from deck import fastread, lock, nodes, package, reading, render, validate
from deck.cards import Card, Deck
from deck.fields import Fields, Note, note_type_key, ords
from deck.files import atomic, check_output, exclusive, remove_stale
from deck.media import Media, references
from deck.notetypes import NOTE_TYPES, NoteType, declared
from deck.package import DeckTree, Stamps, guid_of
from deck.problems import Problem, has_errors


@dataclass
class Checked:
    """A checked deck file: its notes, ready to package, when `problems` holds no error (and it was
    checked with notes: see `check`)."""

    deck: Deck | None
    media: Media
    document: nodes.Document
    cards: list[tuple[Card, nodes.Mapping]] = field(default_factory=list)  # each with its node
    notes: list[Note] = field(default_factory=list)  # one per card, unless checked without notes
    description: str = ""
    subdecks: dict[str, str] = field(default_factory=dict)  # each described subdeck's HTML description
    problems: list[Problem] = field(default_factory=list)
    unreported: int = 0  # errors past the `max_errors` that `check` was given: counted, not in `problems`
    lock: lock.Lock | None = None
    guids: list[str] = field(default_factory=list)  # each note's GUID in Anki, once the deck is valid
    note_types: dict[str, NoteType] = field(default_factory=lambda: dict(NOTE_TYPES))  # by card `type`

    @property
    def ok(self) -> bool:
        return self.deck is not None and not has_errors(self.problems)

    def counts(self) -> str:
        """'3 notes (2 basic, 1 cloze), 4 cards'."""
        # (A build's notes know their cards, and outlive them; checking alone makes no notes.)
        made = ([(note.kind, note.ords) for note in self.notes]
                or [(note_type_key(card), ords(card, self.note_types)) for card, _ in self.cards])
        kinds: Counter[str] = Counter(kind for kind, _ in made)
        by_kind = ", ".join(f"{kinds[kind]} {kind}" for kind in self.note_types if kinds[kind])
        cards = sum(len(note_ords) for _, note_ords in made)
        return f"{count(len(made), 'note')} ({by_kind}), {count(cards, 'card')}"


def count(number: int, noun: str) -> str:
    """'1 note', '3 notes'."""
    return f"{number} {noun}{'' if number == 1 else 's'}"


class BuildError(Exception):
    """The package or the lock could not be written. A package is replaced only when complete; if
    the lock alone failed, the next build stamps the cards that changed again, which is harmless."""


@dataclass
class Built:
    checked: Checked
    out: Path
    lock_path: Path
    changes: lock.Changes


# Shows the progress of long work over a list of items under a label (see deck.cli); the work is
# long from about a second on a 2-core machine (benchmarks/run.py):
Progress = Callable[[Sequence[Any], str], Iterable[Any]]
PROGRESS_MIN_CARDS = 8000  # a build of this many cards, most of it while they are rendered
PROGRESS_MIN_BYTES = 2_000_000  # a file read with positions, about 2.4 MB a second
# A file read fast, and its cards checked before the first bar over them: about half a second at
# this size, after 0.2 s of starting (1.5 s of nothing on screen at 24 MB, without this bar).
PROGRESS_MIN_FAST_BYTES = 8_000_000


def quiet(items: Sequence[Any], label: str) -> Sequence[Any]:
    return items


def each_card(cards: Sequence[Any], progress: Progress, label: str) -> Iterable[Any]:
    """The cards, through `progress` when there are enough of them for a bar."""
    return progress(cards, label) if len(cards) >= PROGRESS_MIN_CARDS else cards


def check(path: str, progress: Progress = quiet, notes: bool = True, max_errors: int = 0,
          keep_cards: bool = True, texts: Mapping[Path, bytes] | None = None) -> Checked:
    """Read, validate and render the deck file at `path`, collecting every problem. Without `notes`,
    every card is checked alike but no note is made, so fields that cannot hold a problem are not
    rendered at all (checking alone, as `deck validate` does: 0.2 s less at 30,000 cards).

    The deck is read fast first, without positions; only a deck with a problem to report is read
    again with them (the slow part of checking a big deck is locating what is never reported).
    Past `max_errors` errors of the format (0: no limit), the rest are only counted (`unreported`).
    Without `keep_cards`, a deck checked with notes keeps only those, not its `cards` (as a build).
    `texts`: the bytes of some of its files (by resolved path) as they would be, read instead of theirs.
    """
    try:
        document = read(path, fast=True, progress=progress, texts=texts)
        label = "rendering cards" if notes else "checking cards"
        return _check(path, document, progress, label, notes, max_errors, keep_cards)
    except nodes.Unlocated:
        label = "checking again, with positions"
        return _check(path, read(path, progress=progress, texts=texts), progress, label, notes, max_errors,
                      keep_cards)


def with_positions(checked: Checked, progress: Progress = quiet) -> Checked:
    """A deck that passed a fast check, its cards paired with the nodes of a located reading, for
    reporting what is not a problem of the deck (lint's warnings) without checking it again. The
    readings agree on every text the fast one takes (tests/test_fast_reading.py), card for card."""
    document = read(checked.document.path, progress=progress)
    root = document.root
    disagree = "the two readings of the deck disagree"
    assert isinstance(root, nodes.Mapping) and not document.problems, disagree
    placed = root.pairs["cards"][1]
    assert isinstance(placed, nodes.Sequence) and len(placed.items) == len(checked.cards), disagree
    cards = []
    for (card, _), node in zip(checked.cards, placed.items):
        assert isinstance(node, nodes.Mapping), disagree
        cards.append((card, node))
    return replace(checked, document=document, cards=cards)


def _check(path: str, document: nodes.Document, progress: Progress, label: str, notes: bool,
           max_errors: int, keep_cards: bool) -> Checked:
    validated = validate.validate(document, max_errors)
    document.data = None  # a fast read's plain data is in `validated` now; free it for a big build
    folder = Path(path) if Path(path).is_dir() else Path(path).parent
    checked = Checked(validated.deck, Media(folder), document, validated.cards, problems=validated.problems,
                      unreported=validated.unreported)
    checked.note_types = declared(validated.note_types)
    fields = Fields(document, validated.deck.sources if validated.deck else {}, checked.media, checked.note_types)
    fields.template_media(validated.note_types)
    root = document.root
    deck_id = None  # (known once the deck is valid)
    if validated.deck is not None and isinstance(root, nodes.Mapping):
        info, deck_node = validated.deck.deck, root.pairs["deck"][1]
        deck_id = info.id
        assert isinstance(deck_node, nodes.Mapping)  # (the deck is valid)
        if info.description:
            checked.description = fields.render("deck", deck_node, "description", info.description)
        if info.subdecks:
            subdecks_node = deck_node.pairs["subdecks"][1]
            assert isinstance(subdecks_node, nodes.Mapping)
            checked.subdecks = {name: fields.render(f"subdeck '{name}'", subdecks_node, name, text)
                                for name, text in info.subdecks.items()}
        checked.guids = [guid_of(deck_id, card) for card, _ in validated.cards]
        _unique_guids(document, checked.problems, validated.cards, checked.guids)
    # Cards are checked even when the deck is not, so that one run reports every problem.
    for card, node in each_card(validated.cards, progress, label):
        if notes:
            checked.notes.append(fields.note(card, node))
        else:
            fields.check(card, node)
    identities: Iterable[tuple[str, str, nodes.Mapping]]  # each card's id and type, with its node
    if notes and not keep_cards:
        # What is needed of the cards from here on is in their notes: the cards themselves are given
        # up, all at once, before the lock is read (pydantic models, 0.65 GB of 800,000 tiny cards;
        # given up one by one as the notes were made, their memory went to the notes, in pieces the
        # lock could not use).
        placed = [node for _, node in validated.cards]
        identities = ((note.card_id, note.kind, node) for note, node in zip(checked.notes, placed))
        checked.cards = validated.cards = []
        if validated.deck is not None:
            checked.deck = validated.deck.model_copy(update={"cards": []})
        validated.deck = None
    else:
        identities = ((card.id, note_type_key(card), node) for card, node in validated.cards)
    for card_label, node in validated.unchecked:
        fields.check_text(card_label, node)
    checked.problems += fields.problems
    checked.lock, lock_problems = lock.read(lock.path_for(path))
    checked.problems += lock_problems
    if deck_id is not None and checked.lock is not None:
        assert isinstance(root, nodes.Mapping)
        _check_against_lock(document, checked.problems, checked.lock, deck_id, identities, root, checked.guids)
    checked.problems.sort()
    return checked


def read(path: str, fast: bool = False, progress: Progress = quiet,
         texts: Mapping[Path, bytes] | None = None) -> nodes.Document:
    """The deck at `path`: one file, the files it includes, or every *.yaml in a folder (name order),
    read as one document whose problems still name each file. `fast`: read with `deck.fastread`,
    raising `nodes.Unlocated` if any file needs the located reading. `progress` shows the reading of
    each big file (a located reading comes after a fast one, hence its label)."""

    def load(file: str | Path) -> nodes.Document:
        data = texts[Path(file).resolve()] if texts and Path(file).resolve() in texts else reading.file_bytes(file)
        if isinstance(data, Problem):
            if fast:
                raise nodes.Unlocated(data.message)
            return nodes.Document(str(file), "", None, [data])
        if fast:
            if len(data) < PROGRESS_MIN_FAST_BYTES:
                document = fastread.read(str(file), data)
            else:  # yaml-rs reads the file in one call: one step of a bar, shown for its label
                for whole in progress([data], f"reading {Path(file).name}"):
                    document = fastread.read(str(file), whole)
            if document is None:
                raise nodes.Unlocated(f"{file} needs the located reading")
            return document
        # PyYAML's reading, with positions, is imported only now: a valid deck is read fast (0.015 s).
        from deck import source

        if len(data) < PROGRESS_MIN_BYTES:
            return source.read(str(file), data)
        label = f"reading {Path(file).name} again, with positions"
        return source.read(str(file), data, lambda pieces: progress(pieces, label))

    combine = fastread.combine if fast else nodes.combine
    location = Path(path)
    if location.is_dir():
        files = folder_files(location)
        if not files:
            return nodes.Document(path, "", None, [Problem(path, 1, 1, "error", "no-files",
                                                            "the folder has no *.yaml deck files")])
        document = combine(path, [load(file) for file in files])
        document.files = files
        return document
    main = load(path)
    names = includes(main)
    included = [load(file) for file in names]
    for document in included:
        if document.fast and "include" in document.data:  # type: ignore[operator]
            raise nodes.Unlocated("a nested include")
        if isinstance(document.root, nodes.Mapping) and "include" in document.root.pairs:
            key = document.root.pairs.pop("include")[0]
            document.problems.append(document.problem(key.line, key.column, "nested-include",
                                                      "only the main deck file can include others; move this list there"))
    document = combine(path, [main, *included]) if included else main
    document.files = [location, *names]
    return document


def folder_files(folder: Path) -> list[Path]:
    """The files of a deck kept in a folder: every *.yaml in it, in name order."""
    return sorted(folder.glob("*.yaml"))


def includes(main: nodes.Document) -> list[Path]:
    """The files named by `include:`, each checked (what is wrong is added to `main.problems`): a
    list of paths inside the main file's folder."""
    root = main.root
    if main.fast:  # nodes without positions: a problem in them raises Unlocated
        if "include" not in main.data:  # type: ignore[operator]
            return []
        node = fastread.unplaced(main.data["include"])  # type: ignore[index]
    elif not isinstance(root, nodes.Mapping) or "include" not in root.pairs:
        return []
    else:
        node = root.pairs["include"][1]
    if not isinstance(node, nodes.Sequence):
        main.problems.append(main.problem(node.line, node.column, "wrong-type",
                                          "'include' must be a list of deck files, like [more.yaml]"))
        return []
    folder = Path(main.path).parent.resolve()
    files: list[Path] = []
    for item in node.items:
        if not isinstance(item, nodes.Scalar):
            main.problems.append(main.problem(item.line, item.column, "bad-include",
                                              "each entry of 'include' is a file name, like more.yaml"))
            continue
        file = _deck_file(folder, item.value)
        if isinstance(file, str):
            main.problems.append(main.problem(item.line, item.column, "bad-include", f"'{item.value}' {file}"))
        elif file == Path(main.path).resolve() or file in files:
            main.problems.append(main.problem(item.line, item.column, "bad-include",
                                              f"'{item.value}' is already part of the deck; include each file once"))
        else:
            files.append(file)
    return [Path(os.path.relpath(file)) if not Path(main.path).is_absolute() else file for file in files]


def _deck_file(folder: Path, name: str) -> Path | str:
    """The file `name` inside `folder`, or what is wrong with it."""
    try:
        file = (folder / name).resolve()
        if not file.is_relative_to(folder):
            return f"is outside {folder}; include deck files from its folder, by a relative path"
        if not file.is_file():
            return f"is not a file in {folder}" if file.exists() else f"does not exist in {folder}; check the name"
        return file
    except (OSError, ValueError, RuntimeError):  # a NUL, an overlong name, a loop of links (RuntimeError before 3.13)
        return "is not a usable file name; check the name"


def _unique_guids(document: nodes.Document, problems: list[Problem], cards: list[tuple[Card, nodes.Mapping]],
                  guids: list[str]) -> None:
    """Every note's GUID is unique, whether given with `guid:` or derived from the ids.

    Bad: ``guid:`` set to the GUID another card derives from its id (Anki would merge the two).
    """
    first: dict[str, Card] = {}
    for (card, node), guid in zip(cards, guids):
        other = first.setdefault(guid, card)
        if other is not card:
            line, column = document.locate(node.pairs["guid" if "guid" in node.pairs else "id"][1])
            problems.append(document.problem(
                line, column, "duplicate-guid",
                f"card '{card.id}': its GUID '{guid}' is also card '{other.id}''s; Anki would merge them. "
                "Give one of them another guid"))


def _check_against_lock(document: nodes.Document, problems: list[Problem], previous: lock.Lock, deck_id: str,
                        cards: Iterable[tuple[str, str, nodes.Mapping]], root: nodes.Mapping, guids: list[str]) -> None:
    """Identities the previous build handed out must not change meaning.

    Bad: changing `deck.id` (every note would be new to students); giving a removed card's id to
    a new card (students who kept the old note would see its history attached to other content);
    changing a card's `type` (Anki keeps a note's type on import: students would keep the old note
    and never get the card's changes again).
    """
    deck_node = root.pairs["deck"][1]
    assert isinstance(deck_node, nodes.Mapping)  # (the deck is valid)
    id_node = deck_node.pairs["id"][1]
    if deck_id != previous.deck:
        line, column = document.locate(id_node)
        problems.append(document.problem(
            line, column, "deck-id-changed",
            f"deck id changed from '{previous.deck}' (in {lock.path_for(document.path).name}); every note would be "
            f"new to students. Change it back, or delete {lock.path_for(document.path).name} to start a new deck"))
        return
    by_guid = previous.by_guid()  # a note's type, as Anki knows it, goes with its GUID
    for (card_id, kind, node), guid in zip(cards, guids):
        locked = previous.cards.get(card_id)
        if locked is not None and locked.guid != guid:
            line, column = document.locate(node.pairs["guid" if "guid" in node.pairs else "id"][1])
            problems.append(document.problem(
                line, column, "guid-changed",
                f"card '{card_id}': its GUID changed since the last build (was '{locked.guid}', now '{guid}'); "
                "students would get a second note. Restore the guid, or give a new card a new id"))
        if guid in by_guid and by_guid[guid].kind != kind:
            line, column = document.locate(node.pairs["type" if "type" in node.pairs else "id"][1])
            new_note = "give the card a new id" + (" and no 'guid'" if "guid" in node.pairs else "")
            problems.append(document.problem(
                line, column, "type-changed",
                f"card '{card_id}': its type changed since the last build (was {by_guid[guid].kind}, now {kind}); "
                "Anki keeps a note's type on import, so students who have it would never get its changes again. "
                f"Change the type back, or {new_note} to make it a new note"))
        if card_id in previous.removed:
            line, column = document.locate(node.pairs["id"][1])
            problems.append(document.problem(
                line, column, "removed-id",
                f"card '{card_id}': this id belonged to a removed card "
                f"('{render.plain_text(previous.removed[card_id].prompt)}'); "
                "give this card a new id, or delete the id's entry under 'removed' in the lock file to restore it"))


def build(path: str, out: Path | None = None, progress: Progress = quiet,
          max_errors: int = 0) -> tuple[Checked, Built | None]:
    """Check, then write the package and update the lock file beside `path`.

    Nothing is written while any error exists, or when `out` is a file the deck is made from
    (`deck.files.Refused`). The package is written first, then the lock: a build stopped between
    the two leaves the old lock, so the next build finds the same cards changed and dates them
    again, later. Two builds of one deck take turns (see `deck.files.exclusive`), and each removes
    the temporary files a killed build left beside the package and the lock.
    """
    lock_path = lock.path_for(path)
    guard = _guard(lock_path)
    with ExitStack() as turn:
        try:
            turn.enter_context(exclusive(guard))
        except OSError as error:
            raise BuildError(f"cannot write beside {lock_path} (to hold {guard.name} while building): "
                             f"{error.strerror or error}") from error
        checked = check(path, progress, max_errors=max_errors, keep_cards=False)
        if not checked.ok:
            return checked, None
        return checked, _write(checked, out, lock_path, progress)


def _write(checked: Checked, out: Path | None, lock_path: Path, progress: Progress) -> Built:
    """`build`'s second half: the package and the lock of a valid deck."""
    assert checked.deck is not None
    info = checked.deck.deck
    out = out or Path(f"{info.id}.apkg")
    refuse_overwriting_inputs(checked, out)
    for output in (out, lock_path):
        remove_stale(output)
    # A card changes when what Anki shows changes: its fields, tags, and the bytes of its media.
    media_files = checked.media.contents()
    # The bar's label stays on screen while the package and the lock are written, after it.
    notes = each_card(checked.notes, progress, f"writing {out.name} and {lock_path.name}")

    card_hash = note_hasher(media_files)

    contents = [lock.Content(note.card_id, note.kind, guid, card_hash(note), note.fields[0])
                for note, guid in zip(notes, checked.guids)]
    note_types = {kind: lock.note_type_hash(note_type) for kind, note_type in checked.note_types.items()}
    new_lock, changes = lock.update(checked.lock, info.id, contents, note_types, build_time(),
                                    lambda index: card_hash(checked.notes[index], as_written=True))
    del contents  # (what the lock keeps of it is in new_lock: 0.1 GB at 800,000 cards)
    newest = new_lock.newest()
    if newest > lock.LATEST_TIME:  # (a changed card is dated after the lock's newest time)
        raise BuildError(f"{lock_path.name} dates a card at the end of year 9999, so no change can be dated after "
                         f"it; {lock.REPAIR}")
    stamps = Stamps(
        package=newest,
        notes={card_id: entry.mod for card_id, entry in new_lock.cards.items()},
        note_types={kind: entry.mod for kind, entry in new_lock.note_types.items()},
    )
    # The package is zipped and written in a thread (zlib and the disk work without Python's lock)
    # while the lock's text is written to its temporary file: 0.06 s less at 30,000 cards on two
    # cores. The lock takes its place only after the package has.
    with _scratch() as collection, ThreadPoolExecutor(max_workers=1) as thread:
        package.database(DeckTree(info.id, info.name, checked.description, checked.subdecks), checked.notes,
                         checked.guids, stamps, collection, checked.note_types)
        packed = thread.submit(package.pack, collection, media_files, out, stamps.package)
        with _writing(lock_path), atomic(lock_path) as stream:
            lock.dump(new_lock, stream)
            with _writing(out):
                packed.result()
    return Built(checked, out, lock_path, changes)


def note_hasher(media_files: dict[str, bytes]) -> Callable[..., str]:
    """A note's content hash as the lock records it (`lock.card_hash`): its fields, its tags, and the
    bytes of the media its fields use (`media_files`, by name)."""
    media = {name: hashlib.sha256(data).hexdigest() for name, data in media_files.items()}

    def card_hash(note: Note, as_written: bool = False) -> str:
        shown = sorted(media[name] for name in references(note.fields) if name in media) if media else []
        return lock.card_hash(note.kind, note.fields, note.tags, shown, as_written)

    return card_hash


@contextmanager
def _scratch() -> Iterator[Path]:
    """`package.collection_file`, and what stops the database's writing there (a full disk, a
    temporary folder that cannot be written) as a BuildError."""
    try:
        with package.collection_file() as collection:
            yield collection
    except (OSError, sqlite3.Error) as error:
        raise BuildError(f"cannot write the package's database in the temporary folder {tempfile.gettempdir()} "
                         f"(TMPDIR chooses another): {getattr(error, 'strerror', None) or error}") from error


@contextmanager
def _writing(target: Path) -> Iterator[None]:
    try:
        yield
    except OSError as error:
        raise BuildError(f"cannot write {target}: {error.strerror or error}") from error


def refuse_overwriting_inputs(checked: Checked, out: Path) -> None:
    """Raise `deck.files.Refused` when `out` is a file the deck is made from: one of its files, a
    media file, its lock (`-o cards.yaml` is a slip, not a wish), or one of them by another name;
    or is no place for an output at all (see `deck.files.check_output`)."""
    inputs = {file: "one of the deck's files" for file in checked.document.files}
    inputs |= {file: "a media file of the deck" for file in checked.media.files.values()}
    inputs[lock.path_for(checked.document.path)] = "the deck's lock file"
    inputs[_guard(lock.path_for(checked.document.path))] = "the file a build of the deck holds while it runs"
    check_output(out, inputs)


def _guard(lock_path: Path) -> Path:
    """The file a build holds while it runs (see `build`)."""
    return lock_path.with_name(f".{lock_path.name}.build")


def build_time() -> int:
    """Seconds since the epoch: SOURCE_DATE_EPOCH when set (reproducible builds), else now. Not
    later than a day from now: a card dated in the future is newer than any edit a student makes
    until then, so each import would overwrite those edits, and every later build comes after it."""
    value = os.environ.get("SOURCE_DATE_EPOCH")
    now = int(time.time())
    if value is None:
        return now
    if not value.isdigit() or int(value) > lock.LATEST_TIME:
        raise BuildError(f"SOURCE_DATE_EPOCH must be a whole number of seconds up to {lock.LATEST_TIME} "
                         f"(the end of year 9999), not {value!r}")
    if int(value) > now + 86_400:
        raise BuildError(f"SOURCE_DATE_EPOCH {value} is {time.strftime('%Y-%m-%d', time.gmtime(int(value)))}, in "
                         "the future: cards dated then would overwrite students' own edits until that day. Use a "
                         "time that has passed, such as the last commit's (git log -1 --format=%ct)")
    return int(value)
