"""`deck import` of image occlusion notes (issue 18): notes that Anki's own `add_image_occlusion_note`
made become `type: image-occlusion` cards of the package's own note type; the rebuilt package shows the
same masks on the same cards, packs the same pictures, and updates the original notes in place."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from anki.collection import ExportAnkiPackageOptions

from conftest import build, import_package
from test_migration import media_bytes, open_collection, round_trip, view
from test_occlusion import DECK, PICTURE, picture_deck

# Two pictures: the deck's own drawing, and a 1x1 PNG.
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000" "1f15c4890000000d49444154"
                    "78da63fccfc0500f0004850180" "84a98c210000000049454e44ae426082")
# (occlusions, header, back extra, tags) of each note, as Anki's editor writes the masks.
NOTES = [
    ("{{c1::image-occlusion:rect:left=.05:top=.1:width=.25:height=.12:oi=1}}"
     "{{c2::image-occlusion:ellipse:left=.4:top=.45:rx=.1:ry=.075:oi=1}}"
     "{{c2::image-occlusion:polygon:points=.7,.1 .95,.1 .82,.35:oi=1}}", "TCA CROSS: name the part", "Only in the scar.",
     ["tca"]),
    ("{{c1::image-occlusion:rect:left=0:top=0:width=1:height=.5}}"
     "{{c3::image-occlusion:ellipse:left=.2:top=.6:rx=.2:ry=.1}}", "", "", []),
    ("{{c1::image-occlusion:rect:left=.1:top=.1:width=.2:height=.2:oi=1}}"
     "{{c2::image-occlusion:text:left=.5:top=.5:text=Dermis:scale=1:fs=.05:oi=1}}", "Layers", "", ["layers"]),
    ("{{c1::image-occlusion:rect:left=.3:top=.3:width=.1:height=.1:oi=1}}", "Commented", "", []),
]


def anki_package(tmp_path: Path) -> Path:
    """A package of image occlusion notes made by Anki itself, one of them with a text label."""
    col = open_collection(tmp_path / "author")
    try:
        png = tmp_path / "dot.png"
        png.write_bytes(PNG)
        col.add_image_occlusion_notetype()
        notetype = col.models.by_name("Image Occlusion")
        assert notetype is not None
        for number, (occlusions, header, extra, tags) in enumerate(NOTES):
            col.add_image_occlusion_note(notetype["id"], str(PICTURE if number == 0 else png), occlusions, header,
                                         extra, tags)
        commented = col.get_note(max(col.find_notes("")))  # a note with the student's own comment
        commented["Comments"] = "Seen in <i>clinic</i>"
        col.update_note(commented)
        col.set_deck(col.find_cards(""), col.decks.id("Dermatology::Pictures"))
        out = tmp_path / "pictures.apkg"
        col.export_anki_package(out_path=str(out), limit=None, options=ExportAnkiPackageOptions(
            with_scheduling=False, with_deck_configs=False, with_media=True, legacy=False))
        return out
    finally:
        col.close()


def test_anki_s_image_occlusion_notes_migrate_unchanged(run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = anki_package(tmp_path)
    a = open_collection(tmp_path / "a")
    b = open_collection(tmp_path / "b")
    try:
        import_package(a, package)
        expected = view(a)
        (tmp_path / "deck").mkdir()
        imported = run("import", str(package), "-o", "deck/cards.yaml")
        assert imported.exit_code == 0
        # The note with a text label cannot be a picture card: it is kept as its fields, and said so.
        assert re.search(r"card 'layers': kept as its fields, not as a picture card: a 'text' shape, which deck's "
                         r"masks cannot hold", imported.stderr)
        assert re.search(r"card 'commented': kept as its fields, not as a picture card: its Comments field is not a "
                         r"citation", imported.stderr)
        text = (tmp_path / "deck" / "cards.yaml").read_text(encoding="utf-8")
        assert "    kind: image-occlusion\n" in text and text.count("    type: image-occlusion\n") == 2
        assert text.count('    note-type: "Image Occlusion"\n') == 2
        assert ('    masks:\n'
                '      - {shape: rect, left: 0.05, top: 0.1, width: 0.25, height: 0.12}\n'
                '      - {shape: ellipse, left: 0.4, top: 0.45, width: 0.2, height: 0.15, card: 2}\n'
                '      - {shape: polygon, points: [[0.7, 0.1], [0.95, 0.1], [0.82, 0.35]], card: 2}\n') in text
        assert '    hide: one\n' in text and '      - {shape: ellipse, left: 0.2, top: 0.6, width: 0.4, height: 0.2, card: 3}\n' in text
        monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(time.time())))
        assert run("build", "deck/cards.yaml", "-o", "rebuilt.apkg").exit_code == 0
        assert run("validate", "deck/cards.yaml").exit_code == 0  # the lock knows each card's note type

        import_package(b, tmp_path / "rebuilt.apkg")
        assert view(b) == expected  # the same note type, fields, and each card's question and answer
        model = b.get_note(b.find_notes("")[0]).note_type()
        assert model is not None and model["originalStockKind"] == 6  # Anki's editor edits them as its own
        assert [field["tag"] for field in model["flds"]] == [0, 1, 2, 3, 4]
        cards = [card for *_, cards in expected.values() for card in cards]
        assert len(cards) == 7 and sum("data-shape=\"polygon\"" in question for _, _, question, _ in cards) == 2
        pictures = media_bytes(b, expected)
        assert pictures == media_bytes(a, expected) and set(pictures) == {"tca-cross.svg", "dot.png"}

        log = import_package(a, tmp_path / "rebuilt.apkg")
        assert (len(log.conflicting), len(log.new)) == (0, 0)
        assert view(a) == expected
    finally:
        a.close()
        b.close()


def test_deck_s_own_picture_cards_come_back_as_they_were(run, tmp_path: Path) -> None:
    """A package deck built, imported again: the same card, its source read back from Comments."""
    picture_deck(tmp_path)
    assert run("build", "cards.yaml", "-o", "pictures.apkg").exit_code == 0
    (tmp_path / "again").mkdir()
    imported = run("import", "pictures.apkg", "-o", "again/cards.yaml")
    assert imported.exit_code == 0 and imported.stdout.count("\n") <= 2, imported.stdout
    text = (tmp_path / "again" / "cards.yaml").read_text(encoding="utf-8")
    assert "note-type" not in text and "note-types" not in text
    assert '    image: media/tca-cross.svg\n    header: "TCA CROSS: <em>name</em> the part"\n' in text
    assert "    source: ice-pick-scars\n" in text and "  ice-pick-scars:\n    title: \"Ice pick scars\"\n" in text
    first, second = open_collection(tmp_path / "first"), open_collection(tmp_path / "second")
    try:
        import_package(first, tmp_path / "pictures.apkg")
        import_package(second, build(tmp_path / "again", text, "again.apkg"))
        assert view(second) == view(first)
    finally:
        first.close()
        second.close()


TYPES = """\
note-types:
  Notes:
    id: "1700000000001"
    fields: [Front]
    templates: [{name: Card 1, front: "{{Front}}", back: "{{Front}}"}]
  Pictures:
    id: "1700000000002"
    kind: image-occlusion
    fields: [Occlusion, Image, Header, Back Extra, Comments]
    templates: [{name: Image Occlusion, front: "{{cloze:Occlusion}}", back: "{{cloze:Occlusion}}"}]
"""


@pytest.mark.parametrize(("named", "fields", "expected"), [
    ("Nowhere", 5, "cards.yaml:17:16: error: card 'layers': no note type 'Nowhere' is declared; 'note-type' names one "
                "of the deck's note types of kind image-occlusion: Pictures, or is left out for deck's own"),
    ("Notes", 5, "cards.yaml:17:16: error: card 'layers': note type 'Notes' is not of kind image-occlusion; 'note-type' "
              "names one of the deck's note types of kind image-occlusion: Pictures, or is left out for deck's own"),
    ("Pictures", 4, "cards.yaml:12:13: error: note type 'Pictures': an image occlusion note type has 5 fields, as "
                 "Anki's: Occlusion, Image, Header, Back Extra, Comments (in that order; named as you like), not 4"),
])
def test_a_picture_card_names_a_note_type_of_kind_image_occlusion(run, tmp_path: Path, named: str, fields: int,
                                                                 expected: str) -> None:
    picture_deck(tmp_path, DECK.replace("    type: image-occlusion\n", f"    type: image-occlusion\n    note-type: {named}\n")
                 .replace("cards:\n", TYPES.replace(", Comments]", "]" if fields == 4 else ", Comments]") + "cards:\n"))
    result = run("validate", "cards.yaml")
    assert (result.exit_code, result.stderr) == (1, f"{expected}\ncards.yaml: 1 error\n")


def test_a_picture_card_changed_beyond_deck_s_format_is_reported(run, tmp_path: Path) -> None:
    """A note of deck's own image occlusion type given a text label in Anki: deck's type cannot be
    declared in a deck file, so the note is skipped, and said so."""
    picture_deck(tmp_path)
    assert run("build", "cards.yaml", "-o", "pictures.apkg").exit_code == 0
    col = open_collection(tmp_path / "student")
    try:
        import_package(col, tmp_path / "pictures.apkg")
        note = col.get_note(col.find_notes("")[0])
        note["Occlusion"] += "{{c3::image-occlusion:text:left=.5:top=.5:text=Dermis:oi=1}}"
        col.update_note(note)
        col.export_anki_package(out_path=str(tmp_path / "changed.apkg"), limit=None, options=ExportAnkiPackageOptions(
            with_scheduling=False, with_deck_configs=False, with_media=True, legacy=False))
    finally:
        col.close()
    result = run("import", "changed.apkg", "-o", "changed.yaml")
    assert result.exit_code == 1 and not (tmp_path / "changed.yaml").exists()
    assert (f"note '{note.guid}': skipped: a card of deck's image occlusion type, changed so that no card rebuilds it: "
            "a 'text' shape, which deck's masks cannot hold (rect, ellipse, polygon)") in result.stderr


ENHANCED_FIELDS = ("ID (hidden)", "Header", "Image", "Question Mask", "Footer", "Remarks", "Sources", "Extra 1",
                   "Extra 2", "Answer Mask", "Original Mask")


def test_image_occlusion_enhanced_notes_are_kept_as_they_are_and_reported(
        run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The older add-on's notes: a note type of its own with SVG masks as media, migrated unchanged."""
    col = open_collection(tmp_path / "author")
    try:
        media = Path(col.media.dir())
        (media / "skin.png").write_bytes(PNG)
        for side in ("Q", "A", "O"):
            (media / f"skin-1-{side}.svg").write_text(
                '<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"><rect width="1" height="1"/></svg>')
        enhanced = col.models.new("Image Occlusion Enhanced")
        for name in ENHANCED_FIELDS:
            col.models.add_field(enhanced, col.models.new_field(name))
        template = col.models.new_template("IO Card")
        template["qfmt"] = '{{#Image}}<div class="img">{{Image}}</div><div class="mask">{{Question Mask}}</div>{{/Image}}'
        template["afmt"] = '{{Image}}<div class="mask">{{Answer Mask}}</div>{{Footer}}'
        col.models.add_template(enhanced, template)
        col.models.add(enhanced)
        note = col.new_note(col.models.by_name("Image Occlusion Enhanced"))  # type: ignore[arg-type]
        note.fields[:] = ["skin-1", "Skin layers", '<img src="skin.png">', '<img src="skin-1-Q.svg">', "", "", "",
                          "", "", '<img src="skin-1-A.svg">', '<img src="skin-1-O.svg">']
        col.add_note(note, col.decks.id("Dermatology"))
        package = tmp_path / "enhanced.apkg"
        col.export_anki_package(out_path=str(package), limit=None, options=ExportAnkiPackageOptions(
            with_scheduling=False, with_deck_configs=False, with_media=True, legacy=False))
    finally:
        col.close()
    (tmp_path / "deck").mkdir()
    result = run("import", str(package), "-o", "deck/cards.yaml")
    assert result.exit_code == 0
    assert ("note type 'Image Occlusion Enhanced' is the Image Occlusion Enhanced add-on's: its notes are kept as "
            "their fields, with their SVG masks as media, as the add-on made them; deck does not read the add-on's "
            "masks into picture cards\n") in result.stderr
    round_trip(package, tmp_path / "trip", monkeypatch)
