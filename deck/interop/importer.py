"""`deck import`: an Anki package (.apkg) or text file (.csv, .txt) -> a deck file (cards.yaml).

A package's note types are declared in the deck file exactly as the package has them (id, name,
fields, templates, CSS, kind, sort field), and each note becomes a card of its own note type with
its GUID, fields, tags and deck: so a build of the new file updates the same notes in students'
collections, in place. Notes of deck's own note types (recognised by id) become deck's card types
again. A field is Markdown where Markdown renders back to exactly its HTML (`deck.interchange`),
else it is kept as HTML (`format: html`). Pictures, sounds and LaTeX pictures are copied into
`media/` beside the output. Text files name their note type only; notes of Anki's stock types and
deck's become deck's card types, and what cannot be kept is reported, one message per note.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from deck import htmlfields, ids, pipeline, render
from deck.cards import Guid, TagName
from deck.fields import SOUND
from deck.files import check_output, write_atomically
from deck.interop import apkg, declare, pictures, textfile, yamltext
from deck.interop.apkg import AnkiNote, AnkiNoteType
from deck.interop.interchange import Converted, citation_parts, to_markdown
from deck.interop.occlusion import Unreadable
from deck.interop.yamltext import Card
from deck.media import Media, anki_name
from deck.notetypes import IMAGE_OCCLUSION_FIELDS, IMAGE_OCCLUSION_ID, NOTE_TYPES
from deck.problems import Problem
from deck.reading import FORBIDDEN_CHARACTER

# The note types converted, by name: the card type and what each field, in order, becomes.
_OWN_FIELDS = {"Front": "question", "Back": "answer", "Text": "text", "Extra": "extra", "Source": "source",
               "Audio": "audio"}
CONVERTED = {
    "Basic": ("basic", ("question", "answer")),
    "Basic (and reversed card)": ("reversed", ("question", "answer")),
    "Basic (optional reversed card)": ("basic", ("question", "answer", "reverse")),  # reversed if filled
    "Basic (type in the answer)": ("type-in", ("question", "answer")),
    "Cloze": ("cloze", ("text", "extra")),
} | {note_type.name: (kind, tuple(_OWN_FIELDS[name] for name in note_type.fields))
     for kind, note_type in NOTE_TYPES.items() if set(note_type.fields) <= set(_OWN_FIELDS)}

# The fields of those note types, by name, as a text file's columns are matched to them.
STOCK_FIELDS = {"Basic": ("Front", "Back"), "Basic (and reversed card)": ("Front", "Back"),
                "Basic (optional reversed card)": ("Front", "Back", "Add Reverse"),
                "Basic (type in the answer)": ("Front", "Back"), "Cloze": ("Text", "Back Extra")} | {
    note_type.name: note_type.fields for note_type in NOTE_TYPES.values() if note_type.name in CONVERTED}
_HEADER = IMAGE_OCCLUSION_FIELDS.index("Header")
_DECK_TYPE_IDS = {note_type.id: note_type.name for note_type in NOTE_TYPES.values()}
_DECK_TYPE_NAMES = frozenset(_DECK_TYPE_IDS.values())
_TAG = TypeAdapter(TagName)
_GUID = TypeAdapter(Guid)


class ImportFailed(Exception):
    """The input could not be read, or the output could not be written; nothing was written.
    `messages`: what was skipped on the way, one line each, when that is why."""

    def __init__(self, reason: str, messages: list[str] | None = None) -> None:
        super().__init__(reason)
        self.messages = messages or []


@dataclass
class Imported:
    out: Path
    cards: int
    media: list[str]  # files written into the media folder beside `out`
    messages: list[str] = field(default_factory=list)  # what was skipped or changed, one line each
    problems: list[Problem] = field(default_factory=list)  # `deck validate` of the written file


def import_deck(source: Path, out: Path, force: bool = False, progress: pipeline.Progress = pipeline.quiet) -> Imported:
    """Convert the Anki deck in `source` (.apkg, or .csv/.txt with Anki's headers) into `out`;
    `progress` shows the long steps of a big deck (reading, converting, checking the output).

    Refuses to replace `out`, or a different file of the same name in the media folder beside it,
    unless `force`; never replaces `source` (`deck.files.Refused`). Raises ImportFailed, with
    nothing written, when the input cannot be read.
    """
    check_output(out, {source: "the file being imported"})
    if out.exists() and not force:
        raise ImportFailed(f"{out} exists; choose another output file, or replace it with --force")
    read_messages: list[str] = []  # (what a text file's reading leaves out)
    holder = f"in {source.name}"  # where its media files are
    with tempfile.TemporaryDirectory(prefix="deck-import-") as temporary:
        if source.suffix.lower() == ".apkg":
            try:
                package = apkg.read(source, Path(temporary), progress)
            except apkg.PackageError as error:
                raise ImportFailed(str(error)) from error
        elif source.suffix.lower() in (".csv", ".tsv", ".txt"):
            try:
                notes, read_messages = textfile.read(source, STOCK_FIELDS.get)
            except (OSError, UnicodeDecodeError) as error:
                raise ImportFailed(f"{source}: cannot read it as UTF-8 text: {error}") from error
            package, holder = apkg.Package(notes, {}, {}, source.parent), f"beside {source.name}"
        else:
            raise ImportFailed(f"{source}: deck imports .apkg packages and .csv/.txt text files from Anki")
        converter = Converter(package.media, source.name, package.note_types, progress, holder)
        converter.messages += read_messages
        text = converter.deck_file(package.notes, package.descriptions, source.stem)
        if not converter.cards:
            raise ImportFailed(f"{source}: no note could be converted; wrote nothing", converter.messages)
        media_out = out.parent / "media"
        needed = bool(converter.media.files or converter.missing)  # (the missing go there too, once found)
        if needed and (media_out.is_symlink() or media_out.exists() and not media_out.is_dir()):
            raise ImportFailed(f"{media_out} is {'a symbolic link' if media_out.is_symlink() else 'not a folder'}; "
                               "the media go into a folder of that name beside the output: move it away")
        clashes = sorted(name for name, path in converter.media.files.items()
                         if (media_out / name).exists() and (media_out / name).read_bytes() != path.read_bytes())
        if clashes and not force:
            raise ImportFailed(f"{media_out} already has {'a different file' if len(clashes) == 1 else 'different files'} "
                               f"named {', '.join(clashes)}; replace {'it' if len(clashes) == 1 else 'them'} with --force")
        if needed:
            media_out.mkdir(exist_ok=True)
        for name, path in sorted(converter.media.files.items()):
            write_atomically(media_out / name, path.read_bytes())
    write_atomically(out, text.encode("utf-8"))
    problems = pipeline.check(str(out), progress, notes=False).problems
    return Imported(out, converter.cards, sorted(converter.media.files), converter.messages, problems)


class Converter:
    """Anki notes -> the text of a deck file, collecting media and messages on the way."""

    def __init__(self, media_folder: Path, origin: str, note_types: dict[int, AnkiNoteType],
                 progress: pipeline.Progress = pipeline.quiet, holder: str | None = None) -> None:
        self.media = Media(media_folder)  # checks each file as `deck build` will, and lists it
        self.origin = origin
        self.holder = holder or f"in {origin}"  # where the media files are: a text file has them beside it
        # A package's own note types (not deck's), declared as they are; their keys; their HTML fields.
        self.note_types = {key: value for key, value in note_types.items() if key not in _DECK_TYPE_IDS}
        self.keys = declare.keys(list(self.note_types.values()))
        self.html: dict[int, set[str]] = {}
        self.messages: list[str] = []
        self.sources: dict[str, tuple[str, dict[str, str | None]]] = {}  # citation HTML -> key, parts
        self.cards = 0
        self.without_guid = 0
        self.progress = progress
        self.markdown: dict[str, Converted] = {}  # each distinct field's Markdown, made once
        self.pictures: dict[int, pictures.Picture | str] = {}  # by id() of a picture note: its card, or why not
        self.missing: set[str] = set()  # media files the notes use that `origin` lacks
        self.cards_about: dict[str, list[str]] = {}  # what was changed or dropped -> the ids of its cards
        self.retyped: dict[str, int] = {}  # notes of Anki's stock types with a GUID, by type: now deck's types

    def deck_file(self, notes: list[AnkiNote], descriptions: dict[str, str], fallback_name: str) -> str:
        """The deck file's text: the notes' common deck is the deck, the rest of each is `deck:`."""
        # Anki's text import skips a row whose first field is empty (its log's "empty first field").
        empty = [note for note in notes if not note.note_type_id and not (note.fields and note.fields[0][1])]
        if empty:
            self.messages.append(f"skipped {len(empty)} row{'s' * (len(empty) > 1)} whose first field is empty, "
                                 "as Anki's text import does")
            notes = [note for note in notes if note not in empty]
        skipped = Counter(note.note_type for note in notes if not self.converted(note))
        for name, count in sorted(skipped.items()):
            self.messages.append(f"skipped {pipeline.count(count, 'note')} " + (
                f"of note type '{name}': a text file's notes must be of Anki's stock note types or deck's" if name
                else "whose note type column is empty or missing"))
        notes = [note for note in notes if self.converted(note)]
        for note in notes:
            if note.note_type_id == IMAGE_OCCLUSION_ID or self.kind(note) == "image-occlusion":
                self.pictures[id(note)] = self.picture(note)
        for note_type in self.note_types.values():
            self.html[note_type.id] = declare.html_fields(
                note_type, [note for note in notes if note.note_type_id == note_type.id
                            and not isinstance(self.pictures.get(id(note)), pictures.Picture)])
        if any(FORBIDDEN_CHARACTER.search(note.deck) for note in notes):
            self.messages.append("removed control characters from deck names")
        levels = [[level.strip() for level in FORBIDDEN_CHARACTER.sub("", note.deck).split("::")] for note in notes]
        top = os.path.commonprefix(levels) if levels else []
        if not any(top):
            top = [fallback_name]
            tops = sorted({level[0] for level in levels if level[0]})
            if tops:
                self.messages.append(f"the notes are in {len(tops)} top-level decks ({', '.join(map(repr, tops))}), and a "
                                     f"deck file has one: they go below '{fallback_name}' (new students get "
                                     f"'{fallback_name}::{tops[0]}'; students who have the cards keep them where "
                                     "they are)")
        name = "::".join(top)
        cards: list[Card] = []
        taken: set[str] = set()
        for note, deck in pipeline.each_card(list(zip(notes, levels)), self.progress, "converting notes"):
            subdeck = "::".join(deck[len(top):] if deck[:len(top)] == top else deck)
            reading = self.pictures.get(id(note))
            if isinstance(reading, pictures.Picture):
                card: Card | None = self.picture_card(note, reading, subdeck or None, taken)
            elif note.note_type_id in self.note_types:
                card = self.declared_card(note, subdeck or None, taken, reading)
            elif reading is not None:
                self.messages.append(f"note {note.guid!r}: skipped: a card of deck's image occlusion type, "
                                     f"changed so that no card rebuilds it: {reading}")
                card = None
            else:
                card = self.card(note, subdeck or None, taken)
            cards += [card] if card is not None else []
        self.cards = len(cards)
        self.messages += self.said_of_cards()
        if self.missing:
            names = sorted(self.missing)
            listed = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
            self.messages.append(f"{len(names)} media file{'s' * (len(names) > 1)} the notes use "
                                 f"{'are' if len(names) > 1 else 'is'} not {self.holder}: {listed}; "
                                 f"the cards refer to media/, beside the deck file: put {'them' if len(names) > 1 else 'it'} "
                                 "there")
        if self.retyped:
            kinds = ", ".join(f"{count} {name}" for name, count in sorted(self.retyped.items()))
            self.messages.append(f"the notes with a GUID are of Anki's stock note types ({kinds}), and become cards of "
                                 "deck's here: Anki does not change a note's type on import, so students who have "
                                 "them will not get the changes (it counts them as conflicting); import the deck's "
                                 ".apkg instead, which keeps its note types")
        if self.without_guid:
            self.messages.append(f"{self.without_guid} of {pipeline.count(len(cards), 'card')} "
                                 f"{'has' if self.without_guid == 1 else 'have'} no usable GUID in {self.origin}: Anki "
                                 f"will add {'it as a new note' if self.without_guid == 1 else 'them as new notes'}, "
                                 "beside any copies it already has")
        slug = ids.slug(name.replace("::", " ")) if re.search("[a-z0-9]", name.lower()) else "imported-deck"
        info: dict[str, str | dict[str, str]] = {
            "id": slug, "name": name, "description": self.field("deck description", descriptions.get(name, "")),
            "subdecks": {deck.removeprefix(f"{name}::"): self.field(f"description of subdeck '{deck}'", text)
                         for deck, text in sorted(descriptions.items())
                         if deck.startswith(f"{name}::") and text.strip()}}
        self.messages += [f"note type '{note_type.name}': its templates run scripts in Anki; the deck file says "
                          "'scripts: yes' for it: review them" for note_type in self.note_types.values()
                          if declare.has_scripts(note_type)]
        self.messages += [message for note_type in self.note_types.values()
                          if (message := pictures.type_message(note_type)) is not None]
        declared = [line for key, note_type in self.note_types.items()
                    for line in declare.note_type_lines(self.keys[key], note_type, self.html[key],
                                                        self.template_files(note_type))]
        return yamltext.deck_file(self.origin, info, list(self.sources.values()), declared, cards)

    def about(self, card_id: str, notes: list[str]) -> None:
        for note in notes:
            self.cards_about.setdefault(note, []).append(card_id)

    def said_of_cards(self) -> list[str]:
        """What was said of cards, once for the cards it is said of (a big deck repeats much)."""
        return [f"card '{named[0]}': {note}" if len(named) == 1 else f"{len(named)} cards: {note} "
                f"({', '.join(map(repr, named[:3]))}{f' and {len(named) - 3} more' * (len(named) > 3)})"
                for note, named in self.cards_about.items()]

    def converted(self, note: AnkiNote) -> bool:
        """A package's notes all are; a text file's, of deck's and Anki's stock note types (by name)."""
        return (note.note_type_id in self.note_types or note.note_type_id == IMAGE_OCCLUSION_ID
                or _type_name(note) in CONVERTED)

    def kind(self, note: AnkiNote) -> str:
        """The `kind` of the note's type, when it is one of the package's own (see `AnkiNoteType.kind`)."""
        note_type = self.note_types.get(note.note_type_id)
        return note_type.kind if note_type else ""

    def picture(self, note: AnkiNote) -> pictures.Picture | str:
        """What a picture card keeps of an image occlusion note (its picture copied out), or why none can."""
        try:
            picture = pictures.read([value for _, value in note.fields])
            self.image(picture.image)
        except (Unreadable, ValueError) as error:  # (a picture that cannot be copied: MediaError, a ValueError)
            return str(error)
        return picture

    def picture_card(self, note: AnkiNote, picture: pictures.Picture, subdeck: str | None, taken: set[str]) -> Card:
        """An image occlusion note as a `type: image-occlusion` card; of the package's own note type,
        which students' notes have, when it is not deck's (`note-type`)."""
        notes: list[str] = []
        header = self.field_text("header", picture.header, notes)
        card: Card = {"id": ids.unique(ids.slug(render.plain_text(header) or Path(picture.image).stem), taken),
                      "type": "image-occlusion"}
        card |= {"note-type": self.keys[note.note_type_id]} if note.note_type_id in self.note_types else {}
        card["image"] = self.image(picture.image)
        card |= {"header": header} if header else {}
        card |= {"hide": picture.hide} if picture.hide != "all" else {}
        card["masks"] = picture.masks
        extra = self.field_text("extra", picture.extra, notes)
        card |= {"extra": extra} if extra else {}
        notes += self.tags_and_deck(note, subdeck, card)
        card |= self.citation(picture.comments, notes) if picture.comments else {}
        self.about(str(card["id"]), notes)
        return card

    def declared_card(self, note: AnkiNote, subdeck: str | None, taken: set[str], why: str | None = None) -> Card:
        """A note of the package's own note type: every field as it is, in its field's format; `why`
        it is not a picture card, when it is an image occlusion note."""
        note_type = self.note_types[note.note_type_id]
        # (An image occlusion note sorts by its masks' syntax: its header names it better.)
        named = _HEADER if note_type.kind == "image-occlusion" else note_type.sort_field
        first = note.fields[named][1] if named < len(note.fields) else ""
        card: Card = {"id": ids.unique(ids.slug(render.plain_text(first or note.fields[0][1])), taken),
                      "type": self.keys[note_type.id]}
        notes = [f"kept as its fields, not as a picture card: {why}"] if why else []
        notes += self.tags_and_deck(note, subdeck, card)
        fields: dict[str, str] = {}
        for name, value in note.fields:
            if not value:
                continue
            if name in self.html[note_type.id]:
                found: list[render.Finding] = []
                value = htmlfields.pack_media(value, self.image, self.sound, found)
                value = SOUND.sub(lambda match: f"[sound:{self.kept(match.group(1), self.media.sound, notes)}]", value)
                # (the check of the written file reports active content and remote pictures where they are)
                notes += [f"{name}: {finding.message}" for finding in found if finding.code != "remote-image"]
                fields[name] = value
            else:
                fields[name] = self.field_text(name, value, notes)
        card["fields"] = fields
        made = [self.kept(name, self.media.image, notes) for name in note.made]
        card |= {"media": made} if made else {}
        self.about(str(card["id"]), notes)
        return card

    def template_files(self, note_type: AnkiNoteType) -> list[str]:
        """The package's files named with a leading '_' (which Anki keeps for templates) that the note
        type's templates or CSS name, as paths beside the output; each that cannot be kept is reported."""
        used = note_type.css + "".join(front + back for _, front, back in note_type.templates)
        names = sorted(path.name for path in self.media.root.iterdir() if path.name.startswith("_") and path.name in used)
        notes: list[str] = []
        paths = [self.kept(name, self.media.template_file, notes) for name in names]
        self.messages += [f"note type '{note_type.name}': {message}" for message in notes]
        return [path for path in paths if path.startswith("media/")]

    def tags_and_deck(self, note: AnkiNote, subdeck: str | None, card: Card) -> list[str]:
        """The note's tags, deck and GUID on `card`; what cannot be kept, in words."""
        tags = [tag for tag in note.tags if _valid(_TAG, tag)]
        card |= {"tags": tags} if tags else {}
        card |= {"deck": subdeck} if subdeck else {}
        if note.guid and _valid(_GUID, note.guid):
            card["guid"] = note.guid
        else:
            self.without_guid += 1
        split = [f"some of its cards are in {', '.join(repr(deck) for deck in note.other_decks)}: a card's deck is its "
                 f"note's in a deck file, so new students get them in '{note.deck}'"] if note.other_decks else []
        return split + [f"dropped tag '{tag}': Anki would not keep it as it is (a space, a '\"', an empty level)"
                        for tag in note.tags if tag not in tags]

    def kept(self, name: str, check: Callable[[str], str], notes: list[str]) -> str:
        """A media file's path beside the output, or its name as it was (and why) when it cannot be copied."""
        try:
            return self.file(name, check)
        except ValueError as error:
            notes.append(f"'{name}' is not kept: {error}")
            return name

    def field_text(self, label: str, html: str, notes: list[str]) -> str:
        converted = self.markdown.get(html) or self.markdown.setdefault(html, to_markdown(html, self.image))
        notes += [f"{label}: {change}" for change in converted.changes]
        return converted.markdown

    def card(self, note: AnkiNote, subdeck: str | None, taken: set[str]) -> Card | None:
        """One note of deck's note types or Anki's stock ones as a card's keys, or None (and a
        message) when it cannot be one."""
        kind, roles = CONVERTED[_type_name(note)]
        values = dict(zip(roles, (value for _, value in note.fields)))
        notes = [f"dropped field '{name}'" for name, value in note.fields[len(roles):] if value.strip()]
        if values.pop("reverse", "").strip():
            kind = "reversed"
        prompt = render.plain_text(values.get("question") or values.get("text") or "")
        label = f"row at line {note.line}" if note.line and not prompt else f"note {note.guid or prompt[:40]!r}"
        sounds = [sound for value in values.values() for sound in SOUND.findall(value)]
        values = {role: SOUND.sub("", value) for role, value in values.items()}
        card: Card = {"type": kind} if kind != "basic" else {}
        for role in ("question", "answer", "text", "extra"):
            markdown = self.field_text(role, values.get(role, ""), notes)
            card |= {role: markdown} if markdown else {}
        missing = [role for role in (("text",) if kind == "cloze" else ("question", "answer")) if role not in card]
        if missing:  # (what conversion dropped from it, if anything, is why)
            self.messages += [f"{label}: skipped: its {' and '.join(missing)} is empty"] + [f"{label}: {note}" for note in notes]
            return None
        named = prompt or render.plain_text(values.get("answer") or values.get("extra") or "")  # (a picture's question)
        card["id"] = ids.unique(ids.slug(named), taken)
        notes += self.tags_and_deck(note, subdeck, card)
        if "guid" in card and _type_name(note) not in _DECK_TYPE_NAMES:
            self.retyped[note.note_type] = self.retyped.get(note.note_type, 0) + 1
        card |= self.citation(values["source"], notes) if values.get("source", "").strip() else {}
        notes += [f"dropped text beside the sound: {values['audio']!r}"] if values.get("audio", "").strip() else []
        for number, sound in enumerate(sounds):
            try:
                if number:
                    raise ValueError("a card plays one sound")
                card["audio"] = self.sound(sound)
            except ValueError as error:
                notes.append(f"dropped sound '{sound}': {error}")
        self.about(str(card["id"]), notes)
        return card

    def field(self, label: str, html: str) -> str:
        notes: list[str] = []
        markdown = self.field_text(label, html, notes)
        self.messages += notes
        return markdown

    def image(self, name: str) -> str:
        return self.file(name, self.media.image)

    def sound(self, name: str) -> str:
        return self.file(name, self.media.sound)

    def file(self, name: str, check: Callable[[str], str]) -> str:
        """The path to a media file as it will be beside the output; ValueError if it cannot be.
        A file `origin` lacks keeps that path, so the card uses it once it is put there (the build
        stops at it until then, saying where)."""
        if not (self.media.root / name).is_file():
            if not re.fullmatch(r"[^/\\]+", name) or name in (".", ".."):
                raise ValueError(f"'{name}' is not {self.holder}")
            anki_name(name)  # (a name Anki would not take is reported now, not once the file is there)
            self.missing.add(name)
            return f"media/{name}"
        return "media/" + check(name)  # MediaError is a ValueError

    def citation(self, html: str, notes: list[str]) -> dict[str, str]:
        """The `source:` key for a citation that deck rendered, with its entry in `sources:`."""
        if html not in self.sources:
            parts = citation_parts(html)
            if parts is None:
                notes.append(f"dropped its Source field, which deck cannot rebuild: {render.plain_text(html)!r}")
                return {}
            keys = {key for key, _ in self.sources.values()}
            self.sources[html] = (ids.unique(ids.slug(str(parts["title"])), keys), parts)
        return {"source": self.sources[html][0]}


def _type_name(note: AnkiNote) -> str:
    """The name of a note's type: deck's own by its id, else as the note names it."""
    return _DECK_TYPE_IDS.get(note.note_type_id, note.note_type)


def _valid(adapter: TypeAdapter, value: str) -> bool:
    try:
        adapter.validate_python(value)
    except ValidationError:
        return False
    return True
