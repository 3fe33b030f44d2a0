"""`deck export --csv` and `deck import`, checked against what real Anki collections hold."""

from __future__ import annotations

import sys
from pathlib import Path, PurePosixPath

import pytest
from anki.collection import Collection, ExportAnkiPackageOptions, ImportCsvRequest
from anki.models import MODEL_CLOZE

from deck import pipeline, render
from deck.interop.export import export_csv
from deck.interop.importer import ImportFailed, import_deck
from deck.interop.interchange import Converted, citation_parts, to_markdown
from deck.notetypes import IMAGE_OCCLUSION, NOTE_TYPES
from tests.conftest import EXAMPLE_DECK, build, deck_file, import_package

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
MP3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\x00" * 32

# EXAMPLE_DECK (basic, reversed, cloze; a source, tags, subdecks, a description) and more: a
# type-in card with sound, and a card whose fields hold what CSV and Markdown must escape.
DECK = EXAMPLE_DECK + r"""
  - id: tca-name
    type: type-in
    question: What does *TCA* stand for?
    answer: trichloroacetic acid
    tags: [chemistry]
    audio: sounds/tca.mp3
  - id: symbols
    guid: "#starts-like-a-comment"
    question: "Width <2 mm, a & b; \"quoted\",\ttab, 5 \\* 3, snake\\_case, \\# no heading, | pipe"
    answer: |-
      Steps, with a picture ![V-shaped *scar*](images/v-scar.png):

      1. *Clean* the skin
      2. Apply **TCA** <sub>100%</sub>, then [read more](https://example.com/?a=1&b=2)

      | dose | weeks |
      |---|:-:|
      | 100% | 2-4 |
    extra: "# A heading\n\n- a list\n- of `code`\n\n1\\. not a list\\\nx > y"
    deck: Treatments::Chemical
"""


def deck_folder(folder: Path, text: str = DECK) -> Path:
    (folder / "images").mkdir(parents=True)
    (folder / "sounds").mkdir()
    (folder / "images" / "v-scar.png").write_bytes(PNG)
    (folder / "sounds" / "tca.mp3").write_bytes(MP3)
    return deck_file(folder, text)


def open_collection(folder: Path) -> Collection:
    folder.mkdir(parents=True)
    return Collection(str(folder / "collection.anki2"))


def add_deck_note_types(col: Collection) -> None:
    """What a student's collection has after importing a deck's package once: deck's note types."""
    for note_type in NOTE_TYPES.values():
        model = col.models.new(note_type.name)
        if note_type.cloze:
            model["type"] = MODEL_CLOZE
        for name in note_type.fields:
            col.models.add_field(model, col.models.new_field(name))
        for name, front, back in note_type.templates:
            template = col.models.new_template(name)
            template["qfmt"], template["afmt"] = front, back
            col.models.add_template(model, template)
        model["css"] = note_type.css
        col.models.add(model)


def import_csv(col: Collection, path: Path):
    """Import with the defaults the file's header lines give, as a student does."""
    metadata = col.get_csv_metadata(path=str(path), delimiter=None)
    log = col.import_csv(ImportCsvRequest(path=str(path), metadata=metadata)).log
    col.models._clear_cache()
    return log


def snapshot(col: Collection) -> dict[str, tuple]:
    """Every note by GUID: note type, fields, tags, the decks of its cards and its card count."""
    notes = {}
    for note_id in col.find_notes(""):
        note = col.get_note(note_id)
        cards = note.cards()
        notes[note.guid] = (note.note_type()["name"], list(note.fields), sorted(note.tags),
                            sorted(col.decks.name(card.did) for card in cards), len(cards))
    return notes


def packaged(tmp_path: Path, package: Path, name: str) -> dict[str, tuple]:
    col = open_collection(tmp_path / name)
    try:
        log = import_package(col, package)
        assert len(log.new) == col.note_count()
        return snapshot(col)
    finally:
        col.close()


@pytest.fixture
def original(tmp_path: Path) -> tuple[Path, dict[str, tuple]]:
    """The deck built into a package, and the notes Anki has after importing it."""
    source = tmp_path / "source"
    package = build(source, deck_folder(source).read_text())
    notes = packaged(tmp_path, package, "original")
    assert len(notes) == 5 and {kind for kind, *_ in notes.values()} == {t.name for t in NOTE_TYPES.values()} - {
        IMAGE_OCCLUSION.name}  # (a picture's masks have no text to export: test_occlusion.py)
    return package, notes


# Feature 1: deck export --csv


@pytest.mark.parametrize("separator", ["tab", "comma"])
def test_csv_import_gives_the_same_notes_as_the_package(tmp_path: Path, original, separator: str) -> None:
    _, notes = original
    checked, exported = export_csv(str(tmp_path / "source" / "cards.yaml"), tmp_path / "deck.csv", separator)
    assert exported is not None and exported.notes == 5
    assert exported.media == ["tca.mp3", "v-scar.png"]  # referenced, but not in the text file
    col = open_collection(tmp_path / "student")
    try:
        add_deck_note_types(col)
        log = import_csv(col, tmp_path / "deck.csv")
        assert (len(log.new), len(log.updated), len(log.missing_notetype)) == (5, 0, 0)
        assert snapshot(col) == notes
        assert "#starts-like-a-comment" in notes
        # Importing the file again updates the same notes instead of adding new ones.
        log = import_csv(col, tmp_path / "deck.csv")
        assert (len(log.new), len(log.duplicate)) == (0, 5)
        assert col.note_count() == 5
    finally:
        col.close()


def test_csv_after_the_package_finds_every_note_it_has(tmp_path: Path, original) -> None:
    package, notes = original
    export_csv(str(tmp_path / "source" / "cards.yaml"), tmp_path / "deck.csv")
    col = open_collection(tmp_path / "student")
    try:
        import_package(col, package)
        log = import_csv(col, tmp_path / "deck.csv")
        assert (len(log.new), len(log.updated), len(log.duplicate)) == (0, 0, 5)
        assert snapshot(col) == notes
    finally:
        col.close()


def test_csv_header_lines_say_what_each_column_is(tmp_path: Path) -> None:
    path = deck_file(tmp_path, EXAMPLE_DECK)
    export_csv(str(path), tmp_path / "deck.csv")
    lines = (tmp_path / "deck.csv").read_text(encoding="utf-8").splitlines()
    assert lines[:6] == ["#separator:tab", "#html:true", "#guid column:1", "#notetype column:2",
                         "#deck column:3", "#tags column:9"]
    cloze = lines[8].split("\t")
    assert cloze[1:3] == ['"deck-cloze"', '"Dermatology::Scars::Treatments"'] and len(cloze) == 9


def test_export_writes_nothing_for_an_invalid_deck(tmp_path: Path) -> None:
    path = deck_file(tmp_path, EXAMPLE_DECK.replace("answer: Less than 2 mm", "anwser: Less than 2 mm"))
    checked, exported = export_csv(str(path), tmp_path / "deck.csv")
    assert exported is None and checked.problems
    assert not (tmp_path / "deck.csv").exists()


# Feature 2: deck import


def test_package_round_trip_keeps_every_note(tmp_path: Path, original) -> None:
    package, notes = original
    (tmp_path / "imported").mkdir()
    imported = import_deck(package, tmp_path / "imported" / "cards.yaml")  # (media/ is made in it)
    assert (imported.cards, imported.messages, imported.problems) == (5, [], [])
    assert imported.media == ["tca.mp3", "v-scar.png"]
    assert (tmp_path / "imported" / "media" / "v-scar.png").read_bytes() == PNG
    text = imported.out.read_text(encoding="utf-8")
    assert 'guid: "#starts-like-a-comment"' in text and 'audio: media/tca.mp3' in text
    assert '  description: "Cards about <strong>scars</strong>."' in text
    assert pipeline.check(str(imported.out)).ok
    rebuilt = build(tmp_path / "imported", text, "rebuilt.apkg")
    assert packaged(tmp_path, rebuilt, "rebuilt") == notes  # every field, the source and sound included


def test_media_files_are_not_overwritten_unless_forced(tmp_path: Path, original) -> None:
    package, _ = original
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "v-scar.png").write_bytes(b"someone else's picture")
    with pytest.raises(ImportFailed, match="v-scar.png"):
        import_deck(package, tmp_path / "cards.yaml")
    assert not (tmp_path / "cards.yaml").exists()
    assert (tmp_path / "media" / "v-scar.png").read_bytes() == b"someone else's picture"
    assert import_deck(package, tmp_path / "cards.yaml", force=True).problems == []
    assert (tmp_path / "media" / "v-scar.png").read_bytes() == PNG


def test_csv_round_trip_keeps_every_note(tmp_path: Path, original) -> None:
    _, notes = original
    export_csv(str(tmp_path / "source" / "cards.yaml"), tmp_path / "deck.csv")
    # A text file names media files; they are looked up beside it, as in Anki's media folder.
    (tmp_path / "v-scar.png").write_bytes(PNG)
    (tmp_path / "tca.mp3").write_bytes(MP3)
    (tmp_path / "imported").mkdir()
    imported = import_deck(tmp_path / "deck.csv", tmp_path / "imported" / "cards.yaml")
    assert (imported.cards, imported.messages, imported.problems) == (5, [], [])
    rebuilt = build(tmp_path / "imported", imported.out.read_text(encoding="utf-8"), "rebuilt.apkg")
    assert packaged(tmp_path, rebuilt, "rebuilt") == notes


def stock_package(tmp_path: Path, legacy: bool) -> dict[str, str]:
    """german.apkg, exported by Anki from notes of its stock note types and one of its own; returns
    each note's GUID by note type."""
    col = open_collection(tmp_path / "author")
    try:
        vocabulary = col.models.new("Vocabulary")
        for name in ("Word", "Meaning"):
            col.models.add_field(vocabulary, col.models.new_field(name))
        template = col.models.new_template("Card 1")
        template["qfmt"], template["afmt"] = "{{Word}}", "{{Meaning}}"
        col.models.add_template(vocabulary, template)
        col.models.add(vocabulary)
        german, animals = col.decks.id("Languages::German"), col.decks.id("Languages::German::Animals")
        guids = {}
        for note_type, fields, tags, deck in (
            ("Basic", ["Hund", '<div>dog</div><div><span style="color:red">a *pet*</span></div>'], ["nouns", "a:b"],
             german),
            ("Cloze", ["Der {{c1::Hund}} bellt.", "barks"], ["grammar:case::nominativ"], german),
            ("Basic (optional reversed card)", ["Katze", "cat", "y"], ["nouns"], animals),
            ("Basic (type in the answer)", ["Maus", "mouse"], [], animals),
            ("Vocabulary", ["Haus", "house"], [], german),
        ):
            note = col.new_note(col.models.by_name(note_type))
            note.fields[:] = fields
            note.tags = tags
            col.add_note(note, deck)
            guids[note_type] = note.guid
        options = ExportAnkiPackageOptions(with_scheduling=False, with_deck_configs=False, with_media=True,
                                           legacy=legacy)
        col.export_anki_package(out_path=str(tmp_path / "german.apkg"), options=options, limit=None)
        return guids
    finally:
        col.close()


@pytest.mark.parametrize("legacy", [False, True], ids=["modern", "legacy"])
def test_a_package_keeps_its_own_note_types(tmp_path: Path, legacy: bool) -> None:
    """Anki's stock types and the author's own are declared as the package has them (never matched by
    name), so the rebuilt deck updates the author's notes instead of conflicting with them."""
    guids = stock_package(tmp_path, legacy)
    imported = import_deck(tmp_path / "german.apkg", tmp_path / "cards.yaml")
    assert imported.cards == 5 and imported.problems == []
    assert imported.messages == []  # the tag 'a:b' too: Anki keeps a single ':' in a tag, and so does deck
    text = imported.out.read_text(encoding="utf-8")
    assert 'name: "Languages::German"' in text
    assert '      - {name: "Back", format: html}' in text  # a <div> and a <span style> Markdown cannot say
    built = build(tmp_path, text, "converted.apkg")
    notes = packaged(tmp_path, built, "converted")
    author = Collection(str(tmp_path / "author" / "collection.anki2"))
    try:
        log = import_package(author, built)
        assert (len(log.conflicting), len(log.new), author.note_count()) == (0, 0, 5)
    finally:
        author.close()
    # (In a collection that has Anki's stock types, as every student's does, Anki renames a new
    # note type whose name is taken: 'Basic+'. The author's own collection keeps its names.)
    assert {guid: (kind.rstrip("+"), fields, tags, decks) for guid, (kind, fields, tags, decks, _) in notes.items()} == {
        guids["Basic"]: ("Basic", ["Hund", '<div>dog</div><div><span style="color:red">a *pet*</span></div>'],
                         ["a:b", "nouns"], ["Languages::German"]),
        guids["Cloze"]: ("Cloze", ["Der {{c1::Hund}} bellt.", "barks"], ["grammar:case::nominativ"],
                         ["Languages::German"]),
        guids["Basic (optional reversed card)"]: ("Basic (optional reversed card)", ["Katze", "cat", "y"], ["nouns"],
                                                  ["Languages::German::Animals"] * 2),
        guids["Basic (type in the answer)"]: ("Basic (type in the answer)", ["Maus", "mouse"], [],
                                              ["Languages::German::Animals"]),
        guids["Vocabulary"]: ("Vocabulary", ["Haus", "house"], [], ["Languages::German"]),
    }


def test_what_a_package_holds_that_the_build_refuses_is_said_once_where_it_is(tmp_path: Path) -> None:
    col = open_collection(tmp_path / "author")
    try:
        basic = col.models.by_name("Basic")
        assert basic is not None
        note = col.new_note(basic)
        note.fields[:] = ["Hund", '<div>dog<script>go()</script> <img src="https://example.invalid/d.png?a&amp;b"></div>']
        col.add_note(note, col.decks.id("Tiere"))
        col.export_anki_package(out_path=str(tmp_path / "tiere.apkg"), options=ExportAnkiPackageOptions(), limit=None)
    finally:
        col.close()
    imported = import_deck(tmp_path / "tiere.apkg", tmp_path / "cards.yaml")
    assert imported.messages == []
    line = imported.out.read_text(encoding="utf-8").splitlines()[26]
    assert [(problem.line, problem.column, problem.code) for problem in imported.problems] == [
        (27, line.index("<script>") + 1, "html-script"), (27, line.index("https:") + 1, "remote-image")]
    assert "remote image 'https://example.invalid/d.png?a&b' would be fetched" in imported.problems[1].message


def test_sounds_and_videos_in_html_are_packed_or_refused_as_pictures_are(tmp_path: Path) -> None:
    """Anki finds media by <audio>, <video> and <source> too: a sound is packed, a video (which deck
    does not pack) is an error at its place, not a file silently left out of the package."""
    col = open_collection(tmp_path / "author")
    try:
        (Path(col.media.dir()) / "bark.mp3").write_bytes(MP3)
        (Path(col.media.dir()) / "run.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(32))
        basic = col.models.by_name("Basic")
        assert basic is not None
        for fields in (["Hund", '<div>dog <audio controls src="bark.mp3"></audio></div>'],
                       ["Lauf", '<div>run <video src="run.mp4"></video></div>']):
            note = col.new_note(basic)
            note.fields[:] = fields
            col.add_note(note, col.decks.id("Tiere"))
        col.export_anki_package(out_path=str(tmp_path / "tiere.apkg"), options=ExportAnkiPackageOptions(with_media=True),
                                limit=None)
    finally:
        col.close()
    imported = import_deck(tmp_path / "tiere.apkg", tmp_path / "cards.yaml")
    assert imported.messages == ["card 'lauf': Back: 'run.mp4' is not a sound file; use one of: .m4a, .mp3, .ogg, .wav"]
    assert [problem.message for problem in imported.problems] == [
        f"card 'lauf': 'run.mp4' does not exist (looked in {tmp_path})"]  # (not copied: the build would refuse it)
    assert (tmp_path / "media" / "bark.mp3").read_bytes() == MP3
    text = imported.out.read_text(encoding="utf-8")
    built = build(tmp_path, text[:text.index("  - id: lauf")], "tiere-rebuilt.apkg")  # (the last card)
    b = open_collection(tmp_path / "b")
    try:
        import_package(b, built)
        assert (Path(b.media.dir()) / "bark.mp3").read_bytes() == MP3
        assert 'src="bark.mp3"' in b.get_note(b.find_notes("")[0])["Back"]
    finally:
        b.close()


def test_a_plain_text_file_with_anki_headers(tmp_path: Path) -> None:
    (tmp_path / "words.txt").write_text(
        "#separator:Comma\n#html:false\n#notetype:Basic\n#deck:Words\n#tags:imported\n"
        'big,"large, <huge>"\nsmall,\n', encoding="utf-8")
    imported = import_deck(tmp_path / "words.txt", tmp_path / "cards.yaml")
    assert imported.cards == 1 and imported.problems == []
    assert imported.messages == [
        "note 'small': skipped: its answer is empty",
        "1 of 1 card has no usable GUID in words.txt: Anki will add it as a new note, beside any copies it "
        "already has",
    ]
    checked = pipeline.check(str(imported.out))
    assert checked.deck is not None and checked.deck.deck.name == "Words"
    assert [(note.fields[:2], note.tags) for note in checked.notes] == [(("big", "large, &lt;huge&gt;"), ("imported",))]


def test_import_refuses_to_overwrite_unless_forced(tmp_path: Path) -> None:
    (tmp_path / "words.csv").write_text("#notetype:Basic\nq;a\n", encoding="utf-8")
    (tmp_path / "cards.yaml").write_text("mine\n", encoding="utf-8")
    with pytest.raises(ImportFailed, match="exists"):
        import_deck(tmp_path / "words.csv", tmp_path / "cards.yaml")
    assert (tmp_path / "cards.yaml").read_text(encoding="utf-8") == "mine\n"
    assert import_deck(tmp_path / "words.csv", tmp_path / "cards.yaml", force=True).cards == 1


def test_what_a_text_import_drops_is_said_and_the_rest_is_kept(run, tmp_path: Path) -> None:
    """A row left empty by what could not be kept says why; a picture not beside the file stays, for the
    build to ask for, unless Anki would not take its name; a deck name loses its control characters."""
    (tmp_path / "words.txt").write_text(
        "#separator:tab\n#html:true\n#deck:Wör\x1bter\n"
        'outside\t<img src="../x.png">\n'
        'quoted\t<img src="missing&quot;.png">\n'
        'lacking\t<img src="later.png">\n', encoding="utf-8")
    result = run("import", "words.txt")
    assert result.exit_code == 1
    assert result.stdout == "wrote cards.yaml: 1 card\n"  # (and what the build would stop at, to fix)
    assert result.stderr.splitlines() == [
        "removed control characters from deck names",
        "note 'outside': skipped: its answer is empty",
        "note 'outside': answer: dropped image '../x.png': '../x.png' is not beside words.txt",
        "note 'quoted': skipped: its answer is empty",
        "note 'quoted': answer: dropped image 'missing\".png': file name 'missing\".png' has characters Anki does not "
        "allow in media names; rename it",
        "1 media file the notes use is not beside words.txt: later.png; the cards refer to media/, beside the deck file: "
        "put it there",
        "1 of 1 card has no usable GUID in words.txt: Anki will add it as a new note, beside any copies it already has",
        "cards.yaml:8:18: error: card 'lacking': 'media/later.png' does not exist (looked in "
        f"{tmp_path})",
        "cards.yaml: 1 error"]
    assert "  name: Wörter\n" in (tmp_path / "cards.yaml").read_text(encoding="utf-8")
    assert (tmp_path / "media").is_dir()


@pytest.mark.parametrize("text", [
    "#separator:Pipe\n#notetype:Basic\n#columns:Back|Front\nANSWER|QUESTION\n",  # named columns, any order
    "#separator:Pipe\n#notetype:Basic\nq|a|t1 t2\nr|b|t3\n",  # the column after the fields is tags
    "#separator:Pipe\n#notetype:Basic\n#columns:Front|Notes|Back|Tags\nq|n|a|t1\n",  # a column not a field
    "#separator:Pipe\n#notetype:Cloze\n#tags column:1\ntag|{{c1::x}} y|more\n",
    "#separator:Pipe\n#notetype column:1\nBasic|q|a\nCloze|{{c1::x}}|extra\n",  # no tags column then
    '#separator:Tab\n#html:false\n"multi\nline"\tA&B <x>\n',  # text, not HTML: escaped, lines broken
    '#separator:Tab\nq1\ta1\nq2\t"x\ny"\n',  # no '#html': text, as no row has a tag
    '#separator:Tab\nq3\t<b>x</b>\nq4\t"x\ny"\n',  # HTML, as a row has one
    "#separator:Tab\nAT&amp;T\t&lt;tag&gt;\n",  # text: its entities shown as written
    "#separator:Tab\nq\ta\n# a comment\tx\nr\tb\n",  # a row starting with '#' is a comment
    "#separator:Comma\nq1,a1\nq2,a2,t1\n",  # the first row says how many columns there are
])
def test_a_text_file_gives_the_fields_and_tags_anki_gives(tmp_path: Path, text: str) -> None:
    (tmp_path / "notes.txt").write_text(text, encoding="utf-8")
    imported = import_deck(tmp_path / "notes.txt", tmp_path / "cards.yaml")
    assert imported.problems == []
    ours = {(note.fields[:2], tuple(sorted(card.tags))) for (card, _), note in zip(pipeline.check(str(imported.out)).cards,
                                                                                   pipeline.check(str(imported.out)).notes)}
    col = open_collection(tmp_path / "anki")
    try:
        import_csv(col, tmp_path / "notes.txt")
        anki = {(tuple(note.fields[:2]), tuple(sorted(note.tags))) for note in map(col.get_note, col.find_notes(""))}
    finally:
        col.close()
    assert ours == anki and len(anki) == len(pipeline.check(str(imported.out)).notes)


def test_what_is_dropped_from_many_cards_is_said_once(tmp_path: Path) -> None:
    rows = "".join(f'q{number}\ta<hr id="x">b\n' for number in range(5))
    (tmp_path / "notes.txt").write_text("#separator:tab\n" + rows + 'q\t<b id="y">c</b>\n', encoding="utf-8")
    imported = import_deck(tmp_path / "notes.txt", tmp_path / "cards.yaml")
    assert imported.messages[:2] == ["5 cards: answer: dropped id on <hr> ('q0', 'q1', 'q2' and 2 more)",
                                     "card 'q': answer: dropped id on <b>"]


def test_a_text_file_of_stock_notes_with_guids_says_students_will_not_get_updates(tmp_path: Path) -> None:
    """Anki's own export with GUIDs: the notes become deck's card types, which Anki will not put in
    place of the students' stock notes (it counts them as conflicting): the import says so."""
    col = open_collection(tmp_path / "author")
    try:
        for name, fields in (("Basic", ["Hund", "dog"]), ("Cloze", ["Der {{c1::Hund}}", ""])):
            note = col.new_note(col.models.by_name(name))  # type: ignore[arg-type]
            note.fields[:] = fields
            col.add_note(note, col.decks.id("Tiere"))
        col.export_note_csv(out_path=str(tmp_path / "tiere.txt"), limit=None, with_html=True, with_tags=True,
                            with_deck=True, with_notetype=True, with_guid=True)
    finally:
        col.close()
    imported = import_deck(tmp_path / "tiere.txt", tmp_path / "cards.yaml")
    assert (imported.cards, imported.problems) == (2, [])
    assert imported.messages == [
        "the notes with a GUID are of Anki's stock note types (1 Basic, 1 Cloze), and become cards of deck's here: "
        "Anki does not change a note's type on import, so students who have them will not get the changes (it "
        "counts them as conflicting); import the deck's .apkg instead, which keeps its note types"]
    built = build(tmp_path, imported.out.read_text(encoding="utf-8"), "tiere.apkg")
    col = Collection(str(tmp_path / "author" / "collection.anki2"))
    try:
        log = import_package(col, built)
        assert (len(log.conflicting), len(log.new)) == (2, 0)  # (what the message says)
    finally:
        col.close()


def test_notes_in_several_top_level_decks_go_below_one(tmp_path: Path) -> None:
    (tmp_path / "words.txt").write_text("#separator:Pipe\n#deck column:3\nq|a|French\nr|b|Spanish::Verbs\n",
                                        encoding="utf-8")
    imported = import_deck(tmp_path / "words.txt", tmp_path / "cards.yaml")
    assert imported.messages[0] == (
        "the notes are in 2 top-level decks ('French', 'Spanish'), and a deck file has one: they go below 'words' "
        "(new students get 'words::French'; students who have the cards keep them where they are)")
    checked = pipeline.check(str(imported.out))
    assert checked.deck is not None and checked.deck.deck.name == "words"
    assert sorted(str(note.subdeck) for note in checked.notes) == ["French", "Spanish::Verbs"]


def test_a_row_without_a_note_type_is_named_so(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("#separator:Pipe\n#notetype column:3\nq|a|Basic\nr|b\n", encoding="utf-8")
    imported = import_deck(tmp_path / "notes.txt", tmp_path / "cards.yaml")
    assert (imported.cards, imported.messages[0]) == (1, "skipped 1 note whose note type column is empty or missing")


def test_a_text_file_s_columns_anki_leaves_out_are_named(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("#separator:Pipe\n#columns:Front|Notes|Back|Tags|Other\nq|n|a|t|o\n",
                                        encoding="utf-8")
    imported = import_deck(tmp_path / "notes.txt", tmp_path / "cards.yaml")
    assert imported.messages[0] == ("columns 2, 5 of notes.txt are not fields of note type 'Basic': left out, as "
                                    "Anki's text import leaves them out")


def test_media_never_go_through_a_link_or_onto_a_file(tmp_path: Path) -> None:
    (tmp_path / "words.txt").write_text('#notetype:Basic\nq;<img src="p.png">\n', encoding="utf-8")
    (tmp_path / "p.png").write_bytes(PNG)
    (tmp_path / "out").mkdir()
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "out" / "media").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(ImportFailed, match="media is a symbolic link; the media go into a folder of that name"):
        import_deck(tmp_path / "words.txt", tmp_path / "out" / "cards.yaml")
    (tmp_path / "out" / "media").unlink()
    (tmp_path / "out" / "media").write_text("notes", encoding="utf-8")
    with pytest.raises(ImportFailed, match="media is not a folder"):
        import_deck(tmp_path / "words.txt", tmp_path / "out" / "cards.yaml")
    assert sorted(path.name for path in (tmp_path / "out").iterdir()) == ["media"]
    assert list((tmp_path / "elsewhere").iterdir()) == []


def test_a_text_file_without_a_note_type_is_read_as_anki_reads_it(tmp_path: Path) -> None:
    """Anki's own plain-text export has no '#notetype' line: Anki imports it as Basic, skipping a row
    whose first field is empty. Both importers give the same notes."""
    (tmp_path / "words.txt").write_text("#separator:tab\n#html:true\nHund\tdog\n\tno front\nKatze\tcat\n",
                                        encoding="utf-8")
    imported = import_deck(tmp_path / "words.txt", tmp_path / "cards.yaml")
    assert (imported.cards, imported.problems) == (2, [])
    assert imported.messages[0] == "skipped 1 row whose first field is empty, as Anki's text import does"
    col = open_collection(tmp_path / "anki")
    try:
        log = import_csv(col, tmp_path / "words.txt")
        assert (len(log.new), len(log.empty_first_field)) == (2, 1)
        anki = sorted(tuple(col.get_note(note_id).fields) for note_id in col.find_notes("note:Basic"))
    finally:
        col.close()
    checked = pipeline.check(str(imported.out))
    assert sorted(note.fields[:2] for note in checked.notes) == anki == [("Hund", "dog"), ("Katze", "cat")]


def test_a_text_file_with_nothing_to_convert_writes_nothing(run, tmp_path: Path) -> None:
    (tmp_path / "words.csv").write_text("#notetype:Vocabulary\nq;a\n\n;b\n", encoding="utf-8")
    result = run("import", "words.csv")
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.splitlines() == [
        "skipped 1 row whose first field is empty, as Anki's text import does",
        "skipped 1 note of note type 'Vocabulary': a text file's notes must be of Anki's stock note types or deck's",
        "Error: words.csv: no note could be converted; wrote nothing"]
    assert not (tmp_path / "cards.yaml").exists()


def test_reading_a_package_without_anki_names_the_extra(tmp_path: Path, original, monkeypatch) -> None:
    package, _ = original
    monkeypatch.setitem(sys.modules, "anki.collection", None)  # as if the package were not installed
    with pytest.raises(ImportFailed, match=r"pip install 'anki>=25.2'"):
        import_deck(package, tmp_path / "cards.yaml")
    assert not (tmp_path / "cards.yaml").exists()


# Field conversion: Markdown that deck rendered comes back as Markdown that renders the same.

RENDERED = [
    "Width <2 mm, a & b, {{ not a template }}", "x > y", r"\# literal", r"1\. not a list", "a  \nb", "a\nb",
    "**bold**, `code`, _em_ and [a link](https://example.com)", r"snake\_case, 5 \* 3, \[x\] \| y, \\ slash",
    "- a\n- b", "1. one\n2. two", "# Heading", "> quote", "***", "text\n===", "2019. A year",
    "Para one\n\nPara *two*", "Para\n\n- item *x*\n\nEnd", "| a | b |\n|---|:-:|\n| 1 | 2 |",
    "```\ncode *x*\n\nmore\n```", "<sub>2</sub>O and H<sup>+</sup>, a<br>b", "nbsp\xa0and\ttab",
    'Look: ![A *b*](images/x.png "title") here', "{{c1::25%}} and {{c2::a_b::hint}}", "x<br>\n- y",
    "\\~~~ not a fence\na\n\\~~~",
    "a \\| b\n\\| --- \\| --- \\|",  # no table, and so no table after conversion either
]


@pytest.mark.parametrize("markdown", RENDERED)
def test_rendered_fields_convert_back_to_the_same_html(markdown: str) -> None:
    def name(path: str) -> str:
        return PurePosixPath(path).name

    html, findings = render.to_html(markdown, name)
    assert findings == []
    converted = to_markdown(html, lambda src: f"media/{src}")
    assert converted.changes == []
    assert render.to_html(converted.markdown, name) == (html, [])


@pytest.mark.parametrize(("html", "markdown", "changes"), [
    ("<div>Front</div><div><b>bold</b>&nbsp;x</div>", "Front<br><b>bold</b>&nbsp;x",
     ["<div> lines became <br> line breaks"]),
    ('<span style="color:red">red</span> *x*', r"red \*x\*", ["dropped <span>", "dropped style on <span>"]),
    ("<script>alert(1)</script>hi", "hi", ["dropped <script>"]),
    ('<a href="javascript:x()">a</a> <a href="https://a.example" target="_blank">b</a>',
     '<a>a</a> <a href="https://a.example">b</a>', ["dropped href on <a>", "dropped target on <a>"]),
    ('<img src="https://example.com/x.png">', "", ["dropped remote image"]),
    ('<img src="missing.png">', "", ["dropped image 'missing.png': not found"]),
    ('<img src="a%20b.png" alt="A">', "![A](media/a%20b.png)", []),
    ("<ul><li><img src='a.png'> x</li></ul>", "<ul><li> x</li></ul>",
     ["dropped image 'a.png' inside a list, table, quote or heading"]),
    ("- no list<br>+ mid-line<br>\n# no", "\\- no list<br>+ mid-line<br>\n\\# no", []),
    ("a\x1fb", "ab", ["removed control characters"]),
    ("x <![) y > z", "x  z", []),  # a bogus comment, as browsers read it; Python's parser gives up on it
])
def test_anki_html_is_simplified_and_every_change_reported(html: str, markdown: str, changes: list[str]) -> None:
    def image(src: str) -> str:
        if src.startswith("missing"):
            raise ValueError("not found")
        return f"media/{src}"

    assert to_markdown(html, image) == Converted(markdown, changes)


@pytest.mark.parametrize("parts", [
    ("How to get rid of ice pick scars", "Jennifer Huizen", "Medical News Today", "2019-05-24",
     "https://www.medicalnewstoday.com/articles/325285.php"),
    ("Ends with a period.", None, None, None, None),
    ("T", "A. B. Smith", "Pub. Co", "2020", 'https://x.example/?a=1&b="2"'),
    ("Only a date", None, None, "2019", None),
    ("Only a publisher", None, "Springer", None, None),
    ("T", "A", "P", "2019", "https://x.example/", "Educational material, not medical advice."),
    ("No link, a note", None, None, None, None, "Not <advice> & more"),
])
def test_citations_are_read_back_into_their_parts(parts: tuple) -> None:
    html = render.citation(*parts)
    found = citation_parts(html)
    assert found is not None and render.citation(**found) == html
    assert found["title"] == parts[0] and found["url"] == parts[4]
    assert found["note"] == (parts[5] if len(parts) > 5 else None)


def test_an_edited_citation_is_not_guessed() -> None:
    assert citation_parts("Huizen, see page 3") is None
    assert citation_parts('“T.” P. <a href="https://a.example">elsewhere</a>') is None
