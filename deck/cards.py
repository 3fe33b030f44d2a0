"""The data model of a deck file: plain data, validated by pydantic, with no I/O.

The validator (`deck.validate`) turns pydantic's errors into located problems, so the messages a
user sees come from there; the shapes and patterns here are the single definition of the format.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Discriminator, Field, StringConstraints, Tag, model_validator

from deck import urls

# An id is part of every note's identity in Anki: readable, stable, safe in any file name.
SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN)]
# Any text that is not blank.
Text = Annotated[str, StringConstraints(pattern=r"\S")]
# A tag as Anki keeps it (rslib/src/tags/register.rs): Anki splits tags on white space and drops '"' and
# control characters; '::' separates levels, and no level may be empty. A single ':' is text ('anatomy:skin').
_TAG_TEXT = r'[^\s":\x00-\x1f\x7f]+'
_TAG_LEVEL = f":?{_TAG_TEXT}(?::{_TAG_TEXT})*"
TagName = Annotated[str, StringConstraints(pattern=f"^{_TAG_LEVEL}(?:::{_TAG_LEVEL})*:?$")]


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
    "mask-overlap",
    "single-mask",
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
    # Each subdeck's description, by its name below the deck ('Verbs', 'Verbs::Irregular'): Anki replaces a
    # deck's description with the package's on every import, so a migrated deck keeps its subdecks' own.
    subdecks: dict[DeckPath, Text] = Field(default_factory=dict)
    lint: LintSettings = Field(default_factory=LintSettings)


class Source(_Strict):
    title: Text
    author: Text | None = None
    publisher: Text | None = None
    date: Text | None = None
    url: Link | None = None
    note: Text | None = None  # printed under the citation on every card citing it, e.g. a disclaimer


class _Note(_Strict):
    """What every card has, whatever its note type."""

    id: Slug
    tags: list[TagName] = Field(default_factory=list)
    deck: DeckPath | None = None
    guid: Guid | None = None  # kept from an imported deck; otherwise derived from deck id + card id
    # None for none (not a LintSettings made for each card: a third of validating a big deck).
    lint: LintSettings | None = None


class _Card(_Note):
    """A card of one of deck's built-in note types."""

    extra: Text | None = None
    source: Slug | None = None
    audio: Text | None = None  # a sound file beside the deck file, played on the back


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


# A place on a picture, as Anki keeps it: a fraction of the picture's width or height, 0 to 1.
Fraction = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
_BOX_KEYS = ("left", "top", "width", "height")


class Mask(_Strict):
    """One covered part of an image occlusion card's picture: a rectangle or ellipse by its box (an
    ellipse fills its box), or a polygon by its corners; `card` asks it with the other masks of that
    number (by default, a card of its own)."""

    shape: Literal["rect", "ellipse", "polygon"]
    left: Fraction | None = None
    top: Fraction | None = None
    width: Fraction | None = None
    height: Fraction | None = None
    points: list[tuple[Fraction, Fraction]] | None = None
    card: Annotated[int, Field(ge=1, le=500)] | None = None  # (Anki makes at most 500 cards of a note)

    def box(self) -> tuple[float, float, float, float]:
        """A rect's or an ellipse's left, top, width and height (a valid one has all four)."""
        assert self.left is not None and self.top is not None and self.width is not None and self.height is not None
        return self.left, self.top, self.width, self.height

    @model_validator(mode="after")
    def _inside_the_picture(self) -> Mask:
        box = [getattr(self, key) for key in _BOX_KEYS]
        if self.shape == "polygon":
            if self.points is None:
                raise ValueError("a polygon mask needs 'points': [[x, y], ...], three or more corners")
            if len(self.points) < 3:
                raise ValueError(f"a polygon mask needs three or more points, not {len(self.points)}")
            if any(value is not None for value in box):
                raise ValueError("a polygon mask has 'points', not " + ", ".join(_BOX_KEYS))
            return self
        if self.points is not None:
            raise ValueError(f"a {self.shape} mask has left, top, width and height, not 'points'")
        missing = [key for key, value in zip(_BOX_KEYS, box) if value is None]
        if missing:
            raise ValueError(f"a {self.shape} mask needs {', '.join(missing)} (fractions of the picture, 0 to 1)")
        left, top, width, height = box
        if not (width and height):
            raise ValueError(f"a {self.shape} mask needs a width and height above 0")
        for start, size, edge in ((left, width, "right"), (top, height, "bottom")):
            if start + size > 1 + 1e-9:  # (written to 4 places, as Anki does: no rounding makes 1.0000001)
                raise ValueError(f"the mask reaches past the picture's {edge} edge ({start:g} + {size:g} is over 1)")
        return self


class ImageOcclusionCard(_Note):
    """A picture with parts covered, Anki's own image occlusion note: one card per mask number."""

    type: Literal["image-occlusion"]
    image: Text
    header: Text | None = None  # Markdown, above the picture
    # all: every mask covers its part on every card, one is asked; one: only the asked masks cover.
    hide: Literal["all", "one"] = "all"
    masks: list[Mask] = Field(min_length=1)
    extra: Text | None = None
    source: Slug | None = None
    # A note type the deck declares with `kind: image-occlusion` (an imported deck's, which students'
    # notes have); deck's own image occlusion type when absent.
    note_type: Text | None = Field(None, alias="note-type")


class NoteCard(_Note):
    """A card of a note type the deck declares under `note-types`: `type` names it, and `fields`
    gives its fields by name (a field left out is empty)."""

    type: Text
    fields: dict[str, str]
    media: list[Text] = Field(default_factory=list)  # files Anki makes from its fields (LaTeX pictures), packed


BuiltInCard = BasicCard | ReversedCard | ClozeCard | TypeInCard  # the built-in cards of text
CARD_TYPES: dict[str, type[BuiltInCard | ImageOcclusionCard]] = {
    "basic": BasicCard, "reversed": ReversedCard, "cloze": ClozeCard, "type-in": TypeInCard,
    "image-occlusion": ImageOcclusionCard,
}


def card_type(data: object) -> str | None:
    """The card model a raw card mapping asks for: a built-in `type` (basic when it is absent), or
    "note" for any other name, which must be one of the deck's note types (see `Deck`)."""
    if isinstance(data, dict):
        kind = data.get("type", "basic")
        return (kind if kind in CARD_TYPES else "note") if isinstance(kind, str) else None
    return "note" if isinstance(data, NoteCard) else getattr(data, "type", None)


Card = Annotated[
    Annotated[BasicCard, Tag("basic")]
    | Annotated[ReversedCard, Tag("reversed")]
    | Annotated[ClozeCard, Tag("cloze")]
    | Annotated[TypeInCard, Tag("type-in")]
    | Annotated[ImageOcclusionCard, Tag("image-occlusion")]
    | Annotated[NoteCard, Tag("note")],
    Discriminator(card_type),
]

# An Anki id, as digits (every value in a deck file is text): a positive 64-bit number.
AnkiId = Annotated[str, StringConstraints(pattern=r"^[1-9][0-9]{0,17}$")]
# A field name Anki accepts in templates: no ':', '{', '}' or '"', not starting with '#', '/' or '^'.
FieldName = Annotated[str, StringConstraints(pattern=r'^[^#/^:{}"\s](?:[^:{}"]*[^:{}"\s])?$')]


class NoteField(_Strict):
    """A field with more than a name: `format: html` keeps its text as HTML, where Markdown could not
    say it exactly (imported decks); sanitised like any field."""

    name: FieldName
    format: Literal["markdown", "html"] = "markdown"


class Template(_Strict):
    """One card of each note: its name, and its two sides in Anki's template language."""

    name: Text
    front: Text
    back: str


class NoteTypeSpec(_Strict):
    """A note type a deck declares: Anki's own shape of one, with the id students' notes have."""

    id: AnkiId
    name: Text | None = None  # its name in Anki, when not the key that cards give as their `type`
    # image-occlusion: Anki's own image occlusion kind (a cloze type whose five fields are, in order, the
    # masks, the picture, the header, the back extra and the comments), which Anki's editor edits as such.
    kind: Literal["standard", "cloze", "image-occlusion"] = "standard"
    fields: list[FieldName | NoteField] = Field(min_length=1)
    templates: list[Template] = Field(min_length=1)
    css: str = ""
    sort_field: FieldName | None = Field(None, alias="sort-field")  # the first field when absent
    latex_pre: Text | None = Field(None, alias="latex-pre")  # LaTeX around a field's [latex] (Anki's default
    latex_post: Text | None = Field(None, alias="latex-post")  # when absent)
    # Whether its templates may run scripts in Anki (shared decks' often do): said explicitly, or refused.
    scripts: Literal["yes", "no"] = "no"
    # Files its templates or CSS use, packed with the deck: a font by @font-face, a background picture.
    media: list[Text] = Field(default_factory=list)

    def field_names(self) -> list[str]:
        return [item if isinstance(item, str) else item.name for item in self.fields]


class Deck(_Strict):
    """A whole deck file: the deck, its bibliography, its own note types and its cards."""

    deck: DeckInfo
    sources: dict[Slug, Source] = {}
    note_types: dict[Text, NoteTypeSpec] = Field(default_factory=dict, alias="note-types")
    cards: list[Card]
    # More deck files whose sources and cards join this file's, in order (paths relative to it).
    include: list[Text] = Field(default_factory=list)
