"""Reading on after a YAML syntax error: one run reports the broken card and the other cards' problems."""

from __future__ import annotations

from pathlib import Path

import pytest

from deck import pipeline, recovery, source

# Card 'three' has a problem of its own (line 12), found only if reading goes on past card 'two'.
DECK = """\
deck: {id: d, name: D}
cards:
  - id: one
    question: Q1?
    answer: A1
  - id: two
    question: Q2?
    answer: A2
  - id: three
    question: Q3?
    answer: <script>x</script>
    bogus: 1
"""
LATER = [(11, 13, "html-tag"), (12, 5, "unknown-key")]


def found(tmp_path: Path, text: str) -> list[tuple[int, int, str]]:
    path = tmp_path / "cards.yaml"
    path.write_text(text)
    return [(problem.line, problem.column, problem.code) for problem in pipeline.check(str(path)).problems]


@pytest.mark.parametrize(("broken", "syntax"), [
    ("\tanswer: A2", (8, 1)),  # a tab
    ("    answer: Note: A2", (8, 17)),  # a colon in an unquoted value
    ('    question: "Q2?', (7, 15)),  # an unclosed quote (libyaml finds it at the end of the file)
    ("    question: 'Q2?", (7, 15)),
    ("    question: [Q2?", (8, 11)),  # an unclosed list
    ("    answer: A2\n  stray text", (9, 3)),  # a line that is not a key
    ("      answer: A2", (8, 13)),  # a key indented too far
    ("   answer: A2", (8, 4)),  # and not far enough
])
def test_a_syntax_error_in_a_card_does_not_hide_the_other_cards_problems(tmp_path: Path, broken: str,
                                                                         syntax: tuple[int, int]) -> None:
    original = "    question: Q2?" if "question" in broken else "    answer: A2"
    text = DECK.replace(original, broken)
    shift = broken.count("\n")  # a line added before card 'three' moves its problems down
    assert found(tmp_path, text) == sorted([(*syntax, "syntax"), *[(line + shift, column, code)
                                                                    for line, column, code in LATER]])


def test_each_broken_card_is_reported(tmp_path: Path) -> None:
    text = DECK.replace("    answer: A1", "\tanswer: A1").replace("    answer: A2", "\tanswer: A2")
    assert found(tmp_path, text) == [(5, 1, "syntax"), (8, 1, "syntax"), *LATER]


def test_a_file_whose_every_card_is_broken_reports_only_that(tmp_path: Path) -> None:
    assert found(tmp_path, "deck: {id: d, name: D}\ncards:\n  - id: one\n\tanswer: x\n") == [(4, 1, "syntax")]


def test_an_error_outside_the_cards_stops_reading_there(tmp_path: Path) -> None:
    assert found(tmp_path, DECK.replace("name: D}", "name: D")) == [(2, 6, "syntax")]


def test_reading_on_stops_after_a_few_broken_cards(tmp_path: Path) -> None:
    cards = "".join(f"  - id: c{n}\n\tanswer: x\n" for n in range(source.MAX_SET_ASIDE + 5))
    problems = found(tmp_path, "deck: {id: d, name: D}\ncards:\n" + cards)
    assert [code for _, _, code in problems] == ["syntax"] * (source.MAX_SET_ASIDE + 1)


def test_a_card_set_aside_keeps_every_line_and_offset() -> None:
    text = DECK.replace("    answer: A2", "\tanswer: A2")
    aside = recovery.set_aside(text, 7)
    assert aside is not None and len(aside) == len(text)
    assert aside.splitlines()[5:8] == ["#" + " " * (len(row) - 1) for row in text.splitlines()[5:8]]
    assert aside.splitlines()[:5] == text.splitlines()[:5] and aside.splitlines()[8:] == text.splitlines()[8:]


@pytest.mark.parametrize("line", [0, 1])
def test_only_a_card_is_set_aside(line: int) -> None:
    assert recovery.set_aside(DECK, line) is None
    assert recovery.set_aside("cards: [{id: a}, {id: b}]\n", 0) is None
