"""Anki's image occlusion field -> the masks of an `image-occlusion` card (issue 18), for `deck import`.

Anki keeps a note's masks in its Occlusion field as cloze deletions, one a shape:
`{{c1::image-occlusion:rect:left=.05:top=.1:width=.25:height=.12:oi=1}}`. The number is the card the
shape is asked on (several shapes may share one), and `oi=1` (occlude inactive) covers the shape on
the other cards too: deck's `hide: all`, where no `oi` is `hide: one`. Coordinates are fractions of the
picture's width and height; Anki's editor writes an ellipse as its corner and radii (`rx`, `ry`), read
here as width and height. The syntax is read as Anki's own reviewer and editor read it
(rslib/src/image_occlusion/imageocclusion.rs, ts/routes/image-occlusion/shapes/from-cloze.ts).

What deck's masks cannot hold is refused with the reason (`Unreadable`), never approximated: a text
label, a rotated or coloured shape, coordinates in pixels (older versions of Anki), masks that differ in
`oi`, text beside the shapes.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from deck.problems import shown

Mask = dict[str, str | float | int | list[list[float]]]  # a mask's keys, as the deck file will have them

_SHAPE = re.compile(r"\{\{c(\d+)::image-occlusion:(.*?)\}\}", re.DOTALL)
_BETWEEN = re.compile(r"(?:\s|<br\s*/?>)*", re.IGNORECASE)  # what Anki's editor puts between shapes
_KEYS = {"rect": ("left", "top", "width", "height"), "ellipse": ("left", "top", "width", "height"),
         "polygon": ("points",)}


class Unreadable(ValueError):
    """The field holds something deck's masks cannot say; the message says what, to report."""


@dataclass(frozen=True)
class Occlusions:
    hide: str  # "all" or "one"
    masks: list[Mask]


def read(field: str) -> Occlusions:
    """The masks of an Occlusion field, in its order, each with its card number; Unreadable if not faithful."""
    masks: list[Mask] = []
    flags: set[bool] = set()
    end = 0
    for match in _SHAPE.finditer(field):
        _between(field[end:match.start()])
        end = match.end()
        mask, covers = _shape(match.group(2))
        masks.append(mask | {"card": int(match.group(1))})
        flags.add(covers)
    _between(field[end:])
    if not masks:
        raise Unreadable("the Occlusion field has no shape")
    if len(flags) > 1:
        raise Unreadable("some masks cover the picture on every card (oi=1) and some only on their own")
    return Occlusions("all" if flags == {True} else "one", masks)


def _between(text: str) -> None:
    if not _BETWEEN.fullmatch(text):
        raise Unreadable(f"text beside the shapes in the Occlusion field: '{shown(text.strip()[:40])}'")


def _shape(text: str) -> tuple[Mask, bool]:
    """One shape's `kind:key=value:...` as a mask, and whether it covers on other cards (`oi=1`)."""
    kind, *parts = text.split(":")
    if kind not in _KEYS:
        raise Unreadable(f"a '{shown(kind)}' shape, which deck's masks cannot hold (rect, ellipse, polygon)")
    values: dict[str, str] = {}
    for part in parts:
        key, equals, value = part.partition("=")
        if not equals or key in values:
            raise Unreadable(f"{kind} shape: cannot read '{shown(part)}'")
        values[key] = value
    covers = values.pop("oi", "") == "1"
    if values.pop("angle", "0") not in ("0", ""):
        raise Unreadable(f"a rotated {kind} shape, which deck's masks cannot hold")
    if kind == "ellipse" and "rx" in values and "ry" in values and "width" not in values and "height" not in values:
        values["width"] = str(2 * _fraction(kind, "rx", values.pop("rx")))
        values["height"] = str(2 * _fraction(kind, "ry", values.pop("ry")))
    unknown = sorted(set(values) - set(_KEYS[kind]))
    if unknown:
        raise Unreadable(f"{kind} shape: {shown(', '.join(unknown))} cannot be kept in a mask")
    mask: Mask = {"shape": kind}
    for key in _KEYS[kind]:
        if key not in values:
            raise Unreadable(f"{kind} shape without {key}")
        mask[key] = _points(values[key]) if key == "points" else _fraction(kind, key, values[key])
    return mask, covers


def _points(text: str) -> list[list[float]]:
    points = []
    for pair in text.split():
        x, comma, y = pair.partition(",")
        if not comma:
            raise Unreadable(f"polygon shape: cannot read the point '{shown(pair)}'")
        points.append([_fraction("polygon", "x", x), _fraction("polygon", "y", y)])
    if len(points) < 3:
        raise Unreadable(f"a polygon of {len(points)} points (a mask needs 3 or more)")
    return points


def _fraction(kind: str, key: str, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise Unreadable(f"{kind} shape: {key}='{shown(text)}' is not a number") from None
    if not (math.isfinite(value) and 0 <= value <= 1):
        raise Unreadable(f"{kind} shape: {key}={text} is not a fraction of the picture (0 to 1); "
                         "older versions of Anki kept pixels, which need the picture's size")
    return value
