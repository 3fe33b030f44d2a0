"""Cloze deletions: the cards Anki makes of them, and the syntax it would show raw."""

from __future__ import annotations

from pathlib import Path

import pytest
from anki.collection import Collection

from deck import cloze
from tests.conftest import build, import_package


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("about {{c1::25%}}", []),
        ("{{c1::25%::percent}} after {{c2::2-4 weeks}}", []),
        ("{{c1::a}} and {{c1::b}}", []),
        ("no deletion", ["cloze-missing"]),
        ("{{c0::x}}", ["cloze-zero"]),
        ("{{c1::}}", ["cloze-empty"]),
        ("{{c1::::hint}}", ["cloze-empty"]),
        ("{{c1::x}", ["cloze-unbalanced"]),
        ("}} {{c1::x", ["cloze-unbalanced"]),
        ("}} {{c2::{{c1::a}}", ["cloze-unbalanced"]),  # as many '}}' as '{{', but c2 never closed
        ("{c1::x}}", ["cloze-unbalanced", "cloze-missing"]),
        ("{{c1::x}} {{c2:y}}", ["cloze-syntax"]),
        ("{{c1::x}} and {{ stray", ["cloze-syntax", "cloze-unbalanced"]),
    ],
)
def test_cloze_text_rules(text: str, codes: list[str]) -> None:
    assert [finding.code for finding in cloze.check_cloze(text)] == codes


def test_cloze_deletions_outside_cloze_text_are_findings() -> None:
    [finding] = cloze.check_not_cloze("improves by {{c1::25%}}", "question")
    assert finding.code == "cloze-misplaced"
    assert "set 'type: cloze'" in finding.message
    assert cloze.check_not_cloze("literal {{ braces }}", "question") == []


def test_cloze_numbers_count_distinct_deletions() -> None:
    assert cloze.cloze_numbers("{{c1::a}} {{c2::b}} {{c1::c}} {{c3::d::hint}}") == {1, 2, 3}


@pytest.mark.parametrize(("text", "numbers"), [
    ("{{c1::outer {{c2::inner}} end}}", {1, 2}),  # a deletion inside another is a card of its own
    ("{{c1,2::both}}", {1, 2}),  # one deletion on two cards
    ("{{c1::never closed {{c2::inner}}", set()),  # one never closed, and what it holds, makes no card
    ("{{c0::x}} {{c65536::y}} {{c::z}}", set()),  # 0, past 16 bits, no number: no card
    ("{{c0001::x}}", {1}),
])
def test_cloze_numbers_are_read_as_anki_reads_them(text: str, numbers: set[int]) -> None:
    assert cloze.cloze_numbers(text) == numbers


def test_a_deletion_inside_another_gets_its_card(tmp_path: Path, collection: Collection) -> None:
    """The package holds the card Anki makes of a deletion inside another (it was left out)."""
    import_package(collection, build(tmp_path, """\
        deck: {id: nested, name: Nested}
        cards:
          - id: inner
            type: cloze
            text: "{{c1::Chemical {{c2::reconstruction}} of skin scars}}"
        """))
    [note_id] = collection.find_notes("")
    assert sorted(card.ord for card in collection.get_note(note_id).cards()) == [0, 1]
