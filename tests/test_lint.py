"""`deck lint`: each card-quality rule as a failing and a passing case, with its position."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from deck import lint, pipeline
from deck.cards import LINT_RULES
from deck.cli import main
from tests.conftest import deck_file

HEAD = "deck: {id: t, name: T}\ncards:\n"


def warnings(tmp_path: Path, text: str) -> list[tuple[int, int, str]]:
    checked = pipeline.check(str(deck_file(tmp_path, text)))
    assert checked.ok, [problem.format() for problem in checked.problems]
    return [(w.line, w.column, w.code) for w in lint.run(checked)]


@pytest.mark.parametrize(
    ("cards", "expected"),
    [
        pytest.param("  - {id: a, question: How wide?, answer: Less than 2 mm}\n", [], id="a good card"),
        pytest.param("  - id: a\n    question: What do they look like?\n"
                     "    answer: They look as if a sharp object such as an ice pick had punctured a hole in the skin\n",
                     [(5, 13, "answer-too-long")], id="long answer"),
        pytest.param("  - id: a\n    question: Which treatments exist?\n"
                     "    answer: punch excision, punch grafting and microneedling\n",
                     [(5, 13, "enumeration")], id="comma list"),
        pytest.param("  - id: a\n    question: Which treatments exist?\n    answer: |\n      - excision\n"
                     "      - grafting\n      - laser\n", [(5, 13, "enumeration")], id="markdown list"),
        pytest.param("  - {id: a, question: What is it?, answer: 'A deep, narrow, V-shaped scar'}\n", [],
                     id="adjectives are not a list"),
        pytest.param("  - {id: a, question: What is a narrow deep ice pick scar called?, answer: Ice pick scar}\n",
                     [(3, 23, "question-gives-answer")], id="answer in question"),
        pytest.param("  - {id: a, question: 'What shape does [this figure](https://example.org/v) show?', answer: V}\n",
                     [], id="a link's address is not the question's words"),
        pytest.param("  - {id: a, question: Is punch grafting for deep scars?, answer: 'Yes'}\n",
                     [(3, 23, "yes-no-question")], id="yes/no question"),
        pytest.param("  - {id: a, question: Which procedure suits deep scars?, answer: Punch grafting}\n"
                     "  - {id: b, question: Which procedure suits deeper scars?, answer: Punch grafting}\n",
                     [(4, 5, "near-duplicate")], id="near-duplicate"),
        pytest.param("  - {id: a, type: cloze, text: 'TCA CROSS {{c1::stretches the skin and applies the acid}}.'}\n",
                     [(3, 43, "cloze-too-long")], id="long deletion"),
        pytest.param("  - {id: a, type: cloze, text: '{{c1::a}} and {{c3::b}}'}\n", [(3, 32, "cloze-gap")],
                     id="cloze gap"),
        pytest.param("  - {id: a, type: cloze, text: 'Treatment may need {{c1::several sessions}}.'}\n"
                     "  - {id: b, type: cloze, text: 'Treatment may need {{c1::a combination of therapies}}.'}\n",
                     [], id="cloze cards differing in their answers are not duplicates"),
        pytest.param("  - {id: a, question: What *is it?, answer: A scar}\n", [(3, 28, "dangling-markdown")],
                     id="unclosed emphasis"),
        pytest.param("  - {id: a, question: What is `TCA?, answer: An acid}\n", [(3, 31, "dangling-markdown")],
                     id="unclosed code"),
        pytest.param("  - {id: a, question: What is 2 * 3 \\\\* 4?, answer: A number}\n", [],
                     id="a lone or escaped star is text"),
    ],
)
def test_lint_rules(tmp_path: Path, cards: str, expected: list[tuple[int, int, str]]) -> None:
    assert warnings(tmp_path, HEAD + cards) == expected


def test_a_card_without_a_source_in_a_deck_with_a_bibliography(tmp_path: Path) -> None:
    text = "deck: {id: t, name: T}\nsources:\n  s: {title: T}\ncards:\n  - {id: a, question: Why?, answer: So}\n"
    assert warnings(tmp_path, text) == [(5, 5, "missing-source")]
    assert warnings(tmp_path, text.replace("answer: So}", "answer: So, source: s}")) == []


def test_rules_can_be_turned_off_for_the_deck_or_one_card(tmp_path: Path) -> None:
    cards = ("  - {id: a, question: Is it deep?, answer: 'Yes'}\n"
             "  - {id: b, question: Is it narrow?, answer: 'Yes', lint: {disable: [yes-no-question]}}\n")
    assert warnings(tmp_path, HEAD + cards) == [(3, 23, "yes-no-question")]
    whole_deck = "deck: {id: t, name: T, lint: {disable: [yes-no-question]}}\ncards:\n" + cards
    assert warnings(tmp_path, whole_deck) == []


def test_an_unknown_rule_is_a_validation_error(tmp_path: Path) -> None:
    path = deck_file(tmp_path, "deck: {id: t, name: T, lint: {disable: [yes-no-questions]}}\n"
                               "cards:\n  - {id: a, question: q, answer: a}\n")
    [problem] = pipeline.check(str(path)).problems
    assert (problem.line, problem.column, problem.code) == (1, 41, "unknown-rule")
    assert problem.message == "deck: unknown lint rule 'yes-no-questions'; did you mean 'yes-no-question'?"


def test_every_rule_has_a_docstring_with_a_good_and_a_bad_example() -> None:
    rules = {**lint.CARD_RULES, **lint.OCCLUSION_RULES, "near-duplicate": lint.near_duplicates}
    assert set(rules) == set(LINT_RULES)
    for rule in rules.values():
        assert "Good:" in rule.__doc__ and "Bad:" in rule.__doc__, rule.__name__


def test_near_duplicates_scale_to_thousands_of_cards(tmp_path: Path) -> None:
    cards = "".join(f"  - {{id: c{n}, question: What is fact number {n} of {n * 7}?, answer: Value {n}}}\n"
                    for n in range(3000))
    cards += "  - {id: dup, question: What is fact number 17 of 119?, answer: Value 17}\n"
    assert warnings(tmp_path, HEAD + cards) == [(3003, 5, "near-duplicate")]


def test_lint_command_exit_codes_and_format(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    deck_file(tmp_path, HEAD + "  - {id: a, question: Is it deep?, answer: 'Yes'}\n")
    result = CliRunner().invoke(main, ["lint"])
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [
        "cards.yaml:3:23: warning: card 'a': yes/no question; ask for the fact itself (what, which, how ...) "
        "(yes-no-question)",
        "cards.yaml: 1 warning",
    ]
    assert CliRunner().invoke(main, ["lint", "--strict"]).exit_code == 1
    deck_file(tmp_path, HEAD + "  - {id: a, question: q}\n")
    assert CliRunner().invoke(main, ["lint"]).exit_code == 1


@pytest.mark.parametrize(
    ("settings", "column", "message"),
    [
        ("{enable: [cloze-gap]}", 44, "unknown key 'enable' in 'lint'; did you mean 'disable'?"),
        ("{disable: cloze-gap}", 53, "'lint' takes a list of rules to turn off, like {disable: [yes-no-question]}"),
    ],
)
def test_lint_settings_get_clear_messages(tmp_path: Path, settings: str, column: int, message: str) -> None:
    path = deck_file(tmp_path, HEAD + f"  - {{id: a, question: q, answer: a, lint: {settings}}}\n")
    [problem] = pipeline.check(str(path)).problems
    assert (problem.line, problem.column, problem.message) == (3, column, f"card 'a': {message}")
