"""Edits to a deck file's text in place: each value written in the style it had, and read back as the
value it was given."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from deck.interop.textedit import Editor
from deck.nodes import Mapping, Sequence
from deck.source import read
from tests.test_fast_reading import both_ways


def _card(text: str) -> tuple[Editor, Mapping]:
    document = read("cards.yaml", text.encode())
    assert isinstance(document.root, Mapping) and not document.problems
    cards = document.root.pairs["cards"][1]
    assert isinstance(cards, Sequence) and isinstance(cards.items[0], Mapping)
    return Editor(document, text.encode()), cards.items[0]


def _value(text: str, key: str) -> object:
    _, card = _card(text)
    node = card.pairs[key][1]
    return [item.value for item in node.items] if isinstance(node, Sequence) else node.value  # type: ignore[union-attr]


@pytest.mark.parametrize("before, key, value, after", [
    ("cards:\n  - id: a\n    answer: old  # why\n", "answer", "new one",
     "cards:\n  - id: a\n    answer: new one  # why\n"),
    ('cards:\n  - id: a\n    answer: "old"\n', "answer", "a: b", 'cards:\n  - id: a\n    answer: "a: b"\n'),
    ("cards:\n  - id: a\n    answer: 'old'\n", "answer", "it's", "cards:\n  - id: a\n    answer: 'it''s'\n"),
    ("cards:\n  - id: a\n    answer: |-\n      one\n      two\n  - id: b\n", "answer", "three\nfour",
     "cards:\n  - id: a\n    answer: |-\n      three\n      four\n  - id: b\n"),
    ("cards:\n  - id: a\n    answer: old  # why\n", "answer", "one\ntwo",  # a block would swallow the comment
     'cards:\n  - id: a\n    answer: "one\\ntwo"  # why\n'),
    ("cards:\n  - id: a\n    answer: x\n\n# next\n  - id: b\n", "extra", "more",
     "cards:\n  - id: a\n    answer: x\n    extra: more\n\n# next\n  - id: b\n"),
    ("cards:\n  - {id: a, answer: x}\n", "extra", "a, b",
     'cards:\n  - {extra: "a, b", id: a, answer: x}\n'),
    ("cards:\n  - id: a\n    answer: red\n", "answer", "red, blue [or] {green}#1",  # text in a block mapping
     "cards:\n  - id: a\n    answer: red, blue [or] {green}#1\n"),
    ("cards:\n  - id: a\n    answer: red\n", "answer", "red #1", 'cards:\n  - id: a\n    answer: "red #1"\n'),
    ("cards:\n  - id: a\n    answer: red\n", "answer", "yes", 'cards:\n  - id: a\n    answer: "yes"\n'),  # (a boolean,
    ("cards:\n  - id: a\n    answer: red\n", "answer", "1e3", 'cards:\n  - id: a\n    answer: "1e3"\n'),  # a number,
    ("cards:\n  - id: a\n    answer: red\n", "answer", "2 mm", "cards:\n  - id: a\n    answer: 2 mm\n"),  # text: to all)
    ("cards:\r\n  - id: a\r\n    answer: x", "deck", "Sub",
     "cards:\r\n  - id: a\r\n    answer: x\r\n    deck: Sub\r\n"),
])
def test_a_value_is_written_in_its_style_and_reads_back(before: str, key: str, value: str, after: str) -> None:
    editor, card = _card(before)
    assert editor.apply([editor.set_text(card, key, value)]) == after
    assert _value(after, key) == value


@settings(max_examples=400, deadline=None, derandomize=True)
@given(st.text(st.sampled_from("ab1 ,:#[]{}-?&*!|>'\"%@`(~"), min_size=1, max_size=12).filter(str.strip),
       st.sampled_from(["red", '"red"', "'red'", "{x: 1}"]))
@example("a: b", "red").via("a mapping's indicator")
@example("a #b", "red").via("a comment")
@example("a:", "red").via("a key")
@example("a, [b]", "{x: 1}").via("flow punctuation in a flow mapping")
def test_a_value_set_reads_back_as_itself_both_ways(value: str, was: str) -> None:
    """Whatever the value and the style it replaces, both readings of the edited file give the value:
    the located one and the fast one (where that takes the file)."""
    editor, card = _card(f"deck: {{id: t, name: T}}\ncards:\n  - id: a\n    question: q\n    answer: {was}\n")
    text = editor.apply([editor.set_text(card, "answer", value)])
    assert _value(text, "answer") == value
    fast, located = both_ways(text)
    assert located.deck is not None and located.deck.cards[0].answer == value  # type: ignore[union-attr]
    assert fast is None or fast.deck == located.deck


@pytest.mark.parametrize("before, after", [
    ("cards:\n  - id: a\n    tags: [x, y]  # why\n", "cards:\n  - id: a\n    tags: [y, \"a, b\", c::d]  # why\n"),
    ("cards:\n  - id: a\n    tags:\n      - x\n      - y\n",
     "cards:\n  - id: a\n    tags:\n      - y\n      - \"a, b\"\n      - c::d\n"),
    ("cards:\n  - id: a\n", "cards:\n  - id: a\n    tags: [\"y\", \"a, b\", c::d]\n"),  # ('y': a boolean to some)
    ("cards:\n  - id: a\n    tags: ['y', \"c::d\"]\n", "cards:\n  - id: a\n    tags: ['y', \"a, b\", \"c::d\"]\n"),
])
def test_a_list_keeps_its_style(before: str, after: str) -> None:
    editor, card = _card(before)
    assert editor.apply([editor.set_list(card, "tags", ["y", "a, b", "c::d"])]) == after
    assert _value(after, "tags") == ["y", "a, b", "c::d"]


def test_a_new_tag_is_plain_only_where_every_yaml_reader_reads_it_as_text() -> None:
    editor, card = _card("cards:\n  - id: a\n    tags: [x]\n")
    tags = ["0x10", "1e3", "2024-01-01", "null", "On", "~", "a::b", "anatomy-2", "02_week", "_x"]
    text = editor.apply([editor.set_list(card, "tags", tags)])
    assert text == ('cards:\n  - id: a\n    tags: ["0x10", "1e3", "2024-01-01", "null", "On", "~", a::b, anatomy-2, '
                    '02_week, "_x"]\n')
    assert _value(text, "tags") == tags


def test_a_removed_key_takes_its_lines() -> None:
    editor, card = _card("cards:\n  - id: a\n    deck: Sub  # here\n    answer: x\n")
    edit = editor.remove(card, "deck")
    assert edit is not None and editor.apply([edit]) == "cards:\n  - id: a\n    answer: x\n"


_MASKS = "cards:\n  - id: a\n    masks:\n      - {shape: rect}  # the first\n      - {shape: ellipse}\n"


@pytest.mark.parametrize("before, new, after", [
    (_MASKS, ["{shape: rect}", "{shape: polygon}", "{shape: ellipse}"],  # changed in place, added below
     "cards:\n  - id: a\n    masks:\n      - {shape: rect}  # the first\n      - {shape: polygon}\n"
     "      - {shape: ellipse}\n"),
    (_MASKS, ["{shape: ellipse}"],  # one fewer: the list is written again
     "cards:\n  - id: a\n    masks:\n      - {shape: ellipse}\n"),
    ("cards:\n  - id: a\n    masks: [{shape: rect}]\n", ["{shape: rect}", "{shape: ellipse}"],
     "cards:\n  - id: a\n    masks: [{shape: rect}, {shape: ellipse}]\n"),
])
def test_items_keep_their_text_where_unchanged(before: str, new: list[str], after: str) -> None:
    editor, card = _card(before)
    old = ["{shape: rect}", "{shape: ellipse}"][:len(card.pairs["masks"][1].items)]  # type: ignore[union-attr]
    assert editor.apply(editor.set_items_in_place(card, "masks", old, new)) == after
