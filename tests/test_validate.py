"""Validation: every rule of the format as a case with its exact line, column and code."""

from __future__ import annotations

import textwrap

import pytest

from deck import pipeline, source, validate
from deck.cards import BasicCard, ClozeCard, ReversedCard
from tests.conftest import EXAMPLE_DECK

HEAD = """\
deck:
  id: test-deck
  name: Test
"""


def found(text: str) -> list[tuple[int, int, str, str]]:
    """(line, column, code, message) of every problem `deck validate` reports for `text`."""
    document = source.read("cards.yaml", text.encode())
    return [(p.line, p.column, p.code, p.message) for p in sorted(validate.validate(document).problems)]


def messages(tmp_path, text: str) -> list[str]:
    path = tmp_path / "cards.yaml"
    path.write_text(text, encoding="utf-8")
    return [problem.format().removeprefix(f"{path}:") for problem in pipeline.check(str(path)).problems]


def test_a_valid_deck_has_every_kind_of_card() -> None:
    validated = validate.validate(source.read("cards.yaml", EXAMPLE_DECK.encode()))
    assert validated.problems == []
    assert validated.deck is not None
    assert [type(card) for card in validated.deck.cards] == [BasicCard, ReversedCard, ClozeCard]
    assert validated.deck.cards[0].tags == ["morphology", "scars::ice-pick"]
    assert validated.deck.sources["huizen-2019"].date == "2019-05-24"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("", [(1, 1, "empty-file",
                      "the file is empty; start it with 'deck:' and 'cards:'")], id="empty file"),
        pytest.param("# nothing\n", [(1, 1, "empty-file",
                      "the file is empty; start it with 'deck:' and 'cards:'")], id="only a comment"),
        pytest.param("- a\n", [(1, 1, "wrong-type",
                      "the file must be a mapping with 'deck' and 'cards', not a list")], id="file is a list"),
        pytest.param("deck: x\ncards: []\n", [(1, 7, "wrong-type",
                      "'deck' must be a mapping, not text"), (2, 8, "empty-deck",
                      "'cards' is empty; add at least one card")], id="deck is text"),
        pytest.param(HEAD, [(1, 1, "missing-field",
                      "'cards' is required at the top of the file")], id="no cards"),
        pytest.param(HEAD + "cards: x\n", [(4, 8, "wrong-type",
                      "'cards' must be a list, not text")], id="cards is text"),
        pytest.param(HEAD + "card:\n  - id: a\n", [(1, 1, "missing-field",
                      "'cards' is required at the top of the file"), (4, 1, "unknown-key",
                      "unknown key 'card'; did you mean 'cards'?")],
                     id="misspelt cards"),
        pytest.param("deck:\n  name: T\ncards:\n  - {id: a, question: q, answer: a}\n", [(2, 3, "missing-field",
                      "deck: 'id' is required")],
                     id="deck without id"),
        pytest.param("deck:\n  id: Ice Pick\n  name: T\ncards:\n  - {id: a, question: q, answer: a}\n",
                     [(2, 7, "bad-id",
                      "deck: 'id' value 'Ice Pick' is not valid; use lowercase letters, digits and single '-' (like 'tca-sessions')")], id="bad deck id"),
        pytest.param("deck:\n  id: t\n  name: 'A::::B'\ncards:\n  - {id: a, question: q, answer: a}\n",
                     [(3, 9, "bad-deck-name",
                      "deck: deck name 'A::::B' has a blank level; write names between the '::'")], id="blank deck level"),
        pytest.param("deck:\n  id: t\n  name: T\n  title: x\ncards:\n  - {id: a, question: q, answer: a}\n",
                     [(4, 3, "unknown-key",
                      "deck: unknown key 'title'; expected one of: id, name, description, subdecks, lint")], id="unknown deck key"),
        pytest.param(HEAD + "cards:\n  - {id: a, tpye: cloze, question: q, answer: a}\n",
                     [(5, 13, "unknown-key", "card 'a': unknown key 'tpye'; did you mean 'type'?")], id="type misspelt"),
        pytest.param(HEAD + "cards:\n  - id: a\n    question: q\n", [(5, 5, "missing-field",
                      "card 'a': 'answer' is required")], id="missing answer"),
        pytest.param(HEAD + "cards:\n  - question: q\n    answer: a\n", [(5, 5, "missing-id",
                      "card #1: 'id' is required; run 'deck ids' to give every card without one a readable id")], id="missing id"),
        pytest.param(HEAD + "cards:\n  - id: a\n    type: cloze\n", [(5, 5, "missing-field",
                      "card 'a': 'text' is required")], id="cloze without text"),
        pytest.param(HEAD + "cards:\n  - id: a\n    question: q\n    anwser: a\n",
                     [(5, 5, "missing-field",
                      "card 'a': 'answer' is required"), (7, 5, "unknown-key",
                      "card 'a': unknown key 'anwser'; did you mean 'answer'?")], id="misspelt key"),
        pytest.param(HEAD + "cards:\n  - id: a\n    question: [q]\n    answer: a\n", [(6, 15, "wrong-type",
                      "card 'a': 'question' must be text, not a list")],
                     id="list where text expected"),
        pytest.param(HEAD + "cards:\n  - id: a\n    question: q\n    answer: a\n    tags: morphology\n",
                     [(8, 11, "wrong-type",
                      "card 'a': 'tags' must be a list, like [a, b], not text")], id="text where list expected"),
        pytest.param(HEAD + "cards:\n  - id: a\n    question: '  '\n    answer: a\n", [(6, 15, "empty-text",
                      "card 'a': 'question' is empty; write the text or remove the key")],
                     id="blank text"),
        pytest.param(HEAD + "cards:\n  - id: a\n    question: q\n    answer:\n", [(7, 12, "empty-text",
                      "card 'a': 'answer' is empty; write the text or remove the key")],
                     id="empty value"),
        pytest.param(HEAD + "cards:\n  - id: Width 2\n    question: q\n    answer: a\n", [(5, 9, "bad-id",
                      "card 'Width 2': 'id' value 'Width 2' is not valid; use lowercase letters, digits and single '-' (like 'tca-sessions')")],
                     id="bad card id"),
        pytest.param(HEAD + "cards:\n  - {id: a, question: q, answer: a}\n  - {id: a, question: r, answer: b}\n",
                     [(6, 10, "duplicate-id",
                      "card 'a': id is already used by the card at line 5; ids must be unique")], id="duplicate id"),
        pytest.param(HEAD + "cards: [{id: a, question: q, answer: a}, {id: a, question: r, answer: b}]\n",
                     [(4, 47, "duplicate-id",
                      "card 'a': id is already used by the card at line 4; ids must be unique")], id="duplicate id on one line"),
        pytest.param(HEAD + "cards:\n  - {id: a, question: q, answer: a, tags: [two words]}\n",
                     [(5, 44, "bad-tag",
                      "card 'a': tag 'two words' has a space (Anki splits tags on spaces); join words with '-' and levels with '::'")], id="tag with a space"),
        pytest.param(HEAD + "cards:\n  - {id: a, question: q, answer: a, tags: ['a::']}\n",
                     [(5, 44, "bad-tag",
                      "card 'a': tag 'a::' has an empty level; join words with '-' and levels with '::'")], id="tag with an empty level"),
        pytest.param(HEAD + "cards:\n  - {id: a, question: q, answer: a, tags: ['say\"so']}\n",
                     [(5, 44, "bad-tag", "card 'a': tag 'say\"so' has a '\"' or a control character, which Anki drops; "
                                         "join words with '-' and levels with '::'")], id="tag with a quote"),
        pytest.param(HEAD + "cards:\n  - {id: a, question: q, answer: a, source: nowhere}\n",
                     [(5, 45, "unknown-source",
                      "card 'a': source 'nowhere' is not in 'sources'; add it under 'sources'")], id="unknown source"),
        pytest.param(HEAD + "sources:\n  Bad Key: {title: t}\ncards:\n  - {id: a, question: q, answer: a}\n",
                     [(5, 3, "bad-id",
                      "source 'Bad Key': key is not valid; use lowercase letters, digits and '-' (like 'huizen-2019')")], id="bad source key"),
        pytest.param(HEAD + "sources:\n  s: {author: x}\ncards:\n  - {id: a, question: q, answer: a}\n",
                     [(5, 6, "missing-field",
                      "source 's': 'title' is required")], id="source without title"),
        pytest.param(HEAD + "sources:\n  s: t\ncards:\n  - {id: a, question: q, answer: a}\n",
                     [(5, 6, "wrong-type",
                      "source 's' must be a mapping with a 'title', not text")], id="source is text"),
        pytest.param(HEAD + "cards:\n  - {id: a, type: clozee, text: x}\n", [(5, 19, "unknown-type",
                      "card 'a': unknown card type 'clozee'; did you mean 'cloze'?")],
                     id="unknown type"),
        pytest.param(HEAD + "cards:\n  - {id: a, question: q, answer: a, text: 'x {{c1::y}}'}\n",
                     [(5, 37, "unknown-key",
                      "card 'a': 'text' belongs to cloze cards, but this card is basic; set 'type: cloze'")], id="cloze field on a basic card"),
        pytest.param(HEAD + "cards:\n  - {id: a, type: cloze, text: '{{c1::y}}', answer: a}\n",
                     [(5, 45, "unknown-key",
                      "card 'a': 'answer' belongs to basic, reversed and type-in cards, but this card is cloze; use 'text' with {{c1::...}} deletions")], id="basic field on a cloze card"),
        pytest.param(HEAD + "cards:\n  - {id: a, question: q, answer: a, deck: '::'}\n", [(5, 43, "bad-deck-name",
                      "card 'a': deck name '::' has a blank level; write names between the '::'")],
                     id="blank subdeck"),
        pytest.param(HEAD + "cards:\n  - just text\n", [(5, 5, "wrong-type",
                      "card #1 must be a mapping with 'id' and fields, not text")], id="card is text"),
        pytest.param(HEAD + "cards: []\n", [(4, 8, "empty-deck",
                      "'cards' is empty; add at least one card")], id="no cards in list"),
        pytest.param(HEAD + "extra: 1\ncards:\n  - {id: a, question: q, answer: a}\n", [(4, 1, "unknown-key",
                      "unknown key 'extra'; expected one of: deck, sources, note-types, cards, include")],
                     id="unknown top-level key"),
    ],
)
def test_validation_rules(text: str, expected: list[tuple[int, int, str, str]]) -> None:
    assert found(text) == expected


def test_every_problem_of_a_file_is_reported_in_one_run(tmp_path) -> None:
    text = HEAD + textwrap.dedent("""\
    cards:
      - id: tca-sessions
        question: How many sessions?
      - id: width
        question: How wide?
        anwser: 2 mm
      - id: width
        type: cloze
        text: "No deletion here"
      - id: tags
        question: q
        answer: a
        tags: [two words]
    """)
    assert messages(tmp_path, text) == [
        "5:5: error: card 'tca-sessions': 'answer' is required",
        "7:5: error: card 'width': 'answer' is required",
        "9:5: error: card 'width': unknown key 'anwser'; did you mean 'answer'?",
        "10:9: error: card 'width': id is already used by the card at line 7; ids must be unique",
        "12:11: error: card 'width': cloze text has no deletion; mark the answer like {{c1::answer}}",
        "16:12: error: card 'tags': tag 'two words' has a space (Anki splits tags on spaces); join words with '-' "
        "and levels with '::'",
    ]


def test_a_misplaced_field_says_what_to_do(tmp_path) -> None:
    text = HEAD + "cards:\n  - id: a\n    question: q\n    answer: a\n    text: x\n"
    assert messages(tmp_path, text) == [
        "8:5: error: card 'a': 'text' belongs to cloze cards, but this card is basic; set 'type: cloze'",
    ]


def test_an_unknown_type_suggests_the_closest(tmp_path) -> None:
    text = HEAD + "cards:\n  - id: a\n    type: reversd\n    question: q\n    answer: a\n"
    assert messages(tmp_path, text) == [
        "6:11: error: card 'a': unknown card type 'reversd'; did you mean 'reversed'?",
    ]


def test_an_unknown_source_suggests_the_closest(tmp_path) -> None:
    text = HEAD + "sources:\n  huizen-2019: {title: t}\ncards:\n  - {id: a, question: q, answer: a, source: huizen-2091}\n"
    assert messages(tmp_path, text) == [
        "7:45: error: card 'a': source 'huizen-2091' is not in 'sources'; did you mean 'huizen-2019'?",
    ]


def test_a_card_with_a_bad_shape_still_has_its_other_problems_reported(tmp_path) -> None:
    text = HEAD + textwrap.dedent("""\
    sources:
      s1: {title: x}
    cards:
      - id: b
        type: basci
        question: "<script>x</script>"
        source: nowhere
        tags: [a b]
        anwser: x
      - id: c
        type: cloze
        text: "{{c0::x}}"
        deck: "::bad::"
    """)
    assert [line.split(": error: ")[1].split(";")[0] for line in messages(tmp_path, text)] == [
        "card 'b': 'answer' is required",
        "card 'b': unknown card type 'basci'",
        "card 'b': HTML tag <script> is not allowed",
        "card 'b': source 'nowhere' is not in 'sources'",
        "card 'b': tag 'a b' has a space (Anki splits tags on spaces)",
        "card 'b': unknown key 'anwser'",
        "card 'c': cloze numbers start at 1",
        "card 'c': deck name '::bad::' has a blank level",
    ]


def test_subdecks_that_differ_only_in_case_are_refused() -> None:
    text = HEAD + "cards:\n  - {id: a, question: q, answer: a, deck: Def}\n  - {id: b, question: r, answer: b, deck: def}\n"
    assert [(line, column, code) for line, column, code, _ in found(text)] == [(6, 43, "deck-case")]


def test_cloze_numbers_beyond_what_anki_stores_are_refused(tmp_path) -> None:
    text = HEAD + "cards:\n  - {id: a, type: cloze, text: 'x {{c70000::y}}'}\n"
    assert [message.split(": error: ")[1] for message in messages(tmp_path, text)] == [
        "card 'a': cloze numbers go up to 65535; renumber from c1"]


def test_a_control_character_does_not_hide_the_files_other_problems() -> None:
    text = HEAD + 'cards:\n  - {id: a, question: "q\x01", answer: a}\n  - {id: b, question: q, anwser: a}\n'
    assert [(line, column, code) for line, column, code, _ in found(text)] == [
        (5, 25, "control-character"), (6, 5, "missing-field"), (6, 26, "unknown-key")]
