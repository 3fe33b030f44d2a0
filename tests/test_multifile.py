"""A deck split across files: a folder of *.yaml files, or an `include:` list in the main file.

Built as if the files were one: the same package, byte for byte; problems name each file's lines.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from deck import pipeline
from deck.cli import main

HEAD = "deck: {id: split, name: Split}\nsources:\n  s1: {title: One}\n"
PART_A = "cards:\n  - {id: a, question: What is a?, answer: A, source: s1}\n  - {id: b, question: What is b?, answer: B}\n"
PART_B = ("sources:\n  s2: {title: Two}\ncards:\n  - {id: c, type: cloze, text: 'The {{c1::c}} card', source: s2}\n"
          "  - {id: d, type: reversed, question: D, answer: Dee}\n")
WHOLE = (HEAD + "  s2: {title: Two}\ncards:\n  - {id: a, question: What is a?, answer: A, source: s1}\n"
         "  - {id: b, question: What is b?, answer: B}\n"
         "  - {id: c, type: cloze, text: 'The {{c1::c}} card', source: s2}\n"
         "  - {id: d, type: reversed, question: D, answer: Dee}\n")


def built(path: Path, out: Path) -> bytes:
    checked, result = pipeline.build(str(path), out)
    assert result is not None, [problem.format() for problem in checked.problems]
    return hashlib.sha256(out.read_bytes()).digest()


@pytest.fixture(autouse=True)
def fixed_time(monkeypatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")


def test_a_folder_builds_the_same_package_as_one_file(tmp_path: Path) -> None:
    (tmp_path / "whole").mkdir()
    (tmp_path / "whole" / "cards.yaml").write_text(WHOLE)
    folder = tmp_path / "cards"
    folder.mkdir()
    (folder / "00-deck.yaml").write_text(HEAD)
    (folder / "10-a.yaml").write_text(PART_A)
    (folder / "20-b.yaml").write_text(PART_B)
    assert built(folder, tmp_path / "split.apkg") == built(tmp_path / "whole" / "cards.yaml", tmp_path / "one.apkg")
    assert (tmp_path / "cards.lock").is_file()


def test_include_builds_the_same_package_as_one_file(tmp_path: Path) -> None:
    (tmp_path / "whole").mkdir()
    (tmp_path / "whole" / "cards.yaml").write_text(WHOLE)
    (tmp_path / "more").mkdir()
    (tmp_path / "more" / "b.yaml").write_text(PART_B)
    main_file = tmp_path / "cards.yaml"
    main_file.write_text(HEAD.replace("deck:", "include: [more/b.yaml]\ndeck:") + PART_A)
    assert built(main_file, tmp_path / "split.apkg") == built(tmp_path / "whole" / "cards.yaml", tmp_path / "one.apkg")


def test_problems_name_the_file_and_its_own_lines(tmp_path: Path, monkeypatch) -> None:
    folder = tmp_path / "cards"
    folder.mkdir()
    (folder / "00-deck.yaml").write_text(HEAD)
    (folder / "10-a.yaml").write_text(PART_A)
    (folder / "20-b.yaml").write_text(PART_B.replace("answer: Dee", "anwser: Dee") + "  - {id: a, question: q, answer: x}\n")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["validate", "cards"])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "cards/20-b.yaml:5:5: error: card 'd': 'answer' is required",
        "cards/20-b.yaml:5:42: error: card 'd': unknown key 'anwser'; did you mean 'answer'?",
        "cards/20-b.yaml:6:10: error: card 'a': id is already used by the card at line 2 of cards/10-a.yaml; "
        "ids must be unique",
        "cards: 3 errors",
    ]


@pytest.mark.parametrize("newline", ["\r", "\r\n"])
def test_a_file_with_other_line_endings_is_located_in_itself(tmp_path: Path, newline: str) -> None:
    folder = tmp_path / "cards"
    folder.mkdir()
    (folder / "00-deck.yaml").write_text(HEAD.replace("\n", newline), newline="")
    (folder / "10-a.yaml").write_text(PART_A.replace("answer: B", "answr: B").replace("\n", newline), newline="")
    (folder / "20-b.yaml").write_text(PART_B.replace("answer: Dee", "answr: Dee"))
    problems = pipeline.check(str(folder)).problems
    assert [(Path(p.path).name, p.line, p.column, p.code) for p in problems if p.code == "unknown-key"] == [
        ("10-a.yaml", 3, 35, "unknown-key"), ("20-b.yaml", 5, 42, "unknown-key")]


def test_the_deck_or_a_source_given_twice_is_an_error(tmp_path: Path) -> None:
    folder = tmp_path / "cards"
    folder.mkdir()
    (folder / "a.yaml").write_text(HEAD + PART_A)
    (folder / "b.yaml").write_text("deck: {id: other, name: Other}\nsources:\n  s1: {title: Again}\n")
    problems = pipeline.check(str(folder)).problems
    assert [(Path(p.path).name, p.line, p.code) for p in problems] == [("b.yaml", 1, "duplicate-key"),
                                                                        ("b.yaml", 3, "duplicate-key")]
    assert "'deck' is already given at line 1 of" in problems[0].message


@pytest.mark.parametrize("layout", ["folder", "include"])
def test_a_source_given_again_is_not_merged_into_the_first(tmp_path: Path, layout: str) -> None:
    again = "sources:\n  s1: {publisher: Somebody}\n"  # no field in common with the first s1
    if layout == "folder":
        path = tmp_path / "cards"
        path.mkdir()
        (path / "a.yaml").write_text(HEAD + PART_A)
        (path / "b.yaml").write_text(again)
    else:
        (tmp_path / "b.yaml").write_text(again)
        path = tmp_path / "cards.yaml"
        path.write_text("include: [b.yaml]\n" + HEAD + PART_A)
    problems = pipeline.check(str(path)).problems
    assert [(Path(p.path).name, p.line, p.column, p.code) for p in problems] == [("b.yaml", 2, 3, "duplicate-key")]
    first = "line 3 of" if layout == "folder" else "line 4 of"
    assert f"'s1' is already given at {first}" in problems[0].message


@pytest.mark.parametrize(
    ("include", "words"),
    [
        ("[missing.yaml]", "'missing.yaml' does not exist in"),
        ("[../outside.yaml]", "'../outside.yaml' is outside"),
        ("[.]", "'.' is not a file in"),
        ("[loop.yaml]", "'loop.yaml' is not a usable file name"),
        ("[[more.yaml]]", "each entry of 'include' is a file name"),
        ("[cards.yaml]", "'cards.yaml' is already part of the deck"),
        ("more.yaml", "'include' must be a list of deck files"),
    ],
)
def test_bad_includes_are_located_problems(tmp_path: Path, include: str, words: str) -> None:
    (tmp_path / "outside.yaml").write_text(PART_B)
    deck = tmp_path / "deck"
    deck.mkdir()
    (deck / "loop.yaml").symlink_to(deck / "loop.yaml")
    (deck / "cards.yaml").write_text(f"include: {include}\n" + HEAD + PART_A)
    [problem] = pipeline.check(str(deck / "cards.yaml")).problems
    assert (problem.line, problem.code in ("bad-include", "wrong-type")) == (1, True)
    assert words in problem.message


def test_only_the_main_file_includes(tmp_path: Path) -> None:
    (tmp_path / "b.yaml").write_text("include: [c.yaml]\n" + PART_B)
    (tmp_path / "c.yaml").write_text("cards: []\n")
    (tmp_path / "cards.yaml").write_text("include: [b.yaml]\n" + HEAD + PART_A)
    [problem] = pipeline.check(str(tmp_path / "cards.yaml")).problems
    assert (Path(problem.path).name, problem.line, problem.code) == ("b.yaml", 1, "nested-include")


def test_an_empty_folder_is_a_problem(tmp_path: Path) -> None:
    [problem] = pipeline.check(str(tmp_path)).problems
    assert problem.code == "no-files"


def test_a_split_deck_without_deck_still_reports_unknown_sources(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(PART_A)  # cites s1, and no file has 'sources'
    (tmp_path / "b.yaml").write_text("cards:\n  - {id: z, question: Z?, answer: Z}\n")
    problems = pipeline.check(str(tmp_path)).problems
    assert [(Path(p.path).name, p.line, p.code) for p in problems] == [
        ("a.yaml", 1, "missing-field"), ("a.yaml", 2, "unknown-source")]


@pytest.mark.parametrize("part", [PART_A, PART_B])
def test_a_part_checked_alone_says_to_check_the_whole_deck(tmp_path: Path, part: str) -> None:
    (tmp_path / "b.yaml").write_text(part)  # PART_A's cards cite a source of the deck's other file
    problems = pipeline.check(str(tmp_path / "b.yaml")).problems
    assert [(problem.line, problem.code) for problem in problems] == [(1, "missing-field")]
    assert "a file holding part of a deck is checked with the rest: give its folder" in problems[0].message


@pytest.mark.parametrize("layout", ["folder", "include"])
def test_a_file_left_unread_by_a_syntax_error_is_the_only_report_of_it(tmp_path: Path, layout: str) -> None:
    """The unread file's 'deck' and sources are unknown, not missing: cards elsewhere that cite
    them are not reported, nor is the deck's 'deck'. The other files' own problems still are."""
    unread = HEAD.replace("{title: One}", "{title: 'One}") + PART_A  # a quote never closed, outside any card
    other = PART_B.replace("answer: Dee", "anwser: Dee")
    if layout == "folder":
        (tmp_path / "a.yaml").write_text(unread)
        (tmp_path / "b.yaml").write_text(other)
        problems = pipeline.check(str(tmp_path)).problems
    else:
        (tmp_path / "a.yaml").write_text(unread)
        (tmp_path / "b.yaml").write_text("include: [a.yaml]\n" + other)
        problems = pipeline.check(str(tmp_path / "b.yaml")).problems
    assert sorted((Path(problem.path).name, problem.code) for problem in problems) == [
        ("a.yaml", "syntax"), ("b.yaml", "missing-field"), ("b.yaml", "unknown-key")]
