"""Cloze deletions: the cards Anki makes of them, and the syntax it would show raw."""

from __future__ import annotations

import pytest

from deck import cloze


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
        ("}} {{c1::x", ["cloze-missing"]),
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
