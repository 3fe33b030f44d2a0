"""Image occlusion cards: built by the real CLI, imported into real Anki, compared with what Anki's
own `add_image_occlusion_note` makes, and located errors and warnings for what is wrong."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from anki.collection import Collection

from conftest import deck_file, import_package
from test_lock import history, study

PICTURE = Path(__file__).parent.parent / "images" / "tca-cross.svg"

DECK = """\
deck: {id: pictures, name: Pictures}
sources:
  article: {title: Ice pick scars, url: "https://example.org/article"}
cards:
  - id: layers
    type: image-occlusion
    image: images/tca-cross.svg
    header: "TCA CROSS: *name* the part"
    extra: Applied only inside the scar.
    source: article
    tags: [pictures]
    masks:
      - {shape: rect, left: 0.05, top: 0.10, width: 0.25, height: 0.12}
      - {shape: ellipse, left: 0.40, top: 0.45, width: 0.20, height: 0.15, card: 2}
      - {shape: polygon, points: [[0.70, 0.10], [0.95, 0.10], [0.82, 0.35]], card: 2}
"""
# What the issue gives as Anki's syntax for the masks above (Anki's editor keeps an ellipse's radii).
OCCLUSION = ("{{c1::image-occlusion:rect:left=.05:top=.1:width=.25:height=.12:oi=1}}"
             "{{c2::image-occlusion:ellipse:left=.4:top=.45:rx=.1:ry=.075:oi=1}}"
             "{{c2::image-occlusion:polygon:points=.7,.1 .95,.1 .82,.35:oi=1}}")


def picture_deck(folder: Path, text: str = DECK) -> Path:
    (folder / "images").mkdir(exist_ok=True)
    shutil.copy(PICTURE, folder / "images" / "tca-cross.svg")
    return deck_file(folder, text)


def built(run, tmp_path: Path, text: str = DECK) -> Path:
    picture_deck(tmp_path, text)
    result = run("build", "cards.yaml", "-o", "out.apkg")
    assert result.exit_code == 0
    return tmp_path / "out.apkg"


def anki_own(tmp_path: Path) -> tuple[dict, dict]:
    """The note type and note that Anki itself makes of the same masks and picture."""
    col = Collection(str(tmp_path / "own.anki2"))
    try:
        col.add_image_occlusion_note(notetype_id=0, image_path=str(PICTURE), occlusions=OCCLUSION,
                                     header="H", back_extra="", tags=[])
        [note_id] = col.find_notes("")
        note = col.get_note(note_id)
        return note.note_type(), dict(note.items())
    finally:
        col.close()


def test_the_note_type_is_anki_s_own_image_occlusion_type(run, tmp_path: Path, collection) -> None:
    own_type, own_note = anki_own(tmp_path)
    import_package(collection, built(run, tmp_path))
    [note_id] = collection.find_notes("")
    note = collection.get_note(note_id)
    ours = note.note_type()
    assert [(field["name"], field["tag"]) for field in ours["flds"]] == [
        (field["name"], field["tag"]) for field in own_type["flds"]]
    assert (ours["type"], ours["originalStockKind"]) == (own_type["type"], own_type["originalStockKind"])
    [template], [own_template] = ours["tmpls"], own_type["tmpls"]
    assert template["qfmt"] == own_template["qfmt"]
    assert template["afmt"].startswith(own_template["afmt"].split("{{#Back Extra}}")[0])
    assert note["Occlusion"] == own_note["Occlusion"] == OCCLUSION
    assert note["Image"] == '<img src="tca-cross.svg">' and note["Image"] == own_note["Image"]
    # Anki's own editor reads the note's masks and picture as its own.
    own_reading = collection.get_image_occlusion_note(note_id).note
    assert own_reading.image_data == PICTURE.read_bytes() and len(own_reading.occlusions) == 2


def test_one_card_per_mask_number_each_asking_its_masks(run, tmp_path: Path, collection) -> None:
    log = import_package(collection, built(run, tmp_path))
    assert len(log.new) == 1
    cards = sorted((collection.get_card(card_id) for card_id in collection.find_cards("")), key=lambda c: c.ord)
    assert [card.ord for card in cards] == [0, 1]
    first, second = cards[0].question(), cards[1].question()
    asked = re.compile(r'<div class="cloze" data-ordinal="(\d)" data-shape="(\w+)" data-left="([.\d]*)"')
    assert asked.findall(first) == [("1", "rect", ".05")]
    assert asked.findall(second) == [("2", "ellipse", ".4")] and 'class="cloze" data-ordinal="2" data-shape="polygon"' \
        in second and 'data-points=".7,.1 .95,.1 .82,.35"' in second
    assert 'class="cloze-inactive" data-ordinal="2"' in first and 'data-occludeInactive="1"' in first
    assert "anki.imageOcclusion.setup()" in first and '<img src="tca-cross.svg">' in first
    assert "<div>TCA CROSS: <em>name</em> the part</div>" in first
    answer = cards[0].answer()
    assert "Applied only inside the scar." in answer and "https://example.org/article" in answer
    assert sorted(path.name for path in Path(collection.media.dir()).iterdir()) == ["tca-cross.svg"]
    assert (Path(collection.media.dir()) / "tca-cross.svg").read_bytes() == PICTURE.read_bytes()
    assert collection.get_note(cards[0].nid).tags == ["pictures"]


def test_hide_one_covers_only_the_asked_masks(run, tmp_path: Path, collection) -> None:
    import_package(collection, built(run, tmp_path, DECK.replace("    masks:", "    hide: one\n    masks:")))
    [note_id] = collection.find_notes("")
    assert "oi=" not in collection.get_note(note_id)["Occlusion"]
    assert 'data-occludeInactive' not in collection.get_card(collection.find_cards("")[0]).question()


def test_masks_without_a_number_take_the_first_numbers_no_mask_has(run, tmp_path: Path, collection) -> None:
    text = DECK.replace("height: 0.15, card: 2}", "height: 0.15, card: 1}").replace("0.35]], card: 2}", "0.35]]}")
    import_package(collection, built(run, tmp_path, text))
    [note_id] = collection.find_notes("")
    assert re.findall(r"\{\{c(\d)::", collection.get_note(note_id)["Occlusion"]) == ["2", "1", "3"]
    assert len(collection.find_cards("")) == 3


def test_moving_one_mask_updates_that_note_and_keeps_its_history(run, tmp_path: Path, collection) -> None:
    text = DECK + """\
  - id: other
    type: image-occlusion
    image: images/tca-cross.svg
    masks:
      - {shape: rect, left: 0.5, top: 0.5, width: 0.1, height: 0.1}
      - {shape: rect, left: 0.1, top: 0.5, width: 0.1, height: 0.1}
"""
    import_package(collection, built(run, tmp_path, text))
    [note_id] = collection.find_notes("tag:pictures")
    card_id = min(collection.get_note(note_id).card_ids())
    reviews, interval, due = study(collection, card_id)
    deck_file(tmp_path, text.replace("left: 0.05, top: 0.10", "left: 0.06, top: 0.11"))
    result = run("build", "cards.yaml", "-o", "out.apkg")
    assert result.exit_code == 0 and "layers" in result.stdout
    log = import_package(collection, tmp_path / "out.apkg")
    assert (len(log.new), len(log.updated), len(log.conflicting)) == (0, 1, 0)
    assert log.updated[0].id.nid == note_id
    assert "left=.06:top=.11" in collection.get_note(note_id)["Occlusion"]
    assert history(collection, card_id) == (reviews, interval, due) and reviews == 1


def test_what_is_wrong_with_masks_is_located(run, tmp_path: Path) -> None:
    picture_deck(tmp_path, """\
deck: {id: pictures, name: Pictures}
cards:
  - id: a
    type: image-occlusion
    image: images/tca-cross.svg
    masks:
      - {shape: rect, left: 1.2, top: 0.10, width: 0.25, height: 0.12}
      - {shape: rect, left: x, top: 0.10, width: 0.25, height: 0.12}
      - {shape: rect, left: 0.9, top: 0.10, width: 0.25, height: 0.12}
      - {shape: circle, left: 0.1, top: 0.10, width: 0.25, height: 0.12}
      - {shape: polygon, points: [[0.1, 0.1], [0.2, 0.2]]}
      - {shape: rect, left: 0.1, top: 0.10, width: 0.25, height: 0.12, colour: red}
      - {shape: rect, left: 0.1, top: 0.10, width: 0.25}
  - id: b
    type: image-occlusion
    image: images/missing.svg
    masks: []
  - id: c
    type: image-occlusion
    image: ../outside.svg
    masks: [{shape: rect, left: 0.1, top: 0.1, width: 0.1, height: 0.1}]
  - id: d
    type: image-occlusion
    image: https://example.org/x.png
    masks: [{shape: rect, left: 0.1, top: 0.1, width: 0.1, height: 0.1}]
""")
    result = run("validate", "cards.yaml")
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[:-1] == [
        "cards.yaml:7:29: error: card 'a': mask 1: 'left' is '1.2', not a fraction of the picture; "
        "write a number from 0 to 1",
        "cards.yaml:8:29: error: card 'a': mask 2: 'left' is 'x', not a fraction of the picture; "
        "write a number from 0 to 1",
        "cards.yaml:9:9: error: card 'a': mask 3: the mask reaches past the picture's right edge (0.9 + 0.25 is over 1)",
        "cards.yaml:10:17: error: card 'a': mask 4: unknown shape 'circle'; use rect, ellipse or polygon",
        "cards.yaml:11:9: error: card 'a': mask 5: a polygon mask needs three or more points, not 2",
        "cards.yaml:12:72: error: card 'a': mask 6: unknown key 'colour'; "
        "expected one of: shape, left, top, width, height, points, card",
        "cards.yaml:13:9: error: card 'a': mask 7: a rect mask needs height (fractions of the picture, 0 to 1)",
        "cards.yaml:17:12: error: card 'b': 'masks' is empty; give one or more masks, like "
        "- {shape: rect, left: 0.1, top: 0.2, width: 0.3, height: 0.1}",
        "cards.yaml:20:12: error: card 'c': '../outside.svg' leaves the deck file's folder ('..'); keep media beside "
        "the deck",
        "cards.yaml:24:12: error: card 'd': 'https://example.org/x.png' is an address; an image occlusion card's "
        "picture is packed with the deck: save the file beside the deck and use its path",
    ]


def test_lint_warns_of_overlapping_masks_and_a_single_mask(run, tmp_path: Path) -> None:
    picture_deck(tmp_path, """\
deck: {id: pictures, name: Pictures}
cards:
  - id: e
    type: image-occlusion
    image: images/tca-cross.svg
    masks:
     - {shape: rect, left: 0.1, top: 0.1, width: 0.2, height: 0.2}
     - {shape: polygon, points: [[0.15, 0.15], [0.3, 0.15], [0.3, 0.3]]}
     - {shape: rect, left: 0.15, top: 0.15, width: 0.1, height: 0.1, card: 1}
     - {shape: rect, left: 0.5, top: 0.5, width: 0.2, height: 0.2}
  - id: f
    type: image-occlusion
    image: images/tca-cross.svg
    masks:
     - {shape: ellipse, left: 0.1, top: 0.1, width: 0.2, height: 0.2}
""")
    result = run("lint", "cards.yaml")
    assert result.stderr.splitlines()[:-1] == [
        "cards.yaml:8:8: warning: card 'e': mask 2 overlaps more than half of mask 1, asked on another card; "
        "move one, or give both one 'card' number (mask-overlap)",
        "cards.yaml:9:8: warning: card 'e': mask 3 overlaps more than half of mask 1, asked on another card; "
        "move one, or give both one 'card' number (mask-overlap)",
        "cards.yaml:15:6: warning: card 'f': one mask makes one card that shows nothing to choose between; "
        "cover the picture's other labels too, or ask it as a basic card (single-mask)",
    ]

