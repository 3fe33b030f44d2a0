"""Migrating an existing Anki deck: `deck import`, `deck build`, and the rebuilt package is the same
deck to Anki, updating students' notes in place (issue 17's round trip).

Each package goes into collection A; its import, built, goes into collection B: the same notes,
GUIDs, note types, cards, decks, tags, card text and media. The rebuilt package imported over A
then adds nothing and conflicts with nothing; a field edited in the deck file updates exactly that
note in A, keeping its review history.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable
from html import escape, unescape
from pathlib import Path
from urllib.parse import unquote

import pytest
from anki.collection import Collection, ExportAnkiPackageOptions, ImportCsvRequest
from anki.errors import CardTypeError

from deck import pipeline
from deck.interop.importer import import_deck
from deck.problems import Problem
from tests.conftest import import_package

REALWORLD = Path(__file__).resolve().parents[2] / "shared" / "realworld"
Fix = Callable[[Path, list[Problem], dict[str, tuple]], set[str]]
_MEDIA = re.compile(r'<img [^>]*?src="([^"]+)"|\[sound:([^\]]+)\]|\[anki:play:[aq]:\d+\]')


def view(col: Collection) -> dict[str, tuple]:
    """Everything a student sees of each note, by GUID: its note type (id and name), fields, tags,
    and each card's template number, deck, question and answer as Anki renders them."""
    notes = {}
    for note_id in col.find_notes(""):
        note = col.get_note(note_id)
        model = note.note_type()
        assert model is not None
        cards = tuple((card.ord, col.decks.name(card.did), card.question(), card.answer())
                      for card in sorted(note.cards(), key=lambda card: card.ord))
        notes[note.guid] = (model["id"], model["name"], tuple(note.fields), tuple(sorted(note.tags)), cards)
    return notes


def descriptions(col: Collection) -> dict[str, str]:
    """Each deck's description, by its name (Anki replaces a student's with the package's on import)."""
    return {deck.name: (col.decks.get(deck.id) or {}).get("desc", "") for deck in col.decks.all_names_and_ids()
            if deck.name != "Default"}


def media_bytes(col: Collection, notes: dict[str, tuple]) -> dict[str, bytes | None]:
    """The bytes of every media file a card shows (None where the collection lacks it)."""
    folder = Path(col.media.dir())
    names = {name for *_, cards in notes.values() for card in cards for side in card[2:]
             for match in _MEDIA.finditer(side) for name in match.groups() if name}
    return {name: (folder / name).read_bytes() if (folder / name).is_file() else None for name in names}


def open_collection(folder: Path) -> Collection:
    folder.mkdir(parents=True)
    return Collection(str(folder / "collection.anki2"))


def round_trip(original: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fix: Fix | None = None) -> None:
    """The whole migration of `original`, asserting at each step what the module docstring says.
    `fix` does what a maintainer must for the problems `deck import` reports, returning the GUIDs of
    the notes it changes: those, and only those, show differently and are updated in A."""
    a = open_collection(tmp_path / "a")
    b = open_collection(tmp_path / "b")
    try:
        import_package(a, original)
        expected = view(a)
        (tmp_path / "deck").mkdir()
        imported = import_deck(original, tmp_path / "deck" / "cards.yaml")
        deck_file = str(imported.out)
        changed = set()
        if fix is not None:
            assert imported.problems
            changed = fix(imported.out, imported.problems, expected)
            imported.problems = pipeline.check(deck_file).problems
        assert imported.problems == [], [problem.format() for problem in imported.problems]
        assert pipeline.check(deck_file).document.fast  # (every later check and build of it is fast too)
        now = int(time.time()) + 1  # a maintainer's build is newer than the notes students have
        monkeypatch.setenv("SOURCE_DATE_EPOCH", str(now))
        _, built = pipeline.build(deck_file, tmp_path / "rebuilt.apkg")
        assert built is not None
        import_package(b, built.out)
        rebuilt = view(b)
        assert rebuilt.keys() == expected.keys()
        assert {guid for guid, note in rebuilt.items() if note != expected[guid]} == changed
        assert {name: data for name, data in media_bytes(a, expected).items() if data is not None}.items() <= (
            media_bytes(b, expected).items())
        described = descriptions(a)
        assert descriptions(b) == described
        fonts = sorted(Path(a.media.dir()).glob("_*"))  # the files only templates use, which Anki keeps
        assert [(path.name, path.read_bytes()) for path in fonts] == [
            (path.name, path.read_bytes()) for path in sorted(Path(b.media.dir()).glob("_*"))]

        log = import_package(a, built.out)
        assert (len(log.conflicting), len(log.new)) == (0, 0)
        assert view(a) == rebuilt and a.note_count() == len(expected) and descriptions(a) == described
        assert media_bytes(a, rebuilt) == media_bytes(b, rebuilt)

        # A student has reviewed a card; the maintainer edits one field of one note.
        guid = pipeline.check(deck_file).guids[0]  # of the first card, whose first field is edited below
        note_id = a.db.scalar("SELECT id FROM notes WHERE guid = ?", guid)
        card = a.get_note(note_id).cards()[0]
        card.start_timer()
        a.sched.answerCard(card, 3)
        reviews = a.db.scalar("SELECT count() FROM revlog WHERE cid = ?", card.id)
        text = Path(deck_file).read_text(encoding="utf-8")
        cards_start = text.index("\ncards:")
        edited = re.sub(r"(\n      [^:\n]+: )", r"\1EDITED ", text[cards_start:], count=1)
        Path(deck_file).write_text(text[:cards_start] + edited, encoding="utf-8")
        monkeypatch.setenv("SOURCE_DATE_EPOCH", str(now + 60))
        _, built = pipeline.build(deck_file, tmp_path / "edited.apkg")
        assert built is not None and len(built.changes.changed) == 1
        log = import_package(a, built.out)
        assert (len(log.updated), len(log.new), len(log.conflicting)) == (1, 0, 0)
        assert log.updated[0].id.nid == note_id and "EDITED" in " ".join(a.get_note(note_id).fields)
        assert a.db.scalar("SELECT count() FROM revlog WHERE cid = ?", card.id) == reviews > 0
        assert a.get_card(card.id).reps == 1
    finally:
        a.close()
        b.close()


def realworld(name: str) -> Path:
    if not REALWORLD.is_dir():
        pytest.skip(f"the real decks are not here: {REALWORLD} is absent")
    return REALWORLD / name


# The real decks that convert unchanged; the others are in the tests below it.
UNCHANGED = ["Advanced_ML.apkg", "Derivate.apkg", "Heterogene_Rechnerstrukturen.apkg", "Steuerrecht 1.apkg",
             "Valuation.apkg", "Vertragsgestaltung_in_IT.apkg", "category-theory.apkg", "karelze-re.apkg",
             "karelze-rechnerstrukturen.apkg", "karelze-recommender.apkg", "karelze-steuer2.apkg"]


@pytest.mark.parametrize("name", UNCHANGED)
def test_a_real_deck_migrates_unchanged(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    round_trip(realworld(name), tmp_path, monkeypatch)


def save_media(deck_file: Path, problems: list[Problem], notes: dict[str, tuple]) -> set[str]:
    """A maintainer's fix for the media `deck import` reports: each remote picture is saved into media/
    and the card shows it from there; each file the package lacks is found and put where the card
    uses it from. The notes with remote pictures show a local one now."""
    messages = [problem.message for problem in problems]
    text = deck_file.read_text(encoding="utf-8")
    remote = [re.search(r"remote image '([^']+)'", message) for message in messages]
    missing = [re.search(r"'(media/[^']+)' does not exist", message) for message in messages]
    assert all(remote[number] or missing[number] for number in range(len(messages))), messages
    (deck_file.parent / "media").mkdir(exist_ok=True)
    for number, found in enumerate(filter(None, remote)):
        written = escape(found.group(1)).replace('"', '\\"')  # as the field has it, in a quoted YAML scalar
        assert written in text
        text = text.replace(written, f"media/saved-{number}.png")
        (deck_file.parent / "media" / f"saved-{number}.png").write_bytes(PNG)
    deck_file.write_text(text, encoding="utf-8")
    for found in filter(None, missing):
        (deck_file.parent / found.group(1)).write_bytes({".png": PNG, ".mp3": MP3}.get(Path(found.group(1)).suffix, JPEG))
    return {guid for guid, (_, _, fields, _, _) in notes.items() if re.search(r'src="https?:', " ".join(fields))}


@pytest.mark.parametrize(("name", "reported"), [
    ("Business_Intelligence_Systems.apkg", ["card 'give-definition-euclidean-distance': remote image 'https://"]),
    ("Vertragsgestaltung.apkg", ["card 'welche-aufgabe-kommt-den-sicherungsvertrag': remote image 'https://"]),
    ("KIT HM 1.apkg", ["card 'was-ist-die-visuelle-interpretation': 'media/paste-c33b5896806b609f27b2ee7a8829bd5c4c5f06ae.jpg'",
                       "card 'was-ist-die-visuelle-interpretation': 'media/paste-bf95c86089637c97ebb780f37bab68ae5b3228f6.jpg'",
                       "card 'verinnerlichen-sie-sich-den-einheitskreis': 'media/1200px-Unit_circle_angles_color.svg.png'"]),
    ("KIT LA 1.apkg", ["card 'was-ist-eine-duale-abbildung': 'media/paste-f2717d369360481c3ab2a3246d7abca76feb5311.jpg'",
                       "card 'was-ist-eine-linearform': 'media/paste-f2717d369360481c3ab2a3246d7abca76feb5311.jpg'",
                       "card 'was-ist-eine-linearform': 'media/paste-e65e73e9d6fc52698bc7c16ffac3c6a50db2f2cc.jpg'",
                       "card 'was-ist-die-duale-basis': 'media/paste-8ab9d58633f7ed7eb4b241c69248cbf3cdf04153.jpg'"]),
])
def test_a_real_deck_with_pictures_to_save_migrates(name: str, reported: list[str], tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Remote pictures (which Anki fetches each time the card is shown) and pictures the package
    lacks (which Anki shows broken) are kept as they are, each reported where it is; once the
    maintainer has saved them, the deck migrates, updating the notes whose picture is now local."""

    def fix(deck_file: Path, problems: list[Problem], notes: dict[str, tuple]) -> set[str]:
        assert [problem.message[:len(start)] for problem, start in zip(problems, reported)] == reported
        assert len(problems) == len(reported) and all(problem.line for problem in problems)
        return save_media(deck_file, problems, notes)

    round_trip(realworld(name), tmp_path, monkeypatch, fix)


def test_media_a_package_lacks_are_kept_for_the_maintainer_to_put_there(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    col = open_collection(tmp_path / "author")
    try:
        basic = col.models.by_name("Basic")
        assert basic is not None
        for fields in (["Hund", "dog [sound:gone.mp3]"], ["Bild", '<img src="gone.png">'], ["Katze", "cat"]):
            note = col.new_note(basic)
            note.fields[:] = fields
            col.add_note(note, col.decks.id("Tiere"))
        package = tmp_path / "lacking.apkg"
        col.export_anki_package(out_path=str(package), options=ExportAnkiPackageOptions(), limit=None)
    finally:
        col.close()

    def fix(deck_file: Path, problems: list[Problem], notes: dict[str, tuple]) -> set[str]:
        assert [(problem.line, problem.message) for problem in problems] == [
            (line, f"card '{card}': 'media/{name}' does not exist (looked in {deck_file.parent})")
            for line, card, name in ((27, "hund", "gone.mp3"), (33, "bild", "gone.png"))]
        text = deck_file.read_text(encoding="utf-8")
        assert 'Back: "dog [sound:media/gone.mp3]"' in text and 'Back: "<img src=\\"media/gone.png\\">"' in text
        return save_media(deck_file, problems, notes)

    round_trip(package, tmp_path / "trip", monkeypatch, fix)


def test_a_note_with_cards_in_two_decks_is_reported_and_students_keep_theirs(tmp_path: Path,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """A deck file puts a note's cards in one deck; Anki's import does not move a card students have."""
    col = open_collection(tmp_path / "author")
    try:
        note = col.new_note(col.models.by_name("Basic (and reversed card)"))  # type: ignore[arg-type]
        note.fields[:] = ["Hund", "dog"]
        col.add_note(note, col.decks.id("Wörter"))
        col.set_deck([note.cards()[1].id], col.decks.id("Wörter::Rückwärts"))
        package = tmp_path / "split.apkg"
        col.export_anki_package(out_path=str(package), options=ExportAnkiPackageOptions(), limit=None)
    finally:
        col.close()
    imported = import_deck(package, tmp_path / "cards.yaml")
    assert (imported.messages, imported.problems) == (
        ["card 'hund': some of its cards are in 'Wörter::Rückwärts': a card's deck is its note's in a deck file, so "
         "new students get them in 'Wörter'"], [])
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(time.time()) + 1))
    _, built = pipeline.build(str(imported.out), tmp_path / "rebuilt.apkg")
    assert built is not None
    a = open_collection(tmp_path / "a")
    b = open_collection(tmp_path / "b")
    try:
        import_package(a, package)
        log = import_package(a, built.out)
        assert (len(log.new), len(log.conflicting)) == (0, 0)
        import_package(b, built.out)
        assert [sorted(col.decks.name(card.did) for card in map(col.get_card, col.find_cards(""))) for col in (a, b)] == [
            ["Wörter", "Wörter::Rückwärts"], ["Wörter", "Wörter"]]
    finally:
        a.close()
        b.close()


def test_a_deck_of_broken_templates_says_why(tmp_path: Path) -> None:
    """AnkiDroid's test deck of odd templates: a blank front, templates naming fields their note type
    lacks (Anki shows "Front template has a problem" on those cards). deck refuses exactly the note
    types that Anki itself refuses to save, as its own check finds them."""
    imported = import_deck(realworld("ankidroid-templates.apkg"), tmp_path / "cards.yaml")
    assert [problem.message for problem in imported.problems if "'reassign'" in problem.message] == [
        f"note type 'reassign': template 'Card {number}', front: names field '=<% %>=', which the note type does not "
        "have; its fields: Front, Back" for number in (1, 2)]
    refused = set()
    a = open_collection(tmp_path / "a")
    try:
        import_package(a, realworld("ankidroid-templates.apkg"))
        for note_type in a.models.all():
            try:
                a.models.update_dict(note_type)
            except CardTypeError:
                refused.add(note_type["name"])
    finally:
        a.close()
    named = {found[1] for problem in imported.problems if (found := re.match(r"note type '([^']+)'", problem.message))}
    assert named == refused == {"Muscle", "reassign", "Basic-conditional", "Basic-misc"}
    # In the same run, the cards of its other note types: the files they use that the package lacks.
    assert {problem.message.split(": ")[1].split("' ")[1] for problem in imported.problems
            if problem.message.startswith("card ")} == {"does not exist (looked in " + str(tmp_path) + ")"}


def test_every_real_deck_is_accounted_for() -> None:
    names = {path.name for path in realworld("README.md").parent.glob("*.apkg")}
    assert names == set(UNCHANGED) | {"Business_Intelligence_Systems.apkg", "Vertragsgestaltung.apkg", "KIT HM 1.apkg",
                                      "KIT LA 1.apkg", "ankidroid-templates.apkg"}
    assert {path.name for path in REALWORLD.glob("*.txt")} == {"czech-literatura.txt"}  # (its test is below)


def visible(html: str) -> str:
    """What a card shows, as words: no style block, each picture as [its file], tags as spaces."""
    html = re.sub(r"(?s)<style>.*?</style>", "", html)
    html = re.sub(r"<img [^>]*?src=\"([^\"]+)\"[^>]*>", lambda match: f" [{unquote(match.group(1))}] ", html)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def test_a_plain_text_export_from_anki_migrates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Anki's "Notes in Plain Text" export has no note type, deck or GUID: Anki imports it as Basic
    notes into the current deck, and `deck import` makes basic cards of a deck named after the file,
    each showing what Anki shows. A picture the text file cannot carry is kept, pointing into media/,
    and `deck validate` says so until it is put there (here, as a maintainer would, in both places)."""
    original = realworld("czech-literatura.txt")
    a = open_collection(tmp_path / "a")
    b = open_collection(tmp_path / "b")
    try:
        log = a.import_csv(ImportCsvRequest(path=str(original), metadata=a.get_csv_metadata(path=str(original),
                                                                                          delimiter=None))).log
        assert (len(log.new), len(log.empty_first_field)) == (25, 0)
        (tmp_path / "deck").mkdir()
        imported = import_deck(original, tmp_path / "deck" / "cards.yaml")
        picture = "Wassily_Kandinsky_-_Impression_III_(Concert)_-_Google_Art_Project.jpg"
        assert [problem.message for problem in imported.problems] == [
            f"card 'kompozice-iii': 'media/{picture}' does not exist (looked in {tmp_path / 'deck'})"]
        assert (imported.cards, imported.problems[0].line) == (25, 167)
        for folder in (tmp_path / "deck" / "media", Path(a.media.dir())):
            (folder / picture).write_bytes(JPEG)
        monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(time.time())))
        _, built = pipeline.build(str(imported.out), tmp_path / "rebuilt.apkg")
        assert built is not None
        import_package(b, built.out)

        def cards(col: Collection) -> list[tuple[str, str, str]]:
            return sorted((col.decks.name(card.did), visible(card.question()), visible(card.answer()))
                          for card in map(col.get_card, col.find_cards("")))

        assert [texts for _, *texts in cards(b)] == [texts for _, *texts in cards(a)]
        assert ({deck for deck, *_ in cards(a)}, {deck for deck, *_ in cards(b)}) == ({"Default"}, {"czech-literatura"})
        assert b.card_count() == b.note_count() == 25 and b.tags.all() == []
        assert (Path(b.media.dir()) / picture).read_bytes() == JPEG
    finally:
        a.close()
        b.close()


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
TTF = b"\x00\x01\x00\x00" + bytes(range(32))
JPEG = b"\xff\xd8\xff\xe0" + bytes(range(64))
MP3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\x00" * 32


def authored_package(tmp_path: Path) -> Path:
    """A package as authors make them in Anki: a note type of their own with 5 fields and 2 templates,
    a renamed stock Basic, a cloze type with extra fields, LaTeX, sound, pictures in lists and tables,
    nested decks and text in other scripts."""
    col = open_collection(tmp_path / "author")
    try:
        media = Path(col.media.dir())
        for name in ("map.png", "табл.png", "list.png"):
            (media / name).write_bytes(PNG)
        (media / "say.mp3").write_bytes(MP3)
        (media / "_serif.ttf").write_bytes(TTF)  # a font the note type's CSS loads: no note names it
        basic = col.models.by_name("Basic")
        assert basic is not None
        basic["name"] = "Basic-b122e"
        col.models.update_dict(basic)
        vocabulary = col.models.new("Wortschatz (日本語)")
        for name in ("Word", "Meaning", "Reading", "Region", "Picture"):
            col.models.add_field(vocabulary, col.models.new_field(name))
        for name, front, back in (
            ("Recognise", "{{Word}}<br>{{Reading}}<script>/* furigana */</script>", "{{FrontSide}}<hr id=answer>{{Meaning}}<br>{{Picture}}"),
            ("Recall", "{{#Region}}{{Meaning}} ({{Region}}){{/Region}}", "{{FrontSide}}<hr id=answer>{{Word}}")):
            template = col.models.new_template(name)
            template["qfmt"], template["afmt"] = front, back
            col.models.add_template(vocabulary, template)
        vocabulary["css"] = '@font-face { font-family: own; src: url("_serif.ttf"); }\n.card { font-family: own; }\n'
        col.models.add(vocabulary)
        cloze = col.models.copy(col.models.by_name("Cloze"), add=False)  # type: ignore[arg-type]
        cloze["name"] = "Cloze+Notes"
        col.models.add_field(cloze, col.models.new_field("Notes"))
        col.models.add_field(cloze, col.models.new_field("Source"))
        col.models.add(cloze)
        decks = {name: col.decks.id(name) for name in ("Sprachen::Deutsch", "Sprachen::Deutsch::Tiere",
                                                        "Sprachen::Ελληνικά")}
        for name, description in (("Sprachen", "Wörter <b>und</b> Sätze"), ("Sprachen::Deutsch::Tiere", "Haustiere"),
                                  ("Sprachen::Ελληνικά", "Αρχαία")):
            described = col.decks.get(col.decks.id(name))
            assert described is not None
            described["desc"] = description
            col.decks.save(described)
        for note_type, fields, tags, deck in (
            ("Basic-b122e", ["Hund", "dog [sound:say.mp3]"], ["tiere"], "Sprachen::Deutsch::Tiere"),
            ("Basic-b122e", ["Liste", '<ul><li>eins <img src="list.png"></li><li>zwei</li></ul>'], [],
             "Sprachen::Deutsch"),
            ("Basic-b122e", ["Tabelle", '<table><tr><td><img src="табл.png"></td><td>β</td></tr></table>'], [],
             "Sprachen::Ελληνικά"),
            ("Wortschatz (日本語)", ["犬", "dog", "いぬ", "Kantō", '<img src="map.png">'], ["日本"], "Sprachen::Deutsch"),
            ("Wortschatz (日本語)", ["猫", "cat", "ねこ", "", ""], [], "Sprachen::Deutsch"),
            ("Cloze+Notes", ["{{c1::Ἀθῆναι}} and {{c2::Σπάρτη}}", "", "<div>poleis</div>", "Herodotus"], ["history"],
             "Sprachen::Ελληνικά"),
            ("Cloze+Notes", ["Energy: [$]E = mc^2[/$] ({{c1::Einstein}})", "1905", "", ""], [], "Sprachen::Deutsch"),
        ):
            note = col.new_note(col.models.by_name(note_type))  # type: ignore[arg-type]
            note.fields[:] = fields
            note.tags = tags
            col.add_note(note, decks[deck])
            for card in note.cards():  # Anki makes LaTeX pictures with LaTeX; here, a stand-in picture
                for name in re.findall(r'src="(latex-[^"]+)"', card.question() + card.answer()):
                    (media / name).write_bytes(PNG)
        out = tmp_path / "authored.apkg"
        options = ExportAnkiPackageOptions(with_scheduling=False, with_deck_configs=False, with_media=True,
                                           legacy=False)
        col.export_anki_package(out_path=str(out), options=options, limit=None)
        return out
    finally:
        col.close()


def test_a_deck_authored_in_anki_migrates_unchanged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = authored_package(tmp_path)
    round_trip(package, tmp_path / "trip", monkeypatch)
    text = (tmp_path / "trip" / "deck" / "cards.yaml").read_text(encoding="utf-8")
    assert text.count("scripts: yes") == 1 and re.search(r'  Wortschatz \(日本語\):\n    id: "\d+"\n    scripts: yes\n', text)
    assert '  subdecks:\n    "Deutsch::Tiere": "Haustiere"\n    Ελληνικά: "Αρχαία"\n' in text
    assert '    media: ["media/_serif.ttf"]\n' in text
    assert "  Basic-b122e:\n" in text and "  Wortschatz (日本語):\n" in text and "    kind: cloze\n" in text
    assert sorted(path.name for path in (tmp_path / "trip" / "deck" / "media").iterdir()) == sorted(
        ["_serif.ttf", "list.png", "map.png", "say.mp3", "табл.png",
         *(path.name for path in (tmp_path / "author").rglob("latex-*.png"))])


def test_a_big_import_shows_progress_on_a_terminal(tmp_path: Path) -> None:
    """`deck import` of a big package shows the bars of the other long commands: reading the notes,
    converting them, checking the written file."""
    from anki.collection import AddNoteRequest

    from deck.pipeline import PROGRESS_MIN_CARDS
    from tests.test_cli import _on_a_terminal

    col = open_collection(tmp_path / "author")
    try:
        basic = col.models.by_name("Basic")
        assert basic is not None
        requests = []
        for number in range(PROGRESS_MIN_CARDS):
            note = col.new_note(basic)
            note.fields[:] = [f"Question {number}?", f"Answer {number}"]
            requests.append(AddNoteRequest(note=note, deck_id=col.decks.id("Big")))  # type: ignore[arg-type]
        col.add_notes(requests)
        col.export_anki_package(out_path=str(tmp_path / "big.apkg"), options=ExportAnkiPackageOptions(), limit=None)
    finally:
        col.close()
    status, output = _on_a_terminal(tmp_path, "import", "big.apkg", "-o", "cards.yaml")
    assert status == 0, output
    assert output.index(b"reading big.apkg") < output.index(b"converting notes") < output.index(b"checking")
    assert f"wrote cards.yaml: {PROGRESS_MIN_CARDS} cards".encode() in output
