"""Image occlusion notes of a package -> the keys of `type: image-occlusion` cards, for `deck import`.

A note becomes a picture card only when the card rebuilds it exactly: its masks as Anki draws them
(`deck.interop.occlusion` reads them, `deck.occlusion` must write back the same shapes), its Image
field one picture as Anki's editor writes it, its Header and Back Extra Markdown that renders back to
exactly their HTML, and its Comments empty or a citation deck made (the card's `source`). Anything
else is `Unreadable`, with the reason; the importer keeps such a note as its fields, or reports it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from html import escape, unescape

from pydantic import ValidationError

from deck import occlusion
from deck.cards import ImageOcclusionCard
from deck.interop import occlusion as reading
from deck.interop.apkg import AnkiNoteType
from deck.interop.declare import exact_in_markdown
from deck.interop.interchange import citation_parts
from deck.interop.occlusion import Mask, Unreadable
from deck.notetypes import STOCK_KIND_IMAGE_OCCLUSION

# The card key each field of an image occlusion note comes from, in Anki's order.
KEYS = ("masks", "image", "header", "extra", "source")
_IMAGE = re.compile(r'<img src="([^"<>]+)">')  # as Anki's editor and deck write the Image field
# The fields by which the Image Occlusion Enhanced add-on finds its own note type (it has no other mark).
_ENHANCED_FIELDS = frozenset({"Question Mask", "Answer Mask", "Original Mask"})


@dataclass(frozen=True)
class Picture:
    """What a picture card keeps of a note: the picture's file name in the package, the masks, and
    the Header, Back Extra and Comments fields' HTML (each known to convert exactly)."""

    image: str
    hide: str
    masks: list[Mask]
    header: str
    extra: str
    comments: str


def type_message(note_type: AnkiNoteType) -> str | None:
    """Why the notes of a note type made for pictures are kept as their fields, not as picture cards;
    None for every other type."""
    if _ENHANCED_FIELDS <= set(note_type.fields):
        return (f"note type '{note_type.name}' is the Image Occlusion Enhanced add-on's: its notes are kept as "
                "their fields, with their SVG masks as media, as the add-on made them; deck does not read the "
                "add-on's masks into picture cards")
    if note_type.stock_kind == STOCK_KIND_IMAGE_OCCLUSION and note_type.kind != "image-occlusion":
        return (f"note type '{note_type.name}' was made from Anki's image occlusion type, but its fields differ from "
                "it: its notes are kept as their fields, not as picture cards")
    return None


def read(fields: list[str]) -> Picture:
    """The picture card of an image occlusion note's five fields (in Anki's order); Unreadable, with
    the reason, when a card would not rebuild the note exactly."""
    masks_field, image, header, extra, comments = fields
    hide, masks = occlusions(masks_field)
    match = _IMAGE.fullmatch(image)
    if match is None or escape(unescape(match.group(1))) != match.group(1):
        raise Unreadable(f"the Image field is not one picture as Anki's editor writes it: {json.dumps(image[:60])}")
    for name, value in (("Header", header), ("Back Extra", extra)):
        if not exact_in_markdown(value):
            raise Unreadable(f"its {name} field has HTML that Markdown cannot say exactly")
    if comments and citation_parts(comments) is None:
        raise Unreadable("its Comments field is not a citation of a source (deck's picture cards keep their "
                         "source there)")
    return Picture(unescape(match.group(1)), hide, masks, header, extra, comments)


def occlusions(field: str) -> tuple[str, list[Mask]]:
    """A card's `hide` and `masks` for an Occlusion field, each mask's `card` only where needed;
    Unreadable when a card would not give back the same shapes."""
    read_masks = reading.read(field)
    try:
        card = ImageOcclusionCard.model_validate(
            {"id": "picture", "type": "image-occlusion", "image": "picture", "hide": read_masks.hide,
             "masks": read_masks.masks})
    except ValidationError as error:
        reasons = "; ".join(detail["msg"].removeprefix("Value error, ") for detail in error.errors())
        raise Unreadable(f"a mask deck cannot hold: {reasons}") from None
    if reading.read(occlusion.field(card)) != read_masks:
        raise Unreadable("a mask's place is given to more than the 4 places that Anki's editor and deck write")
    return read_masks.hide, _numbered(card, read_masks.masks)


def _numbered(card: ImageOcclusionCard, masks: list[Mask]) -> list[Mask]:
    """The masks, each without its `card` number where the mask gets that number without it."""
    wanted = occlusion.numbers(card)
    kept = list(card.masks)
    for number, mask in enumerate(kept):
        plain = [*kept[:number], mask.model_copy(update={"card": None}), *kept[number + 1:]]
        if occlusion.numbers(card.model_copy(update={"masks": plain})) == wanted:
            kept = plain
    return [{key: value for key, value in read.items() if key != "card" or mask.card is not None}
            for read, mask in zip(masks, kept)]
