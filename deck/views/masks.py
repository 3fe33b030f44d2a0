"""An image occlusion card's masks drawn over its picture, as Anki's reviewer draws them, without it.

Anki's template for these cards leaves a canvas over the picture for a script of Anki's reviewer
(`anki.imageOcclusion.setup()`, ts/routes/image-occlusion/review.ts) to draw the masks on; outside
Anki that script does not exist. The preview puts an SVG in the canvas's place instead, made from
the card's masks: on the front the masks asked on that card in the active colour and, with
`hide: all`, every other mask in the inactive one; on the back the asked masks outlined over the
picture they covered and the others as on the front. The SVG takes the canvas's id, so the note
type's CSS gives it the colours it gives Anki (`notetypes.IMAGE_OCCLUSION`). No script is needed.
"""

from __future__ import annotations

import re

from deck import occlusion
from deck.cards import ImageOcclusionCard, Mask

# What of Anki's rendering the SVG replaces or leaves out (see notetypes._OCCLUSION_FRONT, _BACK):
# the canvas, the script that would draw on it, and the button that would hide its masks again.
_CANVAS = '<canvas id="image-occlusion-canvas"></canvas>'
_SCRIPT = re.compile(r"<script>.*?</script>\n?", re.DOTALL)  # the template's own: fields hold none
_TOGGLE = '<div><button id="toggle">Toggle Masks</button></div>\n'

# The picture in its own size (at most the card's width) with the SVG stretched over it, where
# Anki's script sizes the container instead. The borders are Anki's (the note type's
# --*-shape-border), 1 pixel wide however the picture is scaled.
CSS = """
#image-occlusion-container { position: relative; width: fit-content; max-width: 100%; margin: 0 auto; }
#image-occlusion-container img { display: block; }
#image-occlusion-canvas { position: absolute; left: 0; top: 0; width: 100%; height: 100%; }
#image-occlusion-canvas > * { vector-effect: non-scaling-stroke; stroke-width: 1px; }
#image-occlusion-canvas .active { fill: var(--active-shape-color); stroke: #212121; }
#image-occlusion-canvas .inactive { fill: var(--inactive-shape-color); stroke: #212121; }
#image-occlusion-canvas .highlight { fill: var(--highlight-shape-color); stroke: #ff8e8e; }
"""


def drawn(card: ImageOcclusionCard, number: int, front: str, back: str) -> tuple[str, str]:
    """Anki's front and back of the card `number` (its cloze number) of an image occlusion note,
    with its masks drawn over the picture (see the module's docstring)."""
    assert _CANVAS in front and _CANVAS in back and _TOGGLE in back, "Anki's image occlusion template changed"
    asked = [mask_number == number for mask_number in occlusion.numbers(card)]
    sides = []
    for side, role in ((front, "active"), (back, "highlight")):
        shapes = "".join(_shape(mask, role if is_asked else "inactive")
                         for mask, is_asked in zip(card.masks, asked) if is_asked or card.hide == "all")
        svg = f'<svg id="image-occlusion-canvas" viewBox="0 0 1 1" preserveAspectRatio="none">{shapes}</svg>'
        sides.append(_SCRIPT.sub("", side.replace(_CANVAS, svg).replace(_TOGGLE, "")))
    return sides[0], sides[1]


def _shape(mask: Mask, role: str) -> str:
    """One mask as an SVG shape in the picture's fractions (the SVG's viewBox is the unit square)."""
    if mask.points is not None:
        points = " ".join(f"{x:g},{y:g}" for x, y in mask.points)
        return f'<polygon class="{role}" points="{points}"/>'
    left, top, width, height = mask.box()
    if mask.shape == "ellipse":
        return (f'<ellipse class="{role}" cx="{left + width / 2:g}" cy="{top + height / 2:g}" '
                f'rx="{width / 2:g}" ry="{height / 2:g}"/>')
    return f'<rect class="{role}" x="{left:g}" y="{top:g}" width="{width:g}" height="{height:g}"/>'
