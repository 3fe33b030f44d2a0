"""`deck ids`: readable ids added in place, with everything else in the file kept as it was."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from deck import ids, pipeline
from deck.cli import main

WITHOUT_IDS = """\
# The deck (this comment stays)
deck: {id: scars, name: Scars}
cards:
  # Morphology
  - question: How wide is a **typical** ice pick scar?
    answer: "No"   # quoted on purpose

  - {question: 'How wide is a typical ice pick scar?', answer: Less than 2 mm}
  - id: depth
    question: How deep?
    answer: Deep
  -
    type: cloze
    text: "One TCA CROSS session improves scars by about {{c1::25%::percent}}."
"""


def cards(text: str) -> list[dict]:
    return yaml.load(text, Loader=yaml.BaseLoader)["cards"]


def test_ids_are_added_and_nothing_else_changes(tmp_path: Path) -> None:
    path = tmp_path / "cards.yaml"
    path.write_text(WITHOUT_IDS)
    added, problems = ids.assign(path)
    assert problems == []
    assert added == ["wide-typical-ice-pick-scar", "wide-typical-ice-pick-scar-2", "one-tca-cross-session-improves"]

    after = path.read_text()
    before_cards, after_cards = cards(WITHOUT_IDS), cards(after)
    assert [{k: v for k, v in card.items() if k != "id"} for card in after_cards] == [
        {k: v for k, v in card.items() if k != "id"} for card in before_cards]
    assert [card["id"] for card in after_cards] == [added[0], added[1], "depth", added[2]]
    # Only the new ids differ: take them out again and the old file is back, byte for byte.
    restored = after
    for new_id in added:
        restored = re.sub(rf"id: {new_id}(, |\n *)", "", restored, count=1)
    assert restored == WITHOUT_IDS
    assert "  - {id: wide-typical-ice-pick-scar-2, question: 'How wide" in after
    assert "  - id: wide-typical-ice-pick-scar\n    question: How wide" in after
    assert pipeline.check(str(path)).problems == []


def test_a_file_where_every_card_has_an_id_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "cards.yaml"
    path.write_text("deck: {id: t, name: T}\ncards:\n  - {id: a, question: q, answer: a}\n")
    before = path.stat().st_mtime_ns
    assert ids.assign(path) == ([], [])
    assert path.stat().st_mtime_ns == before


@pytest.mark.parametrize("newline", [b"\r\n", b"\r"])
def test_line_endings_and_byte_order_mark_are_kept(tmp_path: Path, newline: bytes) -> None:
    path = tmp_path / "cards.yaml"
    path.write_bytes(b"\xef\xbb\xbfdeck: {id: t, name: T}\r\ncards:\r\n  - question: Why?\r\n    answer: a\r\n"
                     .replace(b"\r\n", newline))
    ids.assign(path)
    assert path.read_bytes() == (
        b"\xef\xbb\xbfdeck: {id: t, name: T}\r\ncards:\r\n  - id: why\r\n    question: Why?\r\n    answer: a\r\n"
        .replace(b"\r\n", newline))


def test_broken_yaml_is_reported_and_not_touched(tmp_path: Path) -> None:
    path = tmp_path / "cards.yaml"
    text = "deck: {id: t, name: T}\ncards:\n  - question: [unclosed\n"
    path.write_text(text)
    added, problems = ids.assign(path)
    assert added == [] and [problem.code for problem in problems] == ["syntax"]
    assert path.read_text() == text


def test_a_failed_write_leaves_the_file_and_no_temporary_file(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "cards.yaml"
    path.write_text(WITHOUT_IDS)

    def fail(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError):
        ids.assign(path)
    assert path.read_text() == WITHOUT_IDS
    assert [p.name for p in tmp_path.iterdir()] == ["cards.yaml"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("How wide is a typical ice pick scar?", "wide-typical-ice-pick-scar"),
        ("About {{c1::25%::percent}} after one session", "about-25-after-one-session"),
        ("What is <b>TCA</b>?", "tca"),
        ("Why?", "why"),
        ("???", "card"),
        ("Májovci tvořili v", "majovci-tvorili-v"),  # letters keep their accents' base, as `deck init` does
        ("日本語", "card"),
    ],
)
def test_slugs_are_readable_and_valid_ids(text: str, expected: str) -> None:
    assert ids.slug(text) == expected


def test_a_missing_id_names_the_command_and_the_command_fixes_it(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("cards.yaml").write_text("deck: {id: t, name: T}\ncards:\n  - question: Why?\n    answer: a\n")
    result = CliRunner().invoke(main, ["validate"])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        "cards.yaml:3:5: error: card #1: 'id' is required; run 'deck ids' to give every card without one a readable id")
    result = CliRunner().invoke(main, ["ids"])
    assert (result.exit_code, result.stdout) == (0, "cards.yaml: added 1 id: why\n")
    assert CliRunner().invoke(main, ["validate"]).exit_code == 0


def test_a_picture_card_gets_its_id_from_its_header_or_else_its_picture(run, tmp_path: Path) -> None:
    (tmp_path / "images").mkdir()
    shutil.copy(Path(__file__).parent.parent / "images" / "tca-cross.svg", tmp_path / "images")
    masks = "    masks: [{shape: rect, left: 0.1, top: 0.1, width: 0.1, height: 0.1}]\n"
    (tmp_path / "cards.yaml").write_text("deck: {id: t, name: T}\ncards:\n"
                                         "  - type: image-occlusion\n    image: images/tca-cross.svg\n"
                                         "    header: 'TCA CROSS: name the hidden label'\n" + masks +
                                         "  - type: image-occlusion\n    image: images/tca-cross.svg\n" + masks)
    result = run("ids", "cards.yaml")
    assert (result.exit_code, result.stdout) == (0, "cards.yaml: added 2 ids: tca-cross-name-hidden-label, tca-cross\n")
    assert run("validate", "cards.yaml").exit_code == 0


def test_a_removed_cards_id_is_not_given_again(tmp_path: Path) -> None:
    path = tmp_path / "cards.yaml"
    path.write_text("deck: {id: t, name: T}\ncards:\n  - {id: why, question: Why?, answer: a}\n"
                    "  - {id: other, question: q, answer: b}\n")
    pipeline.build(str(path), tmp_path / "out.apkg")
    path.write_text("deck: {id: t, name: T}\ncards:\n  - {question: Why?, answer: new}\n"
                    "  - {id: other, question: q, answer: b}\n")
    assert ids.assign(path) == (["why-2"], [])
    assert pipeline.check(str(path)).problems == []


@pytest.mark.parametrize("layout", ["folder", "include"])
def test_a_deck_in_several_files_gets_ids_unique_across_them(tmp_path: Path, layout: str) -> None:
    head = "deck: {id: t, name: T}\n" + ("include: [b.yaml]\n" if layout == "include" else "")
    (tmp_path / "a.yaml").write_text(head + "cards:\n  - {question: Why?, answer: a}\n  - {id: why-2, question: q, answer: b}\n")
    (tmp_path / "b.yaml").write_text("cards:\n  - question: Why?\n    answer: c\n")
    deck = tmp_path if layout == "folder" else tmp_path / "a.yaml"
    assert ids.assign(deck) == (["why", "why-3"], [])
    assert "  - {id: why, question: Why?" in (tmp_path / "a.yaml").read_text()
    assert (tmp_path / "b.yaml").read_text() == "cards:\n  - id: why-3\n    question: Why?\n    answer: c\n"
    assert pipeline.check(str(deck)).problems == []


def test_a_deck_in_several_files_with_a_broken_file_is_left_alone(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("deck: {id: t, name: T}\ncards:\n  - {question: Why?, answer: a}\n")
    (tmp_path / "b.yaml").write_text("cards:\n  - {question: 'How?, answer: c}\n")
    result = CliRunner().invoke(main, ["ids", str(tmp_path)])
    assert result.exit_code == 1
    assert f"{tmp_path / 'b.yaml'}:2:" in result.stderr
    assert (tmp_path / "a.yaml").read_text() == "deck: {id: t, name: T}\ncards:\n  - {question: Why?, answer: a}\n"


def test_a_main_file_whose_deck_is_in_a_file_it_includes_gets_ids(tmp_path: Path) -> None:
    (tmp_path / "main.yaml").write_text("include: [info.yaml]\ncards:\n  - {question: What is one?, answer: One}\n")
    (tmp_path / "info.yaml").write_text("deck: {id: d, name: D}\n")
    assert ids.assign(tmp_path / "main.yaml") == (["one"], [])


def test_a_file_of_one_line_gets_its_ids(tmp_path: Path) -> None:
    path = tmp_path / "cards.yaml"
    path.write_text("{deck: {id: t, name: T}, cards: [{question: Why?, answer: a}]}")  # not even a final line break
    assert ids.assign(path) == (["why"], [])
    assert path.read_text() == "{deck: {id: t, name: T}, cards: [{id: why, question: Why?, answer: a}]}"


def test_a_stray_line_ending_does_not_change_the_files_own(tmp_path: Path) -> None:
    path = tmp_path / "cards.yaml"
    path.write_bytes(b"deck: {id: t, name: T}\rcards:\n  - question: Why?\n    answer: a\n")  # one CR alone
    ids.assign(path)
    assert b"  - id: why\n    question: Why?\n" in path.read_bytes()


def test_one_file_of_a_deck_in_several_is_left_alone(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(
        "deck: {id: t, name: T}\ninclude: [b.yaml]\ncards:\n  - {id: why, question: Why?, answer: a}\n")
    part = "cards:\n  - question: Why?\n    answer: c\n"
    (tmp_path / "b.yaml").write_text(part)
    new_ids, problems = ids.assign(tmp_path / "b.yaml")  # 'why' would be taken: ids are unique in the whole deck
    assert new_ids == []
    assert [(problem.line, problem.code) for problem in problems] == [(1, "missing-field")]
    assert "give its folder, or the file that includes it" in problems[0].message
    assert (tmp_path / "b.yaml").read_text() == part


def test_a_deck_with_any_other_error_is_reported_and_no_file_changes(run, tmp_path: Path) -> None:
    text = "deck: {id: t, name: T}\ncards:\n  - question: Why?\n    anwser: a\n  - question: How?\n    answer: b\n"
    (tmp_path / "cards.yaml").write_text(text)
    result = run("ids")
    assert result.exit_code == 1
    assert result.stderr == ("cards.yaml:3:5: error: card #1: 'answer' is required\n"
                             "cards.yaml:4:5: error: card #1: unknown key 'anwser'; did you mean 'answer'?\n"
                             "cards.yaml: 2 errors\n")
    assert result.stdout == ""
    assert (tmp_path / "cards.yaml").read_text() == text
