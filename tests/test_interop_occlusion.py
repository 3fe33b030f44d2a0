"""Reading Anki's image occlusion field back into masks (deck.interop.occlusion), against notes Anki made."""

from __future__ import annotations

from pathlib import Path

import pytest
from anki.collection import Collection

from deck.interop.occlusion import Occlusions, Unreadable, read

# A 1x1 PNG: Anki's image occlusion notes need a picture to exist.
_PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000" "1f15c4890000000d49444154"
                     "78da63fccfc0500f0004850180" "84a98c210000000049454e44ae426082")


def _anki_note(collection: Collection, tmp_path: Path, occlusions: str) -> tuple[str, dict[int, list[dict[str, str]]]]:
    """Add an image occlusion note with Anki's own function; its Occlusion field as Anki stored it, and
    the shapes Anki's own parser reads from it (card number -> each shape's kind and properties)."""
    collection.add_image_occlusion_notetype()
    picture = tmp_path / "picture.png"
    picture.write_bytes(_PNG)
    notetype = collection.models.by_name("Image Occlusion")
    assert notetype is not None
    collection.add_image_occlusion_note(notetype["id"], str(picture), occlusions, "Header", "Extra", [])
    note = collection.get_note(collection.find_notes("")[0])
    parsed = collection.get_image_occlusion_note(note.id).note
    shapes = {occlusion.ordinal: [{"shape": shape.shape} | {p.name: p.value for p in shape.properties}
                                  for shape in occlusion.shapes]
              for occlusion in parsed.occlusions}
    return note["Occlusion"], shapes


def test_a_note_anki_made_reads_as_anki_reads_it(collection: Collection, tmp_path: Path) -> None:
    field, anki_shapes = _anki_note(
        collection, tmp_path,
        "{{c1::image-occlusion:rect:left=.05:top=.1:width=.25:height=.12:oi=1}}<br>"
        "{{c2::image-occlusion:ellipse:left=.4:top=.45:rx=.1:ry=.075:oi=1}}"
        "{{c2::image-occlusion:polygon:points=.7,.1 .95,.1 .82,.35:oi=1}}")
    occlusions = read(field)
    assert occlusions == Occlusions("all", [
        {"shape": "rect", "left": 0.05, "top": 0.1, "width": 0.25, "height": 0.12, "card": 1},
        {"shape": "ellipse", "left": 0.4, "top": 0.45, "width": 0.2, "height": 0.15, "card": 2},
        {"shape": "polygon", "points": [[0.7, 0.1], [0.95, 0.1], [0.82, 0.35]], "card": 2},
    ])
    # The same shapes, on the same cards, as Anki's own parser of the field finds them.
    assert {card: [shape["shape"] for shape in shapes] for card, shapes in anki_shapes.items()} == \
        {1: ["rect"], 2: ["ellipse", "polygon"]}
    rect = anki_shapes[1][0]
    assert [float(rect[key]) for key in ("left", "top", "width", "height")] == \
        [occlusions.masks[0][key] for key in ("left", "top", "width", "height")]
    assert anki_shapes[2][1]["points"] == " ".join(
        ",".join(f"{value:g}".removeprefix("0") for value in point) for point in occlusions.masks[2]["points"])


def test_without_oi_only_the_asked_mask_covers(collection: Collection, tmp_path: Path) -> None:
    field, _ = _anki_note(collection, tmp_path, "{{c1::image-occlusion:rect:left=0:top=0:width=1:height=.5}}"
                                                "{{c3::image-occlusion:rect:left=0:top=.5:width=1:height=.5}}")
    occlusions = read(field)
    assert occlusions.hide == "one"
    assert [mask["card"] for mask in occlusions.masks] == [1, 3]


@pytest.mark.parametrize("field, reason", [
    ("", "the Occlusion field has no shape"),
    ("Label {{c1::image-occlusion:rect:left=0:top=0:width=.5:height=.5}}",
     "text beside the shapes in the Occlusion field: 'Label'"),
    ("{{c1::image-occlusion:text:left=.1:top=.1:text=Dermis:scale=1}}", "a 'text' shape"),
    ("{{c1::image-occlusion:rect:left=120:top=40:width=80:height=20}}",
     "rect shape: left=120 is not a fraction of the picture (0 to 1)"),
    ("{{c1::image-occlusion:rect:left=.1:top=.1:width=wide:height=.1}}", "rect shape: width='wide' is not a number"),
    ("{{c1::image-occlusion:rect:left=.1:top=.1:width=.2:height=.1:angle=30}}", "a rotated rect shape"),
    ("{{c1::image-occlusion:rect:left=.1:top=.1:width=.2:height=.1:fill=#ff0000}}",
     "rect shape: fill cannot be kept in a mask"),
    ("{{c1::image-occlusion:rect:left=.1:top=.1:height=.1}}", "rect shape without width"),
    ("{{c1::image-occlusion:polygon:points=.1,.1 .2,.2}}", "a polygon of 2 points"),
    ("{{c1::image-occlusion:rect:left=.1:top=.1:width=.2:height=.1:oi=1}}"
     "{{c2::image-occlusion:rect:left=.5:top=.1:width=.2:height=.1}}",
     "some masks cover the picture on every card (oi=1) and some only on their own"),
    ("{{c1::image-occlusion:rect:left=.1:top=.1:width=.2:height=.1}}\x1b[31m", "'\\x1b[31m'"),
])
def test_what_masks_cannot_hold_is_refused_with_the_reason(field: str, reason: str) -> None:
    with pytest.raises(Unreadable) as refused:
        read(field)
    assert reason in str(refused.value)
