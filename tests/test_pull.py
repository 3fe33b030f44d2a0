"""`deck pull`: a deck built, imported into a real Anki collection, edited there through Anki's API,
exported by Anki, and pulled back into the YAML through the CLI."""

from __future__ import annotations

import difflib
import json
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from anki.collection import Collection
from anki.import_export_pb2 import ExportAnkiPackageOptions

from conftest import EXAMPLE_DECK, deck_file, import_package, shown
from deck.package import note_guid
from test_occlusion import DECK as PICTURE_DECK, picture_deck

# The example deck with comments and layout a re-dump would lose.
DECK = EXAMPLE_DECK.replace("cards:\n", "cards:\n  # Morphology first.\n", 1).replace(
    "    answer: Less than 2 mm\n", "    answer: Less than 2 mm   # as the article says\n", 1)
ROOT = Path(__file__).resolve().parent.parent


def _note(collection: Collection, card_id: str, deck_id: str = "scars"):
    return collection.get_note(collection.db.scalar("select id from notes where guid = ?", note_guid(deck_id, card_id)))


def _export(collection: Collection, out: Path, legacy: bool = False, scheduling: bool = False) -> Path:
    options = ExportAnkiPackageOptions(with_scheduling=scheduling, with_media=True, legacy=legacy)
    collection.export_anki_package(out_path=str(out), options=options, limit=None)
    return out


def _round(run, tmp_path: Path, collection: Collection, edit: Callable[[Collection], None], text: str = DECK,
           **export: bool) -> Path:
    """Build the deck, import it, `edit` the collection, and export it; the package's path."""
    deck_file(tmp_path, text)
    assert run("build", "cards.yaml", "-o", "built.apkg").exit_code == 0
    import_package(collection, tmp_path / "built.apkg")
    edit(collection)
    return _export(collection, tmp_path / "edited.apkg", **export)


def _rebuilt_over(run, tmp_path: Path, collection: Collection) -> None:
    """The pulled deck built again and imported over the collection: nothing new, nothing in conflict."""
    assert run("build", "cards.yaml", "-o", "again.apkg").exit_code == 0
    log = import_package(collection, tmp_path / "again.apkg")
    assert (len(log.new), len(log.conflicting)) == (0, 0)


def _diff(before: str, after: str) -> list[str]:
    """The changed lines, '-' and '+' each, of a line-by-line comparison."""
    return [line for line in difflib.ndiff(before.splitlines(), after.splitlines()) if line[:1] in "-+"]


def _edit_width_and_tca(collection: Collection) -> None:
    width = _note(collection, "width")
    width["Back"] = "Less than <b>3</b> mm"
    width.tags = ["morphology", "scars::ice-pick", "exam"]
    collection.update_note(width)
    tca = _note(collection, "tca")
    tca["Extra"] = "From a <i>2016</i> review."
    collection.update_note(tca)
    cross = _note(collection, "cross")
    new_deck = collection.decks.id("Dermatology::Scars::Definition")
    collection.set_deck([card.id for card in cross.cards()], new_deck)


@pytest.mark.parametrize("legacy, scheduling", [(False, False), (True, True)], ids=["anki21b", "legacy-scheduled"])
def test_edits_in_anki_come_back_in_place_and_rebuild_to_the_same_notes(run, tmp_path: Path, collection: Collection,
                                                                       legacy: bool, scheduling: bool) -> None:
    package = _round(run, tmp_path, collection, _edit_width_and_tca, legacy=legacy, scheduling=scheduling)
    result = run("pull", "edited.apkg", "cards.yaml")
    assert result.exit_code == 0
    assert "pulled 3 cards from edited.apkg: width, cross, tca" in result.stdout
    after = (tmp_path / "cards.yaml").read_text()
    assert _diff(DECK, after) == [
        "-     answer: Less than 2 mm   # as the article says",
        "+     answer: Less than <b>3</b> mm   # as the article says",
        "-     tags: [morphology, scars::ice-pick]",
        "+     tags: [morphology, scars::ice-pick, exam]",
        "-     deck: Treatments",
        "+     deck: Definition",
        "-     extra: From a 2015 review.",
        "+     extra: From a <i>2016</i> review.",
    ]
    # Built again and imported over the collection: nothing new, nothing in conflict, Anki's text.
    _rebuilt_over(run, tmp_path, collection)
    width = _note(collection, "width")
    assert "Less than <b>3</b> mm" in shown(width.cards()[0].answer())
    assert sorted(width.tags) == ["exam", "morphology", "scars::ice-pick"]
    assert collection.decks.name(_note(collection, "cross").cards()[0].did) == "Dermatology::Scars::Definition"
    assert "From a <i>2016</i> review." in shown(_note(collection, "tca").cards()[0].answer())
    assert package.is_file()


def test_dry_run_prints_the_diff_and_writes_nothing(run, tmp_path: Path, collection: Collection) -> None:
    _round(run, tmp_path, collection, _edit_width_and_tca)
    result = run("pull", "--dry-run", "edited.apkg")
    assert result.exit_code == 0
    assert "+    answer: Less than <b>3</b> mm   # as the article says\n" in result.stdout
    assert result.stdout.startswith("--- a/cards.yaml\n+++ b/cards.yaml\n")
    assert "would pull 3 cards" in result.stdout
    assert (tmp_path / "cards.yaml").read_text() == DECK


def test_a_card_changed_on_both_sides_is_reported_and_left(run, tmp_path: Path, collection: Collection) -> None:
    _round(run, tmp_path, collection, _edit_width_and_tca)
    edited = DECK.replace("Less than 2 mm", "Under 2 mm")  # the deck's own edit since the build
    (tmp_path / "cards.yaml").write_text(edited)
    result = run("pull", "edited.apkg")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        "cards.yaml:14:5: error: card 'width': changed in the deck since the last build and in Anki, so left as it "
        'is; merge by hand: answer in the deck "Under 2 mm", in Anki "Less than <b>3</b> mm"; tags in the deck '
        '"morphology scars::ice-pick", in Anki "exam morphology scars::ice-pick"')
    assert result.stderr.splitlines()[-1] == "cards.yaml: 1 error"
    after = (tmp_path / "cards.yaml").read_text()
    assert _diff(edited, after) == [  # the others are pulled
        "-     deck: Treatments", "+     deck: Definition",
        "-     extra: From a 2015 review.", "+     extra: From a <i>2016</i> review.",
    ]


def test_a_deck_edit_alone_is_not_undone_by_a_stale_export(run, tmp_path: Path, collection: Collection) -> None:
    _round(run, tmp_path, collection, lambda collection: None)
    edited = DECK.replace("Less than 2 mm", "Under 2 mm")
    (tmp_path / "cards.yaml").write_text(edited)
    result = run("pull", "edited.apkg")
    assert result.exit_code == 0 and "pulled 0 cards" in result.stdout
    assert (tmp_path / "cards.yaml").read_text() == edited


def test_an_export_older_than_the_last_build_does_not_undo_the_deck_s_edits(run, tmp_path: Path,
                                                                          collection: Collection) -> None:
    _round(run, tmp_path, collection, lambda collection: None)  # exported before the next release
    edited = DECK.replace("Less than 2 mm", "Under 2 mm")
    (tmp_path / "cards.yaml").write_text(edited)
    time.sleep(1.1)  # (the next build is a second later at least: Anki's times are in seconds)
    assert run("build", "cards.yaml", "-o", "built.apkg").exit_code == 0
    result = run("pull", "edited.apkg")
    assert result.exit_code == 0 and "pulled 0 cards" in result.stdout
    assert (tmp_path / "cards.yaml").read_text() == edited


def test_a_sound_added_to_a_text_field_is_reported_not_pulled_as_text(run, tmp_path: Path,
                                                                     collection: Collection) -> None:
    def add_sound(collection: Collection) -> None:
        (Path(collection.media.dir()) / "ok.mp3").write_bytes(b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\x00" * 32)
        width = _note(collection, "width")
        width["Back"] = "Less than 2 mm [sound:ok.mp3]"
        collection.update_note(width)

    _round(run, tmp_path, collection, add_sound)
    result = run("pull", "edited.apkg")
    assert result.exit_code == 0 and "pulled 0 cards" in result.stdout
    assert ("card 'width': Back not pulled: it plays a sound, which a card of deck's built-in types plays from "
            "'audio:'; add it there in the deck") in result.stderr
    assert (tmp_path / "cards.yaml").read_text() == DECK


def test_a_value_that_would_make_the_deck_invalid_is_left_out(run, tmp_path: Path, collection: Collection) -> None:
    def empty_question(collection: Collection) -> None:
        width = _note(collection, "width")
        width["Front"] = ""
        collection.update_note(width)
        tca = _note(collection, "tca")
        tca["Extra"] = "From a <i>2016</i> review."
        collection.update_note(tca)

    _round(run, tmp_path, collection, empty_question)
    result = run("pull", "edited.apkg")
    assert result.exit_code == 1
    assert ("cards.yaml:15:15: error: card 'width': 'question' is empty; write the text or remove the key; "
            "the value from Anki is not pulled") in result.stderr
    assert _diff(DECK, (tmp_path / "cards.yaml").read_text()) == [
        "-     extra: From a 2015 review.", "+     extra: From a <i>2016</i> review."]


def test_cards_the_package_lacks_are_reported_and_kept(run, tmp_path: Path, collection: Collection) -> None:
    _round(run, tmp_path, collection, lambda collection: collection.remove_notes([_note(collection, "cross").id]))
    result = run("pull", "edited.apkg")
    assert result.exit_code == 0
    assert "cards.yaml: 1 card not in edited.apkg, kept: cross" in result.stderr
    assert (tmp_path / "cards.yaml").read_text() == DECK


def test_a_card_is_edited_in_the_file_it_lives_in(run, tmp_path: Path, collection: Collection) -> None:
    main, rest = DECK.split("  - id: cross\n")
    deck_file(tmp_path, main + "include: [more.yaml]\n")
    deck_file(tmp_path, "cards:\n  - id: cross\n" + rest, "more.yaml")
    assert run("build", "cards.yaml", "-o", "built.apkg").exit_code == 0
    import_package(collection, tmp_path / "built.apkg")
    _edit_width_and_tca(collection)
    _export(collection, tmp_path / "edited.apkg")
    before = (tmp_path / "more.yaml").read_text()
    assert run("pull", "edited.apkg").exit_code == 0
    assert _diff(before, (tmp_path / "more.yaml").read_text()) == [
        "-     deck: Treatments", "+     deck: Definition",
        "-     extra: From a 2015 review.", "+     extra: From a <i>2016</i> review.",
    ]
    main_diff = _diff(DECK, (tmp_path / "cards.yaml").read_text())
    assert "+     answer: Less than <b>3</b> mm   # as the article says" in main_diff


def test_the_shipped_deck_survives_a_pull_of_its_own_export(run, tmp_path: Path, collection: Collection) -> None:
    for name in ("cards.yaml", "cards.lock"):
        shutil.copy(ROOT / name, tmp_path / name)
    shutil.copytree(ROOT / "images", tmp_path / "images")
    assert run("build", "cards.yaml", "-o", "built.apkg").exit_code == 0
    import_package(collection, tmp_path / "built.apkg")
    _export(collection, tmp_path / "exported.apkg", scheduling=True)
    result = run("pull", "exported.apkg")
    assert result.exit_code == 0 and "pulled 0 cards" in result.stdout
    assert (tmp_path / "cards.yaml").read_bytes() == (ROOT / "cards.yaml").read_bytes()


def _add_boxcar(collection: Collection) -> None:
    """A note of the deck's with a new picture, and one of another deck."""
    collection.media.write_data("boxcar.svg", (ROOT / "images" / "v-shaped-scar.svg").read_bytes())
    note = collection.new_note(_note(collection, "width").note_type())
    note["Front"] = "What is a boxcar scar?"
    note["Back"] = 'A wide scar with sharp edges <img src="boxcar.svg">'
    note["Source"] = _note(collection, "width")["Source"]  # the deck's citation: cited by its key
    note.tags = ["morphology"]
    collection.add_note(note, collection.decks.id("Dermatology::Scars::Definition"))
    other = collection.new_note(note.note_type())
    other["Front"], other["Back"] = "Elsewhere", "Not this deck's"
    collection.add_note(other, collection.decks.id("Default"))


def test_a_note_added_in_anki_becomes_a_card_with_its_picture(run, tmp_path: Path, collection: Collection) -> None:
    _round(run, tmp_path, collection, _add_boxcar)
    guid = collection.get_note(collection.find_notes('"front:What is a boxcar scar?"')[0]).guid
    result = run("pull", "edited.apkg")
    assert result.exit_code == 0
    assert "edited.apkg: 1 note of other decks, left alone" in result.stderr
    assert "cards.yaml: added 1 new card: boxcar-scar" in result.stdout
    assert (tmp_path / "media" / "boxcar.svg").read_bytes() == (ROOT / "images" / "v-shaped-scar.svg").read_bytes()
    assert _diff(DECK, (tmp_path / "cards.yaml").read_text()) == [
        "+   - id: boxcar-scar",
        '+     question: "What is a boxcar scar?"',  # (written as `deck import` writes a card)
        '+     answer: "A wide scar with sharp edges ![](media/boxcar.svg)"',
        "+     tags: [morphology]",
        "+     source: huizen-2019",
        "+     deck: Definition",
        f"+     guid: {json.dumps(guid)}",
    ]
    _rebuilt_over(run, tmp_path, collection)


def test_a_new_note_whose_guid_a_deck_file_cannot_keep_is_not_added(run, tmp_path: Path,
                                                                    collection: Collection) -> None:
    def add_with_bad_guid(collection: Collection) -> None:
        note = collection.new_note(_note(collection, "width").note_type())
        note["Front"], note["Back"] = "What is a rolling scar?", "A wavy one"
        collection.add_note(note, collection.decks.id("Dermatology::Scars"))
        collection.db.execute("update notes set guid = ? where id = ?", 'g"\n  - id: injected', note.id)

    _round(run, tmp_path, collection, add_with_bad_guid)
    result = run("pull", "edited.apkg")
    assert result.exit_code == 0 and "added" not in result.stdout
    assert ("note 'g\"\\n  - id: injected': not added: its GUID is not one a deck file can keep (up to 64 printable "
            "characters without spaces); add the card by hand") in result.stderr
    assert (tmp_path / "cards.yaml").read_text() == DECK


def test_a_picture_whose_name_is_taken_is_an_error_and_nothing_changes(run, tmp_path: Path,
                                                                       collection: Collection) -> None:
    _round(run, tmp_path, collection, _add_boxcar)
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "boxcar.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    result = run("pull", "edited.apkg")
    assert result.exit_code == 1
    assert "media/boxcar.svg exists and is not the file of that name in the package" in result.stderr
    assert (tmp_path / "cards.yaml").read_text() == DECK
    assert (tmp_path / "media" / "boxcar.svg").read_text() == "<svg xmlns='http://www.w3.org/2000/svg'/>"


OWN_TYPE = """\
deck:
  id: german
  name: German
note-types:
  Vocabulary:
    id: "1600000000123"
    fields: [Word, Meaning, {name: Example, format: html}]
    templates:
      - name: Recognise
        front: "{{Word}}"
        back: "{{FrontSide}}<hr id=answer>{{Meaning}}{{#Example}}<br>{{Example}}{{/Example}}"
cards:
  - id: haus
    type: Vocabulary
    fields: {Word: Haus, Meaning: "*house*", Example: "<div>Das Haus ist alt.</div>"}
  - id: baum
    type: Vocabulary
    fields:
      Word: Baum
      Meaning: tree  # a plain value
"""


def test_fields_of_a_decks_own_note_type_come_back_in_their_format(run, tmp_path: Path,
                                                                   collection: Collection) -> None:
    def edit(collection: Collection) -> None:
        haus = _note(collection, "haus", "german")
        haus["Example"] = "<div>Das Haus ist <span style=\"color: red\">neu</span>.</div>"
        collection.update_note(haus)
        baum = _note(collection, "baum", "german")
        baum["Meaning"] = "a <b>tall</b> tree"
        collection.update_note(baum)

    _round(run, tmp_path, collection, edit, text=OWN_TYPE)
    assert run("pull", "edited.apkg").exit_code == 0
    assert _diff(OWN_TYPE, (tmp_path / "cards.yaml").read_text()) == [
        '-     fields: {Word: Haus, Meaning: "*house*", Example: "<div>Das Haus ist alt.</div>"}',
        '+     fields: {Word: Haus, Meaning: "*house*", Example: "<div>Das Haus ist <span style=\\"color: red\\">neu'
        '</span>.</div>"}',
        "-       Meaning: tree  # a plain value",
        "+       Meaning: a <b>tall</b> tree  # a plain value",
    ]
    _rebuilt_over(run, tmp_path, collection)
    assert _note(collection, "baum", "german")["Meaning"] == "a <b>tall</b> tree"


def test_a_folder_deck_is_edited_file_by_file(run, tmp_path: Path, collection: Collection) -> None:
    main, rest = DECK.split("  - id: cross\n")
    folder = tmp_path / "scars"
    folder.mkdir()
    deck_file(folder, main, "10-main.yaml")
    deck_file(folder, "cards:\n  - id: cross\n" + rest, "20-more.yaml")
    assert run("build", "scars", "-o", "built.apkg").exit_code == 0
    import_package(collection, tmp_path / "built.apkg")
    _edit_width_and_tca(collection)
    _export(collection, tmp_path / "edited.apkg")
    assert run("pull", "edited.apkg", "scars").exit_code == 0
    assert _diff(main, (folder / "10-main.yaml").read_text()) == [
        "-     answer: Less than 2 mm   # as the article says",
        "+     answer: Less than <b>3</b> mm   # as the article says",
        "-     tags: [morphology, scars::ice-pick]",
        "+     tags: [morphology, scars::ice-pick, exam]",
    ]
    assert _diff("cards:\n  - id: cross\n" + rest, (folder / "20-more.yaml").read_text()) == [
        "-     deck: Treatments", "+     deck: Definition",
        "-     extra: From a 2015 review.", "+     extra: From a <i>2016</i> review.",
    ]


def test_what_cannot_be_pulled_from_changes_nothing(run, tmp_path: Path) -> None:
    deck_file(tmp_path, DECK)
    (tmp_path / "broken.apkg").write_bytes(b"not a zip")
    result = run("pull", "broken.apkg")
    assert result.exit_code == 1 and result.stderr == (
        "Error: broken.apkg: not an Anki package (an .apkg is a zip file, and this is not one)\n")
    deck_file(tmp_path, DECK.replace("    answer: Less", "    anwser: Less"))
    result = run("pull", "broken.apkg")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "cards.yaml:16:5: error: card 'width': unknown key 'anwser'; did you mean 'answer'?" in result.stderr
    assert (tmp_path / "cards.yaml").read_text() == DECK.replace("    answer: Less", "    anwser: Less")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["broken.apkg", "cards.yaml"]


def _move_masks(collection: Collection) -> None:
    """What Anki's image occlusion editor writes: a mask moved, one added, `<br>` between them; and
    the header, extra and tags changed."""
    note = _note(collection, "layers", "pictures")
    note["Occlusion"] = ("{{c1::image-occlusion:rect:left=.1:top=.1:width=.25:height=.12:oi=1}}<br>"
                         "{{c2::image-occlusion:ellipse:left=.4:top=.45:rx=.1:ry=.075:oi=1}}<br>"
                         "{{c2::image-occlusion:polygon:points=.7,.1 .95,.1 .82,.35:oi=1}}<br>"
                         "{{c3::image-occlusion:rect:left=.5:top=.8:width=.2:height=.1:oi=1}}<br>")
    note["Header"] = "TCA CROSS: name the <b>part</b>"
    note["Back Extra"] = "Applied only inside the scar, with a toothpick."
    note.tags = ["pictures", "exam"]
    collection.update_note(note)


def test_masks_moved_in_anki_s_editor_come_back_in_place(run, tmp_path: Path, collection: Collection,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    picture_deck(tmp_path)
    _round(run, tmp_path, collection, _move_masks, text=PICTURE_DECK)
    result = run("pull", "edited.apkg", "cards.yaml")
    assert result.exit_code == 0 and "pulled 1 card from edited.apkg: layers" in result.stdout
    after = (tmp_path / "cards.yaml").read_text()
    assert _diff(PICTURE_DECK, after) == [
        '-     header: "TCA CROSS: *name* the part"',
        "+     header: \"TCA CROSS: name the <b>part</b>\"",
        "-     extra: Applied only inside the scar.",
        "+     extra: Applied only inside the scar, with a toothpick.",  # (a comma is text in a block mapping)
        "-     tags: [pictures]",
        "+     tags: [pictures, exam]",
        "-       - {shape: rect, left: 0.05, top: 0.10, width: 0.25, height: 0.12}",  # the one moved: the others stay
        "+       - {shape: rect, left: 0.1, top: 0.1, width: 0.25, height: 0.12}",
        "+       - {shape: rect, left: 0.5, top: 0.8, width: 0.2, height: 0.1}",
    ]
    # The rebuilt note is the one edited in Anki: the same masks on the same cards, header, extra, tags.
    edited = _note(collection, "layers", "pictures")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(time.time()) + 60))  # the build after the edit in Anki
    assert run("build", "cards.yaml", "-o", "rebuilt.apkg").exit_code == 0
    log = import_package(collection, tmp_path / "rebuilt.apkg")
    assert (len(log.conflicting), len(log.new)) == (0, 0)
    rebuilt = _note(collection, "layers", "pictures")
    assert rebuilt["Occlusion"] == edited["Occlusion"].replace("<br>", "")
    assert [rebuilt[name] for name in ("Image", "Header", "Back Extra", "Comments")] == [
        edited[name] for name in ("Image", "Header", "Back Extra", "Comments")]
    assert sorted(rebuilt.tags) == sorted(edited.tags) and len(rebuilt.cards()) == 3


def test_masks_a_picture_card_cannot_hold_are_reported_and_not_pulled(run, tmp_path: Path,
                                                                      collection: Collection) -> None:
    def label(collection: Collection) -> None:
        note = _note(collection, "layers", "pictures")
        note["Occlusion"] += "{{c3::image-occlusion:text:left=.5:top=.5:text=Dermis:oi=1}}"
        collection.update_note(note)

    picture_deck(tmp_path)
    _round(run, tmp_path, collection, label, text=PICTURE_DECK)
    result = run("pull", "edited.apkg", "cards.yaml")
    assert result.exit_code == 0 and "pulled 0 cards" in result.stdout
    assert ("card 'layers': its masks changed in Anki, but are not pulled: a 'text' shape, which deck's masks cannot "
            "hold (rect, ellipse, polygon)") in result.stderr
    assert (tmp_path / "cards.yaml").read_text() == PICTURE_DECK


def test_a_picture_note_added_in_anki_becomes_a_picture_card(run, tmp_path: Path, collection: Collection) -> None:
    def add(collection: Collection) -> None:
        shutil.copy(tmp_path / "images" / "tca-cross.svg", tmp_path / "second.svg")
        collection.add_image_occlusion_note(
            1_794_201_564, str(tmp_path / "second.svg"),  # deck's own image occlusion type, as Anki's editor uses it
            "{{c1::image-occlusion:rect:left=.1:top=.2:width=.3:height=.1}}"
            "{{c2::image-occlusion:polygon:points=.5,.5 .9,.5 .7,.9}}", "Second picture", "", ["pictures"])
        added = collection.get_note(max(collection.find_notes("")))
        collection.set_deck([card.id for card in added.cards()], collection.decks.id("Pictures"))

    picture_deck(tmp_path)
    _round(run, tmp_path, collection, add, text=PICTURE_DECK)
    result = run("pull", "edited.apkg", "cards.yaml")
    assert result.exit_code == 0 and "added 1 new card: second-picture" in result.stdout
    added = (tmp_path / "cards.yaml").read_text()[len(PICTURE_DECK):]
    assert added.startswith("  - id: second-picture\n    type: image-occlusion\n    image: media/second.svg\n"
                            "    header: Second picture\n    hide: one\n    masks:\n"
                            "      - {shape: rect, left: 0.1, top: 0.2, width: 0.3, height: 0.1}\n"
                            "      - {shape: polygon, points: [[0.5, 0.5], [0.9, 0.5], [0.7, 0.9]]}\n"
                            "    tags: [pictures]\n"), added
    assert (tmp_path / "media" / "second.svg").read_bytes() == (tmp_path / "images" / "tca-cross.svg").read_bytes()
    assert run("build", "cards.yaml", "-o", "rebuilt.apkg").exit_code == 0


def test_a_note_of_the_deck_s_own_note_type_added_in_anki_becomes_a_card_of_it(run, tmp_path: Path,
                                                                              collection: Collection) -> None:
    from test_notetypes import VOCABULARY

    def add_word(collection: Collection) -> None:
        vocabulary = collection.models.get(1600000000123)  # type: ignore[arg-type]
        note = collection.new_note(vocabulary)  # type: ignore[arg-type]
        note["Word"], note["Meaning"] = "Baum", "<i>tree</i>"
        note["Example"] = '<div style="color: grey">Der Baum ist hoch.</div>'
        collection.add_note(note, collection.decks.id("Words"))

    _round(run, tmp_path, collection, add_word, text=VOCABULARY)
    result = run("pull", "edited.apkg")
    assert result.exit_code == 0 and "added 1 new card: tree" in result.stdout  # (named by its sort field)
    guid = collection.get_note(collection.find_notes("Word:Baum")[0]).guid
    assert _diff(VOCABULARY, (tmp_path / "cards.yaml").read_text()) == [
        "+   - id: tree", '+     type: "Vocabulary (5 fields)"', f"+     guid: {json.dumps(guid)}", "+     fields:",
        "+       Word: Baum", '+       Meaning: "<i>tree</i>"',  # (Markdown: inline HTML is Markdown too)
        '+       Example: "<div style=\\"color: grey\\">Der Baum ist hoch.</div>"',  # (an HTML field: as it is)
    ]
    _rebuilt_over(run, tmp_path, collection)
    [note_id] = collection.find_notes("Word:Baum")
    assert collection.get_note(note_id)["Example"] == '<div style="color: grey">Der Baum ist hoch.</div>'
