"""A deck's own note types (`note-types:`): declared, validated with located errors, built into
packages that real Anki reads as declared, and restyled through the lock."""

from __future__ import annotations

from pathlib import Path

import pytest
from anki.collection import Collection
from anki.errors import CardTypeError
from anki.notes import Note

from deck import pipeline
from deck.notetypes import NOTE_TYPES, card_ords, declared
from tests.conftest import build, deck_file, import_package, shown

VOCABULARY = """\
deck:
  id: words
  name: Words
note-types:
  Vocabulary (5 fields):
    id: "1600000000123"
    fields: [Word, Meaning, {name: Example, format: html}, Region, Add reverse]
    sort-field: Meaning
    css: ".card { color: navy; }"
    templates:
      - name: Recognise
        front: "{{Word}}"
        back: "{{FrontSide}}<hr id=answer>{{Meaning}}{{#Example}}<div class=ex>{{Example}}</div>{{/Example}}"
      - name: Recall
        front: "{{#Add reverse}}{{Meaning}}{{/Add reverse}}"
        back: "{{FrontSide}}<hr id=answer>{{Word}} ({{Region}})"
  Gaps:
    id: "1600000000456"
    kind: cloze
    fields: [Text, Notes]
    templates:
      - {name: Cloze, front: "{{cloze:Text}}", back: "{{cloze:Text}}<br>{{Notes}}"}
cards:
  - id: haus
    type: Vocabulary (5 fields)
    fields:
      Word: Haus
      Meaning: "*house*"
      Example: '<div style="color: grey">Das <span class="x">Haus</span> ist alt.</div>'
      Region: Deutschland
  - id: katze
    type: Vocabulary (5 fields)
    tags: [animals]
    fields: {Word: Katze, Meaning: cat, Add reverse: y}
  - id: capital
    type: Gaps
    fields: {Text: "{{c1::Berlin}} is the capital of {{c2::Germany}}.", Notes: since 1990}
"""


def test_a_declared_note_type_reaches_anki_as_declared(tmp_path: Path, collection: Collection) -> None:
    package = build(tmp_path, VOCABULARY)
    import_package(collection, package)
    vocabulary = collection.models.get(1600000000123)  # type: ignore[arg-type]
    assert vocabulary is not None and vocabulary["name"] == "Vocabulary (5 fields)"
    assert [field["name"] for field in vocabulary["flds"]] == ["Word", "Meaning", "Example", "Region", "Add reverse"]
    assert [template["name"] for template in vocabulary["tmpls"]] == ["Recognise", "Recall"]
    assert vocabulary["sortf"] == 1 and vocabulary["css"] == ".card { color: navy; }"
    gaps = collection.models.get(1600000000456)  # type: ignore[arg-type]
    assert gaps is not None and gaps["type"] == 1 and [field["name"] for field in gaps["flds"]] == ["Text", "Notes"]

    def cards(word: str) -> list[tuple[str, str]]:
        [note_id] = collection.find_notes(f'"{word}"')
        found = sorted(collection.get_note(note_id).cards(), key=lambda card: card.ord)
        return [(shown(card.question()), shown(card.answer())) for card in found]

    # The HTML field exactly as written; a Markdown one rendered; the second template only when filled.
    assert cards("Word:Haus") == [("Haus", 'Haus<hr id=answer><em>house</em><div class=ex><div style="color: grey">'
                                           'Das <span class="x">Haus</span> ist alt.</div></div>')]
    assert cards("Word:Katze") == [("Katze", "Katze<hr id=answer>cat"), ("cat", "cat<hr id=answer>Katze ()")]
    [first, second] = cards("Text:*Berlin*")
    assert "[...]" in first[0] and "Germany" in first[0] and "since 1990" in first[1]
    assert "Berlin" in second[0] and "[...]" in second[0]


def test_the_cards_made_are_the_ones_anki_makes(tmp_path: Path, collection: Collection) -> None:
    """`card_ords` against Anki's own card generation, for notes filled in every way."""
    import_package(collection, build(tmp_path, VOCABULARY))
    vocabulary = collection.models.get(1600000000123)  # type: ignore[arg-type]
    assert vocabulary is not None
    note_type = pipeline.check(str(tmp_path / "cards.yaml")).note_types["Vocabulary (5 fields)"]
    for fields in (["a", "", "", "", ""], ["", "b", "", "", "y"], ["a", "b", "", "", " <br> "], ["", "", "x", "", ""],
                   ["a", "b", "", "", "y"], ["<div></div>", "b", "", "", "y"],
                   ["", "\xa0", "", "", "y"]):  # (a no-break space is no white space to Anki: Meaning is filled)
        note = Note(collection, vocabulary)
        note.fields = fields
        try:
            collection.add_note(note, collection.decks.id("Default"))  # type: ignore[arg-type]
            made = tuple(sorted(card.ord for card in note.cards()))
        except Exception:  # noqa: BLE001 - Anki refuses a note that makes no card
            made = ()
        assert card_ords(note_type, tuple(fields), (), set()) == made, fields


def _with(text: str, old: str, new: str) -> str:
    assert old in text
    return text.replace(old, new, 1)


@pytest.mark.parametrize(("edit", "line", "column", "code", "message"), [
    (lambda text: _with(text, "fields: {Word: Katze, Meaning: cat,", "fields: {Word: Katze, Meanig: cat,"),
     34, 27, "unknown-field", "card 'katze': note type 'Vocabulary (5 fields)' has no field 'Meanig'; did you mean 'Meaning'?"),
    (lambda text: _with(text, 'front: "{{Word}}"', 'front: "{{Wort}}"'),
     12, 16, "bad-note-type", "note type 'Vocabulary (5 fields)': template 'Recognise', front: names field 'Wort', which "
                              "the note type does not have; its fields: Word, Meaning, Example, Region, Add reverse"),
    (lambda text: _with(text, 'front: "{{cloze:Text}}"', 'front: "{{Text}}"'),
     22, 30, "bad-note-type", "note type 'Gaps': template 'Cloze', front: a cloze note type shows its deletions with "
                              "'{{cloze:Field}}'; add one"),
    (lambda text: _with(text, 'front: "{{Word}}"', 'front: "Word?"'),
     12, 16, "bad-note-type", "note type 'Vocabulary (5 fields)': template 'Recognise', front: names no field, and Anki "
                              "refuses a front without one; add one, like '{{Word}}'"),
    (lambda text: _with(text, 'back: "{{cloze:Text}}<br>{{Notes}}"', 'back: "{{Text}}<br>{{Notes}}"'),
     22, 54, "bad-note-type", "note type 'Gaps': template 'Cloze', back: a cloze note type shows its deletions with "
                              "'{{cloze:Field}}'; add one"),
    (lambda text: _with(text, '"1600000000456"', '"1600000000123"'),
     18, 9, "duplicate-note-type-id", "note type 'Gaps': id 1600000000123 is also note type 'Vocabulary (5 fields)''s; "
                                      "Anki matches note types by id, so give each its own"),
    (lambda text: _with(text, '"1600000000456"', f'"{NOTE_TYPES["basic"].id}"'),
     18, 9, "bad-note-type", f"note type 'Gaps': id {NOTE_TYPES['basic'].id} is a built-in note type's; choose another "
                             "(Anki matches note types by id)"),
    (lambda text: _with(text, "  Gaps:", "  deck-cloze:").replace("type: Gaps", "type: deck-cloze"),
     17, 3, "bad-note-type", "note type 'deck-cloze': 'deck-cloze' is the name of one of deck's built-in note types; "
                             "choose another"),
    (lambda text: _with(text, "{{/Add reverse}}", "{{/Add"),
     15, 16, "bad-note-type", "note type 'Vocabulary (5 fields)': template 'Recall', front: the section 'Add reverse' "
                              "is not closed; add '{{/Add reverse}}'"),
    (lambda text: _with(text, 'front: "{{#Add reverse}}{{Meaning}}{{/Add reverse}}"', 'front: "{{Word}}"'),
     15, 16, "bad-note-type", "note type 'Vocabulary (5 fields)': template 'Recall', front: identical to template "
                              "'Recognise''s front; Anki refuses such a note type: make them differ"),
    (lambda text: _with(text, 'front: "{{Word}}"', 'front: ""'),
     12, 16, "empty-text", "note type 'Vocabulary (5 fields)': template 'Recognise', front: is empty; write it"),
    (lambda text: _with(text, "type: Gaps", "type: Gap"),
     36, 11, "unknown-type", "card 'capital': unknown card type 'Gap'; did you mean 'Gaps'?"),
    (lambda text: _with(text, "sort-field: Meaning", "sort-field: Sense"),
     8, 17, "bad-note-type", "note type 'Vocabulary (5 fields)': sort field 'Sense' is not one of the fields: Word, "
                             "Meaning, Example, Region, Add reverse"),
    (lambda text: _with(text, 'front: "{{Word}}"', 'front: "{{Word}}<script>go()</script>"'),
     12, 16, "bad-note-type", "note type 'Vocabulary (5 fields)': template 'Recognise', front: <script> would run code "
                              "or load another document in Anki; remove it, or say 'scripts: yes' on the note type if "
                              "it must run"),
    (lambda text: _with(text, '<span class="x">', '<span onclick="steal()">'),
     29, 52, "html-script", "card 'haus': event handler 'onclick' would run code in Anki; remove it"),
])
def test_note_type_problems_are_located(tmp_path: Path, edit, line: int, column: int, code: str, message: str) -> None:
    path = deck_file(tmp_path, edit(VOCABULARY))
    problems = pipeline.check(str(path)).problems
    assert [(problem.line, problem.column, problem.code, problem.message) for problem in problems] == [
        (line, column, code, message)]


def test_the_cards_of_the_other_note_types_are_checked_in_the_same_run(tmp_path: Path) -> None:
    text = _with(VOCABULARY, 'front: "{{Word}}"', 'front: "{{Wort}}"')
    text = _with(text, "Notes: since 1990", "Note: since 1990")
    problems = pipeline.check(str(deck_file(tmp_path, text))).problems
    assert [(problem.line, problem.code) for problem in problems] == [(12, "bad-note-type"), (37, "unknown-field")]


def test_changing_a_declared_template_restyles_it_for_students(tmp_path: Path, collection: Collection,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    import_package(collection, build(tmp_path, VOCABULARY))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000100")
    path = deck_file(tmp_path, VOCABULARY.replace('<div class=ex>', '<div class=example>'))
    checked, built = pipeline.build(str(path), tmp_path / "out.apkg")
    assert built is not None and built.changes.note_types == ["Vocabulary (5 fields)"] and not built.changes.changed
    log = import_package(collection, built.out)
    assert (len(log.new), len(log.conflicting), len(log.updated)) == (0, 0, 0)
    vocabulary = collection.models.get(1600000000123)  # type: ignore[arg-type]
    assert vocabulary is not None and "<div class=example>" in vocabulary["tmpls"][0]["afmt"]


def test_the_built_in_types_are_declarations_of_the_same_model() -> None:
    assert declared({}) == NOTE_TYPES


def test_export_and_preview_know_a_declared_note_type(tmp_path: Path, collection: Collection) -> None:
    from anki.import_export_pb2 import ImportCsvRequest

    from deck.interop.export import export_csv
    from deck.views.preview import render_cards

    package = build(tmp_path, VOCABULARY)
    import_package(collection, package)
    checked, exported = export_csv(str(tmp_path / "cards.yaml"), tmp_path / "deck.csv")
    assert exported is not None
    metadata = collection.get_csv_metadata(path=str(tmp_path / "deck.csv"), delimiter=None)
    log = collection.import_csv(ImportCsvRequest(path=str(tmp_path / "deck.csv"), metadata=metadata)).log
    assert (len(log.new), len(log.duplicate), len(log.missing_notetype)) == (0, 3, 0)
    _, cards = render_cards(checked)
    assert [(card.card_id, shown(card.front)) for card in cards] == [
        ("haus", "Haus"), ("katze", "Katze"), ("katze", "cat"),
        ("capital", shown(cards[3].front)), ("capital", shown(cards[4].front))]
    assert cards[0].css == ".card { color: navy; }" and "[...]" in cards[3].front


def test_templates_with_one_front_are_refused_as_anki_refuses_them(tmp_path: Path, collection: Collection) -> None:
    """Two templates may share a front only where {{Card}} (each template's name) makes them differ."""
    for front, refused in (("{{Word}}", True), ("{{Card}}: {{Word}}", False)):
        text = VOCABULARY.replace('front: "{{Word}}"', f'front: "{front}"').replace(
            'front: "{{#Add reverse}}{{Meaning}}{{/Add reverse}}"', f'front: "{front}"')
        problems = pipeline.check(str(deck_file(tmp_path, text))).problems
        assert [problem.line for problem in problems] == ([15] if refused else [])
        model = collection.models.new(f"Two fronts {refused}")
        collection.models.add_field(model, collection.models.new_field("Word"))
        for name in ("Recognise", "Recall"):
            template = collection.models.new_template(name)
            template["qfmt"], template["afmt"] = front, "{{FrontSide}}"
            collection.models.add_template(model, template)
        if refused:
            with pytest.raises(CardTypeError, match="identical"):
                collection.models.add(model)
        else:
            collection.models.add(model)


def test_a_note_type_that_says_so_may_carry_scripts(tmp_path: Path, collection: Collection) -> None:
    text = VOCABULARY.replace('front: "{{Word}}"', 'front: "{{Word}}<script>document.title = 1</script>"')
    text = text.replace('    sort-field: Meaning\n', '    sort-field: Meaning\n    scripts: yes\n')
    import_package(collection, build(tmp_path, text))
    vocabulary = collection.models.get(1600000000123)  # type: ignore[arg-type]
    assert vocabulary is not None and "<script>document.title = 1</script>" in vocabulary["tmpls"][0]["qfmt"]


def test_a_font_the_css_loads_is_packed_and_checked(tmp_path: Path, collection: Collection) -> None:
    """A note type's `media:` (a font its CSS loads by @font-face) reaches Anki's media folder, where
    Anki keeps it as no note names it; a file without the leading '_', or not what its extension
    says, is reported at its entry."""
    font = b"\x00\x01\x00\x00" + bytes(range(40))
    (tmp_path / "media").mkdir()
    for name, data in (("_serif.ttf", font), ("serif.ttf", font), ("_fake.ttf", b"\x89PNG\r\n\x1a\n")):
        (tmp_path / "media" / name).write_bytes(data)
    css = '    css: ".card { color: navy; }"\n'
    with_font = _with(VOCABULARY, css, css.replace("color: navy;", 'font-family: s; } @font-face { font-family: s; '
                                                   'src: url(_serif.ttf);') + "    media: [media/_serif.ttf]\n")
    import_package(collection, build(tmp_path, with_font))
    assert (Path(collection.media.dir()) / "_serif.ttf").read_bytes() == font
    for listed, message in (
            ("media/serif.ttf", "'media/serif.ttf' is used by templates, so its name must start with '_' (Anki deletes "
                                "other files no note shows); rename it, and its uses in the templates"),
            ("media/_fake.ttf", "'media/_fake.ttf' does not contain TTF data; check the file or its extension")):
        path = deck_file(tmp_path, with_font.replace("media: [media/_serif.ttf]", f"media: [{listed}]"))
        assert [(problem.line, problem.column, problem.code, problem.message) for problem in
                pipeline.check(str(path)).problems] == [(10, 13, "media", f"note type 'Vocabulary (5 fields)': {message}")]


def test_a_section_on_a_cloze_number_is_not_a_field(tmp_path: Path, collection: Collection) -> None:
    """`{{#c2}}...{{/c2}}` shows its part on the card of deletion 2 only, as in shared decks
    (AnkiDroid's templates deck); Anki renders it without a template problem."""
    text = _with(VOCABULARY, 'back: "{{cloze:Text}}<br>{{Notes}}"',
                 'back: "{{cloze:Text}}{{#c2}}<br>{{Notes}}{{/c2}}{{^c1}}!{{/c1}}"')
    import_package(collection, build(tmp_path, text))
    backs = {card.ord: shown(card.answer()) for card in map(collection.get_card, collection.find_cards("note:Gaps"))}
    assert "since 1990" not in backs[0] and backs[1].endswith("<br>since 1990!")
    assert not any("problem" in back.lower() for back in backs.values())
