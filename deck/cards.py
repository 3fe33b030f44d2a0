"""The data model of a deck file: plain data, validated by pydantic, with no I/O.

The validator (`deck.validate`) turns pydantic's errors into located problems, so the messages a
user sees come from there; the shapes and patterns here are the single definition of the format.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Discriminator, Field, StringConstraints, Tag

from deck import urls

# An id is part of every note's identity in Anki: readable, stable, safe in any file name.
SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN)]
# Any text that is not blank.
Text = Annotated[str, StringConstraints(pattern=r"\S")]
# Anki splits tags on white space; '::' separates levels, so no level may be empty.
TagName = Annotated[str, StringConstraints(pattern=r"^[^\s:]+(?:::[^\s:]+)*$")]


def _deck_path(name: str) -> str:
    """'A :: B' -> 'A::B', as Anki stores it; a blank level ('A::::B', 'A::') is an error."""
    levels = [level.strip() for level in name.split("::")]
    if not all(levels):
        raise ValueError("a deck name has a blank level")
    return "::".join(levels)


# A deck path: one or more names joined by '::'.
DeckPath = Annotated[str, AfterValidator(_deck_path)]


def _link(url: str) -> str:
    """An address a card may link to (`deck.urls`: http, https or mailto)."""
    if (why := urls.refusal(url)) is not None:
        raise ValueError(why)
    return url


Link = Annotated[Text, AfterValidator(_link)]


# An Anki note GUID kept from another tool: printable ASCII without spaces (Anki's own are base91).
Guid = Annotated[str, StringConstraints(pattern=r"^[!-~]{1,64}$")]

# The card-quality rules of `deck lint`, by id: part of the format, since files name them to
# turn them off. `deck.lint` implements exactly these.
LINT_RULES = (
    "answer-too-long",
    "enumeration",
    "question-gives-answer",
    "yes-no-question",
    "near-duplicate",
    "cloze-too-long",
    "cloze-gap",
    "missing-source",
    "dangling-markdown",
)
LintRule = Literal[LINT_RULES]  # type: ignore[valid-type]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LintSettings(_Strict):
    """`lint: {disable: [rule, ...]}` on the deck (every card) or on one card."""

    disable: list[LintRule] = Field(default_factory=list)


class DeckInfo(_Strict):
    id: Slug
    name: DeckPath
    description: Text | None = None
    lint: LintSettings = Field(default_factory=LintSettings)


class Source(_Strict):
    title: Text
    author: Text | None = None
    publisher: Text | None = None
    date: Text | None = None
    url: Link | None = None


class _Card(_Strict):
    id: Slug
    extra: Text | None = None
    tags: list[TagName] = Field(default_factory=list)
    source: Slug | None = None
    deck: DeckPath | None = None
    audio: Text | None = None  # a sound file beside the deck file, played on the back
    guid: Guid | None = None  # kept from an imported deck; otherwise derived from deck id + card id
    # None for none (not a LintSettings made for each card: a third of validating a big deck).
    lint: LintSettings | None = None


class BasicCard(_Card):
    type: Literal["basic"] = "basic"
    question: Text
    answer: Text


class ReversedCard(_Card):
    """Two cards in Anki: question -> answer and answer -> question."""

    type: Literal["reversed"]
    question: Text
    answer: Text


class ClozeCard(_Card):
    type: Literal["cloze"]
    text: Text


class TypeInCard(_Card):
    """The student types the answer and Anki compares it with `answer`."""

    type: Literal["type-in"]
    question: Text
    answer: Text


CARD_TYPES: dict[str, type[BasicCard | ReversedCard | ClozeCard | TypeInCard]] = {
    "basic": BasicCard, "reversed": ReversedCard, "cloze": ClozeCard, "type-in": TypeInCard,
}


def card_type(data: object) -> str | None:
    """The card kind a raw card mapping asks for: `type`, or basic when it is absent."""
    if isinstance(data, dict):
        kind = data.get("type", "basic")
        return kind if isinstance(kind, str) and kind in CARD_TYPES else None
    return getattr(data, "type", None)


Card = Annotated[
    Annotated[BasicCard, Tag("basic")]
    | Annotated[ReversedCard, Tag("reversed")]
    | Annotated[ClozeCard, Tag("cloze")]
    | Annotated[TypeInCard, Tag("type-in")],
    Discriminator(card_type),
]


class Deck(_Strict):
    """A whole deck file: the deck, its bibliography and its cards."""

    deck: DeckInfo
    sources: dict[Slug, Source] = {}
    cards: list[Card]
    # More deck files whose sources and cards join this file's, in order (paths relative to it).
    include: list[Text] = Field(default_factory=list)
