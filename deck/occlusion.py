"""An image occlusion card's masks -> Anki's Occlusion field, and the cards Anki makes of them.

Anki keeps a note's masks in its Occlusion field as cloze deletions, one a shape:
`{{c1::image-occlusion:rect:left=.05:top=.1:width=.25:height=.12:oi=1}}`. The number is the card the
shape is asked on, and `oi=1` ("occlude inactive") covers it on the other cards too (`hide: all`).
Numbers are written as Anki's editor writes them (ts/routes/image-occlusion/shapes): at most four
places, no leading zero; an ellipse by its box's corner and its radii.
"""

from __future__ import annotations

from deck.cards import ImageOcclusionCard, Mask


def numbers(card: ImageOcclusionCard) -> list[int]:
    """Each mask's card number: its `card`, or else the first number no mask takes, in order, so
    that a mask without one is asked on a card of its own."""
    taken = {mask.card for mask in card.masks if mask.card is not None}
    free = (number for number in range(1, len(card.masks) + len(taken) + 1) if number not in taken)
    return [mask.card if mask.card is not None else next(free) for mask in card.masks]


def ords(card: ImageOcclusionCard) -> tuple[int, ...]:
    """The cards Anki makes of the note, as cloze numbers - 1 (see `fields.Note.ords`)."""
    return tuple(sorted({number - 1 for number in numbers(card)}))


def field(card: ImageOcclusionCard) -> str:
    """The note's Occlusion field."""
    covers = ":oi=1" if card.hide == "all" else ""
    return "".join(f"{{{{c{number}::image-occlusion:{_shape(mask)}{covers}}}}}"
                   for number, mask in zip(numbers(card), card.masks))


def _shape(mask: Mask) -> str:
    if mask.points is not None:
        return "polygon:points=" + " ".join(f"{_number(x)},{_number(y)}" for x, y in mask.points)
    left, top, width, height = mask.box()
    if mask.shape == "ellipse":
        size = f"rx={_number(width / 2)}:ry={_number(height / 2)}"
    else:
        size = f"width={_number(width)}:height={_number(height)}"
    return f"{mask.shape}:left={_number(left)}:top={_number(top)}:{size}"


def _number(value: float) -> str:
    """0.05 -> '.05', 1.0 -> '1', as Anki's editor writes a fraction."""
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return text if text == "0" else text.removeprefix("0")
