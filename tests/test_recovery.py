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
    ("    answer: 'It's A2'", (8, 13)),  # a quote inside quoted text ends it
    ("      answer: A2", (8, 13)),  # a key indented too far
    ("   answer: A2", (8, 4)),  # and not far enough
    ("  answer: A2", (8, 3)),  # or as far out as the '-'
])
def test_a_syntax_error_in_a_card_does_not_hide_the_other_cards_problems(tmp_path: Path, broken: str,
                                                                         syntax: tuple[int, int]) -> None:
    original = "    question: Q2?" if "question" in broken else "    answer: A2"
    text = DECK.replace(original, broken)
    shift = broken.count("\n")  # a line added before card 'three' moves its problems down
    assert found(tmp_path, text) == sorted([(*syntax, "syntax"), *[(line + shift, column, code)
                                                                    for line, column, code in LATER]])


def test_quoted_text_left_open_is_reported_where_it_opens(tmp_path: Path) -> None:
    """It runs on to the next quote, a card later, and libyaml fails only after that."""
    path = tmp_path / "cards.yaml"
    path.write_text(DECK.replace("question: Q2?", 'question: "Q2?').replace("question: Q3?", 'question: "Q3?"'))
    first = pipeline.check(str(path)).problems[0]
    assert (first.line, first.column) == (7, 15)
    assert "not closed on its line, so it runs on to the next \" (line 10)" in first.message


def test_a_quote_is_not_blamed_for_a_missing_comma_in_a_list(tmp_path: Path) -> None:
    text = DECK.replace("    answer: A2", '    answer: A2\n    tags: ["a" "b"]')
    assert found(tmp_path, text)[0] == (9, 16, "syntax")  # where the ',' is missing


def test_quoted_text_over_two_lines_is_not_blamed_for_the_next_error(tmp_path: Path) -> None:
    text = DECK.replace("question: Q2?", 'question: "What is\n      this?"').replace("    answer: A2", "   answer: A2")
    assert found(tmp_path, text) == [(9, 4, "syntax"), (12, 13, "html-tag"), (13, 5, "unknown-key")]


@pytest.mark.parametrize("line", ["  stray text", "  sources:\n    s: {title: T}"])
def test_a_line_out_of_place_at_the_cards_indent_stops_reading_there(tmp_path: Path, line: str) -> None:
    """It belongs to no card (a misplaced top-level key, say): setting cards aside cannot help."""
    text = DECK.replace("    answer: A2\n", f"    answer: A2\n{line}\n")
    assert [code for _, _, code in found(tmp_path, text)] == ["syntax"]


def test_the_same_error_is_reported_once(tmp_path: Path) -> None:
    text = DECK.replace("question: Q2?", 'question: "Q2?') + "  - id: four\n    question: Q4?\n  answer: A4\n"
    problems = found(tmp_path, text)
    assert len(problems) == len(set(problems))


def test_a_folder_deck_keeps_the_rest_of_a_file_whose_cards_are_all_broken(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("deck: {id: d, name: D}\ncards:\n  - id: one\n\tanswer: A1\n")
    (tmp_path / "b.yaml").write_text("cards:\n  - {id: two, question: Q2?, answer: A2, bogus: 1}\n")
    problems = pipeline.check(str(tmp_path)).problems
    assert [(Path(problem.path).name, problem.line, problem.code) for problem in problems] == [
        ("a.yaml", 4, "syntax"), ("b.yaml", 2, "unknown-key")]


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


@pytest.mark.parametrize(("text", "line"), [(DECK, 0), (DECK, 1), ("cards: [{id: a}, {id: b}]\n", 0)])
def test_only_a_card_of_a_block_list_is_set_aside(text: str, line: int) -> None:
    assert recovery.set_aside(text, line) is None


def test_a_big_file_is_read_again_only_so_often(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cards = "".join(f"  - id: c{n}\n\tanswer: x\n" for n in range(5))
    text = "deck: {id: d, name: D}\ncards:\n" + cards
    monkeypatch.setattr(source, "MAX_READ_AGAIN", 2 * len(text))  # read again twice: three errors found
    path = tmp_path / "cards.yaml"
    path.write_text(text)
    problems = pipeline.check(str(path)).problems
    assert [problem.code for problem in problems] == ["syntax"] * 3
    assert problems[-1].message.endswith("(the file was not read past here)")
