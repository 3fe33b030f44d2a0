"""Validated cards -> Anki notes: every field rendered to HTML, every problem in it located.

The note types' field lists (`deck.notetypes`) decide the order: Front, Back (or Text), Extra,
Source, Audio. Media the fields reference are collected in `media` for the package.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from deck import cloze, render
from deck.cards import CARD_TYPES, Card, ClozeCard, Source
from deck.media import Media, MediaError
from deck.nodes import Document, Mapping, Scalar
from deck.notetypes import NOTE_TYPES
from deck.problems import Problem


class Note(NamedTuple):
    """One Anki note, its fields already HTML, in the order of its note type's fields. (A named
    tuple: 0.02 s less than a frozen dataclass for 30,000 notes.)"""

    card_id: str
    kind: str  # a key of notetypes.NOTE_TYPES
    fields: tuple[str, ...]
    tags: tuple[str, ...]
    subdeck: str | None  # below the deck's own name, levels joined by '::'
    ords: tuple[int, ...]  # of its cards: template numbers, or cloze numbers - 1 (from 0, as Anki counts)


def ords(card: Card) -> tuple[int, ...]:
    """The cards Anki makes of a card's note (see `Note.ords`)."""
    if isinstance(card, ClozeCard):
        return tuple(sorted(number - 1 for number in cloze.cloze_numbers(card.text)))
    return _TEMPLATE_ORDS[card.type]


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
    problems: list[Problem] = field(default_factory=list)
    _citations: dict[str | None, str] = field(default_factory=dict)

    def note(self, card: Card, node: Mapping) -> Note:
        texts, sound = self._fields(card, node, html=True)
        return Note(card.id, card.type, (*texts, self._citation(card.source), sound), tuple(card.tags), card.deck,
                    ords(card))

    def check(self, card: Card, node: Mapping) -> None:
        """What `note` reports, without making the HTML: for checking alone."""
        self._fields(card, node, html=False)

    def _fields(self, card: Card, node: Mapping, html: bool) -> tuple[list[str], str]:
        """The card's Markdown fields in their note type's order ('' where absent, see `_TEXT_FIELDS`),
        and its Audio field, each checked where it is."""
        label = f"card '{card.id}'"
        texts = []
        for name in _TEXT_FIELDS[type(card)]:
            text = getattr(card, name) or ""
            # Most fields are plain text with no cloze deletion to report: their own HTML.
            plain = not text or (name != "text" and "{{" not in text and render.PLAIN.fullmatch(text))
            texts.append(text if plain else self.render(label, node, name, text, html))
        return texts, self._sound(label, node, card.audio)

    def _citation(self, key: str | None) -> str:
        """The Source field for a card citing `key`: rendered once per source, as most cards cite one."""
        if key not in self._citations:
            cited = self.sources.get(key) if key else None
            self._citations[key] = (render.citation(cited.title, cited.author, cited.publisher, cited.date, cited.url)
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

    def render(self, label: str, node: Mapping, name: str, text: str, html: bool = True) -> str:
        """One field as HTML (without `html`, '' unless it is its own HTML); what it holds that Anki
        must not see is reported where it is."""
        if html:
            rendered, findings = render.to_html(text, self.media.image)
        else:
            rendered, findings = "", render.findings(text, self.media.image)
        findings += cloze.check_cloze(text) if name == "text" else cloze.check_not_cloze(text, name)
        for finding in findings:
            self._report(node, name, finding.code, f"{label}: {finding.message}", finding.snippet)
        return rendered

    def _sound(self, label: str, node: Mapping, reference: str | None) -> str:
        if reference is None:
            return ""
        try:
            return f"[sound:{self.media.sound(reference)}]"
        except MediaError as error:
            self._report(node, "audio", "media", f"{label}: {error}", None)
            return ""

    def _report(self, node: Mapping, name: str, code: str, message: str, snippet: str | None) -> None:
        line, column = self.document.locate(node.pairs[name][1], snippet)
        self.problems.append(self.document.problem(line, column, code, message))
