"""Validated cards -> Anki notes: every field rendered to HTML, every problem in it located.

The note types' field lists (`deck.notetypes`) decide the order: for the built-in types Front, Back
(or Text), Extra, Source, Audio; for a deck's own, its declared fields. Media the fields reference
are collected in `media` for the package.
"""

from __future__ import annotations

import re
from collections.abc import Mapping as Map
from dataclasses import dataclass, field
from html import escape
from typing import NamedTuple

from deck import cloze, htmlfields, occlusion, render
from deck.cards import CARD_TYPES, BuiltInCard, Card, ClozeCard, ImageOcclusionCard, NoteCard, NoteTypeSpec, Source
from deck.media import Media, MediaError
from deck.nodes import Document, Mapping, Node, Scalar, Sequence
from deck.notetypes import NOTE_TYPES, NoteType, card_ords
from deck.problems import Problem

# A sound in a field of a deck's own note type, as Anki writes it: [sound:path beside the deck].
SOUND = re.compile(r"\[sound:([^\]]+)\]")


class Note(NamedTuple):
    """One Anki note, its fields already HTML, in the order of its note type's fields. (A named
    tuple: 0.02 s less than a frozen dataclass for 30,000 notes.)"""

    card_id: str
    kind: str  # its note type: a built-in `type` (a key of notetypes.NOTE_TYPES) or a deck's own type's name
    fields: tuple[str, ...]
    tags: tuple[str, ...]
    subdeck: str | None  # below the deck's own name, levels joined by '::'
    ords: tuple[int, ...]  # of its cards: template numbers, or cloze numbers - 1 (from 0, as Anki counts)


def ords(card: Card, note_types: Map[str, NoteType] = NOTE_TYPES) -> tuple[int, ...]:
    """The cards Anki makes of a card's note (see `Note.ords`); `note_types` by card `type`."""
    if isinstance(card, NoteCard):
        note_type = note_types[card.type]
        numbers = set().union(*map(cloze.cloze_numbers, card.fields.values())) if note_type.cloze else set()
        return card_ords(note_type, tuple(card.fields.get(name, "") for name in note_type.fields), tuple(card.tags),
                         numbers)
    if isinstance(card, ClozeCard):
        return tuple(sorted(number - 1 for number in cloze.cloze_numbers(card.text)))
    if isinstance(card, ImageOcclusionCard):
        return occlusion.ords(card)
    return _TEMPLATE_ORDS[card.type]


def note_type_key(card: Card) -> str:
    """The key of the card's note type (see `Note.kind`): its `type`, or a picture card's `note-type`."""
    return (card.note_type or card.type) if isinstance(card, ImageOcclusionCard) else card.type


_TEMPLATE_ORDS = {kind: tuple(range(len(note_type.templates))) for kind, note_type in NOTE_TYPES.items()}


# The Markdown fields of each card type, in the order of its note type's fields.
_TEXT_FIELDS: dict[type, list[str]] = {
    model: [name for name in ("question", "answer", "text", "extra") if name in model.model_fields]
    for model in CARD_TYPES.values()
}


@dataclass
class Fields:
    """Renders the fields of one deck file, collecting problems and media as it goes."""

    document: Document
    sources: dict[str, Source]
    media: Media
    note_types: Map[str, NoteType] = field(default_factory=lambda: NOTE_TYPES)  # by card `type`
    problems: list[Problem] = field(default_factory=list)
    _citations: dict[str | None, str] = field(default_factory=dict)

    def note(self, card: Card, node: Mapping) -> Note:
        if isinstance(card, NoteCard):
            return self._declared(card, node, html=True)
        if isinstance(card, ImageOcclusionCard):
            return self._occlusion(card, node, html=True)
        texts, sound = self._fields(card, node, html=True)
        return Note(card.id, card.type, (*texts, self._citation(card.source), sound), tuple(card.tags), card.deck,
                    ords(card))

    def template_media(self, specs: dict[str, NoteTypeSpec]) -> None:
        """The files that note types' templates or CSS use (`media:`), packed with the notes'; what
        cannot be is reported at its entry."""
        for key, spec in specs.items():
            for number, reference in enumerate(spec.media):
                try:
                    self.media.template_file(reference)
                except MediaError as error:
                    listed = self.document.root.pairs["note-types"][1].pairs[key][1].pairs["media"][1]  # type: ignore[union-attr]
                    line, column = self.document.locate(listed.items[number] if isinstance(listed, Sequence) else listed)
                    self.problems.append(self.document.problem(line, column, "media", f"note type '{key}': {error}"))

    def check(self, card: Card, node: Mapping) -> None:
        """What `note` reports, without making the HTML: for checking alone."""
        if isinstance(card, NoteCard):
            self._declared(card, node, html=False)
        elif isinstance(card, ImageOcclusionCard):
            self._occlusion(card, node, html=False)
        else:
            self._fields(card, node, html=False)

    def _declared(self, card: NoteCard, node: Mapping, html: bool) -> Note:
        """A card of a deck's own note type: each field rendered in its format (Markdown, or HTML
        kept as written: `deck.htmlfields`), its sounds and pictures packed."""
        note_type = self.note_types[card.type]
        label = f"card '{card.id}'"
        where = node.pairs["fields"][1]
        assert isinstance(where, Mapping)
        texts = []
        for name in note_type.fields:
            text = card.fields.get(name, "")
            if "[sound:" in text:  # (most fields have none)
                text = SOUND.sub(lambda match: f"[sound:{self._sound(label, where, name, *match.group(1, 0))}]", text)
            if name not in note_type.html_fields:
                texts.append(self.render(label, where, name, text, html, note_type.cloze))
                continue
            findings = htmlfields.findings(text)
            texts.append(htmlfields.pack_media(text, self.media.image, self.media.sound, findings))
            for finding in findings:
                self._report(where, name, finding.code, f"{label}: {finding.message}", finding.snippet)
        listed = node.pairs["media"][1] if card.media else node
        for number, path in enumerate(card.media):
            try:
                self.media.image(path)
            except MediaError as error:
                line, column = self.document.locate(listed.items[number] if isinstance(listed, Sequence) else listed)
                self.problems.append(self.document.problem(line, column, "media", f"{label}: {error}"))
        return Note(card.id, card.type, tuple(texts), tuple(card.tags), card.deck, ords(card, self.note_types))

    def _occlusion(self, card: ImageOcclusionCard, node: Mapping, html: bool) -> Note:
        """An image occlusion note, in the fields of Anki's own type: its masks, its picture (packed
        and checked as every picture is), its header and extra, and its source's citation."""
        label = f"card '{card.id}'"
        image = ""
        if render.is_remote(card.image):
            self._report(node, "image", "remote-image", f"{label}: '{card.image}' is an address; an image occlusion "
                         "card's picture is packed with the deck: save the file beside the deck and use its path", None)
        else:
            try:
                image = f'<img src="{escape(self.media.image(card.image))}">'
            except MediaError as error:
                self._report(node, "image", "media", f"{label}: {error}", None)
        texts = [self.render(label, node, name, text, html) if text else "" for name, text in
                 (("header", card.header), ("extra", card.extra))]
        fields = (occlusion.field(card), image, *texts, self._citation(card.source))
        return Note(card.id, note_type_key(card), fields, tuple(card.tags), card.deck, occlusion.ords(card))

    def _fields(self, card: BuiltInCard, node: Mapping, html: bool) -> tuple[list[str], str]:
        """The card's Markdown fields in their note type's order ('' where absent, see `_TEXT_FIELDS`),
        and its Audio field, each checked where it is."""
        label = f"card '{card.id}'"
        texts = []
        for name in _TEXT_FIELDS[type(card)]:
            text = getattr(card, name) or ""
            # Most fields are plain text with no cloze deletion to report: their own HTML.
            plain = not text or (name != "text" and "{{" not in text and render.PLAIN.fullmatch(text))
            texts.append(text if plain else self.render(label, node, name, text, html))
        return texts, "" if card.audio is None else f"[sound:{self._sound(label, node, 'audio', card.audio)}]"

    def _citation(self, key: str | None) -> str:
        """The Source field for a card citing `key`: rendered once per source, as most cards cite one."""
        if key not in self._citations:
            cited = self.sources.get(key) if key else None
            self._citations[key] = (render.citation(cited.title, cited.author, cited.publisher, cited.date, cited.url, cited.note)
                                    if cited else "")
        return self._citations[key]

    def check_text(self, label: str, node: Mapping) -> None:
        """The text fields of a card that is not valid as a whole: their problems are reported too,
        so that fixing the card's shape does not reveal a second round of problems."""
        cloze = isinstance(kind := node.pairs.get("type", (None, None))[1], Scalar) and kind.value == "cloze"
        for name in ("question", "answer", "text", "extra"):
            value = node.pairs.get(name, (None, None))[1]
            if isinstance(value, Scalar) and value.value.strip() and (name != "text" or cloze):
                self.render(label, node, name, value.value, html=False)

    def render(self, label: str, node: Mapping, name: str, text: str, html: bool = True,
               deletions: bool | None = None) -> str:
        """One field as HTML (without `html`, '' unless it is its own HTML); what it holds that Anki
        must not see is reported where it is. `deletions`: whether the field is a cloze field (by
        default, one named 'text'); the deletions of a deck's own cloze type may be in any field."""
        if html:
            rendered, findings = render.to_html(text, self.media.image)
        else:
            rendered, findings = "", render.findings(text, self.media.image)
        if deletions is None:
            findings += cloze.check_cloze(text) if name == "text" else cloze.check_not_cloze(text, name)
        elif deletions:
            findings += cloze.check_cloze(text) if cloze.CLOZE.search(text) else []
        else:
            findings += cloze.check_not_cloze(text, name)
        for finding in findings:
            self._report(node, name, finding.code, f"{label}: {finding.message}", finding.snippet)
        return rendered

    def _sound(self, label: str, node: Mapping, name: str, reference: str, snippet: str | None = None) -> str:
        """The name in Anki of a sound file, reported at the field `name` of `node` when it cannot be packed."""
        try:
            return self.media.sound(reference)
        except MediaError as error:
            self._report(node, name, "media", f"{label}: {error}", snippet)
            return ""

    def _report(self, node: Mapping, name: str, code: str, message: str, snippet: str | None) -> None:
        place: Node = node.pairs[name][1] if name in node.pairs else node
        line, column = self.document.locate(place, snippet)
        self.problems.append(self.document.problem(line, column, code, message))
