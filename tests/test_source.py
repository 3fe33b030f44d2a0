"""Reading YAML strictly: every scalar is text, and anything PyYAML would lose is a located problem."""

from __future__ import annotations

import pytest

from deck import source
from deck.nodes import Mapping, Scalar, Sequence


def problems(data: bytes) -> list[tuple[int, int, str]]:
    return [(p.line, p.column, p.code) for p in source.read("cards.yaml", data).problems]


def values(data: bytes) -> dict[str, str]:
    document = source.read("cards.yaml", data)
    assert document.problems == []
    assert isinstance(document.root, Mapping)
    return {key: value.value for key, (_, value) in document.root.pairs.items() if isinstance(value, Scalar)}


def test_every_scalar_stays_text_as_typed() -> None:
    text = b"a: No\nb: 3.10\nc: 1:30\nd: 010\ne: yes\nf: ~\ng: null\nh: 1e3\ni: 0x1F\nj: 2019-05-24\nk: .inf\n"
    assert values(text) == {
        "a": "No", "b": "3.10", "c": "1:30", "d": "010", "e": "yes", "f": "~", "g": "null",
        "h": "1e3", "i": "0x1F", "j": "2019-05-24", "k": ".inf",
    }


def test_an_empty_value_is_empty_text() -> None:
    assert values(b"a:\nb: ''\n") == {"a": "", "b": ""}


def test_a_byte_order_mark_is_accepted() -> None:
    assert values(b"\xef\xbb\xbfa: b\n") == {"a": "b"}


def test_nodes_keep_their_positions() -> None:
    document = source.read("cards.yaml", b"cards:\n  - id: width\n    tags: [a, b]\n")
    cards = document.root.pairs["cards"][1]
    assert isinstance(cards, Sequence)
    card = cards.items[0]
    assert isinstance(card, Mapping)
    key, value = card.pairs["id"]
    assert (key.line, key.column, value.line, value.column) == (2, 5, 2, 9)
    tags = card.pairs["tags"][1]
    assert [(tag.line, tag.column) for tag in tags.items] == [(3, 12), (3, 15)]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        pytest.param(b"a: 1\nb: 2\na: 3\n", [(3, 1, "duplicate-key")], id="duplicate key"),
        pytest.param(b"x:\n  a: 1\n  a: 1\n", [(3, 3, "duplicate-key")], id="nested duplicate key"),
        pytest.param(b"a: &anchor 1\n", [(1, 4, "anchor")], id="anchor"),
        pytest.param(b"a: &x [1]\nb: *x\n", [(1, 4, "anchor"), (2, 4, "alias")], id="alias"),
        pytest.param(b"a: !!binary aGk=\n", [(1, 4, "tag")], id="binary tag"),
        pytest.param(b"a: !!python/object:os.system x\n", [(1, 4, "tag")], id="python tag"),
        pytest.param(b"a: !local x\n", [(1, 4, "tag")], id="local tag"),
        pytest.param(b"a: [1, 2\nb: 3\n", [(2, 2, "syntax")], id="unclosed flow sequence"),
        pytest.param(b"a: b\n c: d\n", [(2, 3, "syntax")], id="bad indentation"),
        pytest.param(b"a: 'x\n", [(1, 4, "syntax")], id="unclosed quote"),
        pytest.param(b"a:\n\tb: c\n", [(2, 1, "syntax")], id="tab indentation"),
        pytest.param(b"a: 1\n---\nb: 2\n", [(2, 1, "multiple-documents")], id="two documents"),
        pytest.param(b"[a, b]: c\n", [(1, 1, "complex-key")], id="list as key"),
        pytest.param(b"a: x\xffy\n", [(1, 5, "encoding")], id="invalid utf-8"),
        pytest.param(b"a: 1\nb: caf\xc3\xa9 \xe9t\xe9\n", [(2, 9, "encoding")], id="latin-1 after utf-8"),
        pytest.param(b"\xff\xfea\x00:\x00", [(1, 1, "encoding")], id="utf-16"),
        pytest.param(b"a: x\x00y\n", [(1, 5, "control-character")], id="NUL"),
        pytest.param(b"a: x\x1fy\nb: \x07\n", [(1, 5, "control-character"), (2, 4, "control-character")],
                     id="field separator and bell"),
        pytest.param(b'a: "x\\x1fy"\n', [(1, 4, "control-character")], id="escaped field separator"),
        pytest.param(b'a: "\\ud800"\n', [(1, 7, "syntax")], id="escaped lone surrogate"),
        pytest.param(b"a: x\xe2\x80\xa8y\n", [(1, 5, "control-character")], id="line separator"),
        pytest.param(b"a:\n" + b"  " * 3 + b"[" * 40 + b"]" * 40 + b"\n", [(2, 38, "too-deep")], id="deep nesting"),
    ],
)
def test_strict_reading_rules(data: bytes, expected: list[tuple[int, int, str]]) -> None:
    assert problems(data) == expected


def test_duplicate_key_names_both_lines() -> None:
    [problem] = source.read("cards.yaml", b"a: 1\nb: 2\na: 3\n").problems
    assert problem.format() == "cards.yaml:3:1: error: duplicate key 'a' (first at line 1); remove one of them"


def test_a_tab_used_for_indentation_says_so() -> None:
    [problem] = source.read("cards.yaml", b"deck:\n\tid: t\n").problems
    assert problem.message == "a tab cannot indent YAML; indent with spaces"


def test_a_tag_is_shown_as_written() -> None:
    [problem] = source.read("cards.yaml", b"a: !!binary aGk=\n").problems
    assert problem.message == "tag '!!binary' is not allowed; every value is plain text"


def test_tabs_and_crlf_are_fine() -> None:
    assert values(b"a: x\ty\r\nb: z\r\n") == {"a": "x\ty", "b": "z"}


def test_an_alias_bomb_is_refused_without_expanding() -> None:
    lines = [b"a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [b"a%d: &a%d [*a%d, *a%d, *a%d, *a%d, *a%d]" % (i, i, i - 1, i - 1, i - 1, i - 1, i - 1) for i in range(1, 10)]
    found = problems(b"\n".join(lines) + b"\n")
    assert {code for _, _, code in found} == {"anchor", "alias"}
    assert len(found) == 10 + 9 * 5


def test_an_oversized_file_is_refused_before_parsing() -> None:
    data = b"a: " + b"x" * source.MAX_BYTES
    [problem] = source.read("cards.yaml", data).problems
    assert (problem.line, problem.column, problem.code) == (1, 1, "too-large")
    assert "split the deck" in problem.message


def test_very_deep_flow_nesting_never_raises() -> None:
    found = problems(b"a: " + b"[" * 200_000 + b"]" * 200_000 + b"\n")
    assert [code for _, _, code in found] in (["too-deep"], ["syntax"])


@pytest.mark.parametrize("opening", [b"[", b"[x, ", b"{a: "])
def test_nesting_past_libyamls_own_cap_is_reported_where_it_passes_ours(opening: bytes) -> None:
    # libyaml stops at its own cap, a thousand levels in, before the composer counts events: the
    # place reported is still the bracket where 40 levels, which libyaml reads through, are reported.
    closing = b"]" if opening.startswith(b"[") else b"}"
    text = b"deck: {id: t}\ncards:\n  - id: a\n    question: %s\n"
    assert problems(text % (opening * 2000 + closing * 2000)) == problems(text % (opening * 40 + closing * 40))


def test_locate_finds_a_snippet_inside_a_block_scalar() -> None:
    document = source.read("cards.yaml", b"a: |\n  first line\n  second <b onclick=x>\n")
    value = document.root.pairs["a"][1]
    assert document.locate(value, "onclick") == (3, 13)
    assert document.locate(value, "absent") == (1, 4)


CARD = "deck: {id: t, name: T}\ncards:\n  - id: a\n    question: What is it?\n"  # line 5 is next


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        pytest.param("    answer: Ratio: one to two\n",
                     "5:18: error: ': ' inside a value that is not in quotes starts a new key; put the value in quotes, "
                     "or start the new key on its own line", id="colon in a value"),
        pytest.param("    answer: Two extra: yes\n",
                     "5:22: error: ': ' inside a value that is not in quotes starts a new key; put the value in quotes, "
                     "or start the new key on its own line", id="two keys on a line"),
        pytest.param("    answer: b\n      extra: c\n",
                     "6:12: error: this key is indented more than the keys above it; line it up with them",
                     id="key indented too far"),
        pytest.param("    answer: b\n   extra: c\n",
                     "6:4: error: this line is not indented like the keys above it, and does not begin a new item "
                     "with '- '; line it up with those keys, or begin it with '- '", id="key indented too little"),
        pytest.param("    answer: `code` here\n",
                     "5:13: error: a value cannot begin with '`' in YAML; put the value in quotes", id="backtick"),
        pytest.param("    answer: b\n    extra: @handle\n",
                     "6:12: error: a value cannot begin with '@' in YAML; put the value in quotes", id="at sign"),
        pytest.param("    answer: *bold* text\n",
                     "5:13: error: a value beginning with '*' is read as a YAML alias; put the value in quotes",
                     id="markdown emphasis"),
        pytest.param("    answer: & more\n",
                     "5:13: error: a value beginning with '&' is read as a YAML anchor; put the value in quotes",
                     id="ampersand"),
        pytest.param("    answer: > quoted\n",
                     "5:13: error: a value beginning with '>' starts a block of text on the lines below; put the value "
                     "in quotes, or begin the text on the next line, indented", id="markdown quote"),
        pytest.param("    answer: - item\n",
                     "5:13: error: a list item ('- ') cannot follow a key on its line; put the value in quotes, or "
                     "begin the list on the next line", id="markdown list"),
        pytest.param("    answer: ? maybe\n",
                     "5:13: error: a value beginning with '? ' is read as a YAML key; put the value in quotes",
                     id="question mark"),
        pytest.param("    answer: [link](https://example.org) here\n",
                     "5:13: error: a value beginning with '[' is read as a list up to its ']', and more text follows "
                     "it; put the value in quotes", id="markdown link"),
        pytest.param("    answer: b\n    tags: [a, , b]\n",
                     "6:15: error: an empty item: remove the extra ','", id="empty item in brackets"),
        pytest.param("    answer: b\n    tags: [a, :b]\n",
                     "6:15: error: an item in brackets cannot begin with ':'; put the item in quotes",
                     id="colon item in brackets"),
        pytest.param("    answer: b\n    tags: [a, b\n    extra: c\n",
                     "7:10: error: expected ',' or ']' here, in the list opened with '[' on line 6; put any value "
                     "holding ',' or ': ' in quotes, or close the list with ']'", id="unclosed list"),
        pytest.param("    answer: b\n  - {id: c, question: Why: this, answer: d}\n",
                     "6:26: error: expected ',' or '}' here, in the mapping opened with '{' on line 6; put any value "
                     "holding ',' or ': ' in quotes, or close the mapping with '}'", id="colon in a flow mapping"),
        pytest.param("    answer: b\n    extra:\n      one: x\n     two: y\n",
                     "8:6: error: this line is indented out of step with the lines above it; line it up with the keys "
                     "it belongs with", id="line out of step"),
        pytest.param("    answer: b\n  - id: c\n    type: cloze\n    text: {{c1::Paris}} is the capital\n",
                     "8:11: error: a value beginning with '{' is read as a mapping up to its '}', and more text follows "
                     "it; put the value in quotes (cloze text beginning with {{c1::...}} always needs them)",
                     id="cloze text first"),
        pytest.param("    answer: b\n  - id: c\n    type: cloze\n    text: {{c1::Paris}}\n",
                     "8:12: error: a key must be plain text, not a list or mapping; cloze text beginning "
                     "with {{c1::...}} must be in quotes", id="cloze text alone"),
    ],
)
def test_common_syntax_errors_say_what_to_do_where(run, tmp_path, lines: str, expected: str) -> None:
    (tmp_path / "cards.yaml").write_text(CARD + lines)
    result = run("validate")
    assert result.exit_code == 1
    assert f"cards.yaml:{expected}" in result.stderr.splitlines()
