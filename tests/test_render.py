"""Markdown -> sanitised HTML: what reaches Anki, and what is refused."""

from __future__ import annotations

from html import unescape

import nh3
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deck import cloze, render
from deck.reading import FORBIDDEN_CHARACTER


def html(text: str) -> str:
    rendered, findings = render.to_html(text)
    assert findings == []
    return rendered


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Less than 2 mm", "Less than 2 mm"),
        ("<2 mm", "&lt;2 mm"),
        ("a & b", "a &amp; b"),
        ("{{ and }}", "{{ and }}"),
        ("**deep** and *narrow*", "<strong>deep</strong> and <em>narrow</em>"),
        ("H<sub>2</sub>O, x<sup>2</sup>", "H<sub>2</sub>O, x<sup>2</sup>"),
        ("`<b>`", "<code>&lt;b&gt;</code>"),
        ("- one\n- two", "<ul>\n<li>one</li>\n<li>two</li>\n</ul>"),
        ("first\n\nsecond", "<p>first</p>\n<p>second</p>"),
        ("[article](https://example.org/a)", '<a href="https://example.org/a">article</a>'),
        ("| a | b |\n|--:|---|\n| 1 | 2 |", None),
    ],
)
def test_markdown_renders_to_anki_html(text: str, expected: str | None) -> None:
    rendered = html(text)
    if expected is None:
        assert '<td style="text-align:right">1</td>' in rendered
    else:
        assert rendered == expected


@pytest.mark.parametrize(
    ("text", "code", "snippet"),
    [
        ("x <script>alert(1)</script>", "html-tag", "<script"),
        ('<iframe src="https://example.org"></iframe>', "html-tag", "<iframe"),
        ("<style>body{}</style>", "html-tag", "<style"),
        ('<b onclick="steal()">x</b>', "html-script", "onclick"),
        ('<b ONMOUSEOVER="steal()">x</b>', "html-script", "onmouseover"),
        ("[x](javascript:alert(1))", "html-link", "javascript:alert(1)"),
        ('<a href="file:///etc/passwd">x</a>', "html-link", "file:///etc/passwd"),
        ("![scar](https://example.org/scar.png)", "remote-image", "https://example.org/scar.png"),
        ('<img src="//example.org/scar.png">', "remote-image", "//example.org/scar.png"),
        ("![scar](scar.png)", "image", "scar.png"),
        ('<b class="x">y</b>', "html-attribute", "class"),
        ('<td style="color:red">y</td>', "html-attribute", "style"),
        ("a <!-- hidden --> b", "html-comment", "<!--"),
        ("<!-- an unclosed comment hides everything after it", "html-comment", "<!--"),
    ],
)
def test_anything_that_would_run_or_phone_home_is_a_finding(text: str, code: str, snippet: str) -> None:
    rendered, findings = render.to_html(text)
    assert [(finding.code, finding.snippet.lower()) for finding in findings] == [(code, snippet)]
    for dangerous in ("<script", "onclick", "onmouseover", "javascript:", "file:", "<iframe", "https://example.org/scar"):
        assert dangerous not in rendered.lower()


def test_malformed_declarations_are_findings_not_crashes() -> None:
    assert {finding.code for finding in render.to_html("<!x> <![)")[1]} == {"html-syntax", "html-comment"}


def test_citation_escapes_plain_text() -> None:
    text = render.citation("A & B <i>", "Huizen", None, "2019", "https://example.org/?a=1&b=2")
    assert text == (
        'Huizen. “A &amp; B &lt;i&gt;.” 2019. '
        '<a href="https://example.org/?a=1&amp;b=2">https://example.org/?a=1&amp;b=2</a>'
    )


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab1. -+=>#*_`[]<>&!|~{}:;()'\"\\\u00a0\u00e9\u2019\u2003\t\n\r°±€"), max_size=25)
       | st.lists(st.sampled_from(["*", "**", "_", "`", " ", "a", "&nbsp;", "&quot;", "&#xfeff;"])
                  | st.integers(0, 0x10FFFF).map(lambda code: f"&#{code};") | st.characters(codec="utf-8"), max_size=12)
       .map("".join).filter(lambda text: not FORBIDDEN_CHARACTER.search(text)))  # (as a deck file may hold)
def test_the_fast_paths_render_exactly_like_markdown_it_py(text: str) -> None:
    """Plain text as is, and one line of inline Markdown through the Rust port. A plain field with
    no '{{' also has nothing to report (deck.fields takes it as it is)."""
    fast = render.to_html(text)
    slow = render._render(text, None)
    if render.PLAIN.fullmatch(text):
        assert fast == slow == (text, [])
        assert "{{" in text or cloze.check_not_cloze(text, "answer") == []
    else:
        assert fast == slow


# Text with formatting tags in it, as Anki's editor writes it, and the near misses: tags with
# attributes, in capitals, not allowed, unclosed or alone, next to Markdown and line starts.
_tagged_pieces = st.sampled_from([
    "<b>", "</b>", "<i>", "</i>", "<u>", "</u>", "<em>", "</em>", "<strong>", "</strong>", "<sub>", "</sub>",
    "<sup>", "</sup>", "<s>", "</s>", "<del>", "</del>", "<small>", "</small>", "<code>", "</code>", "<br>",
    "<br/>", "<br />", "<B>", "<b >", "<span>", "<div>", "</div>", "<p>", "<b class=x>", "<a href=x>", "<!--",
    "<", ">", " ", "  ", "a", "word", "4", "1.", "1)", "-", "+", "=", "#", "*", "_", "`", "&amp;", "&", "\"",
    "'", "é", "{{c1::a}}", "[sound:a.mp3]", "\t", "\n", "\u00a0", "\ufeff", "javascript:x",
])


@settings(max_examples=3000, deadline=None)
@given(st.lists(_tagged_pieces, min_size=1, max_size=10).map("".join))
def test_text_with_formatting_tags_renders_exactly_like_markdown_it_py(text: str) -> None:
    """Text with Anki's formatting tags is only cleaned, and has nothing to report: what
    markdown-it-py's path makes of it, HTML and findings alike."""
    slow = render._render(text, None)
    assert render.to_html(text) == slow
    assert render.findings(text) == slow[1]
    if render._TAGGED.fullmatch(text):
        assert slow[1] == []


@pytest.mark.parametrize(("text", "expected"), [
    ("It is <b>4</b>.", "It is <b>4</b>."),
    ('a <b>"b"<br>c', 'a <b>"b"<br>c</b>'),  # closed by the cleaner, as on markdown-it-py's path
    ("<b>", "<b></b>"),  # alone on its line: an HTML block, passed through as well
])
def test_formatting_tags_in_text_are_only_cleaned(text: str, expected: str) -> None:
    assert render._TAGGED.fullmatch(text)
    assert render.to_html(text) == render._render(text, None) == (expected, [])


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab1. -+=>#*_`[]<>&!|~{}:;()/'\"\\\u00a0\u00e9\u2003\t\n\r"), max_size=25)
       | st.sampled_from(["&lt;script&gt;x", "a &#60;b&#62; c", "`<img src=x>`", "*a* javascript:x", "x![a](b.png)"]))
def test_findings_alone_are_what_rendering_finds(text: str) -> None:
    """`deck validate` skips rendering fields that cannot hold a finding; it must find the same."""
    assert render.findings(text) == render.to_html(text)[1] == render._render(text, None)[1]


@pytest.mark.parametrize("text", [
    "*a_a_*_a_", "__a**a****__*a*", "(**=* !* >***{*", "!**/a*?* ?**=*a*", 'a`   `', "1`a`*``1```*`(```*`*`",
    '__(__"_"__)__.__.__._ __(__"__$__`a`__.__', '__(_(_"_._`b`)_)_`b`_ __)__ _)_"_)__',
    "**÷**a", "a**°**", "*€*a", "**©**a",  # Unicode symbols, punctuation to CommonMark 0.31
])
def test_the_rust_ports_own_bugs_do_not_reach_a_field(text: str) -> None:
    """Texts the port renders unlike markdown-it-py (found by fuzzing): they take the reference path."""
    assert render._rust_markdown.render(text) != render._reference().render(text)
    assert render.to_html(text) == render._render(text, None)
    assert render.dangling_markup(text) == render._dangling_in_tokens(text)


@pytest.mark.parametrize("text", ["&nbsp;", "&nbsp;*a*", "*a*&nbsp;", "\ufeff", "a\ufeffb", "&#xfeff;*a*"])
def test_space_and_nothing_at_the_ends_render_alike_on_every_path(text: str) -> None:
    """Found by fuzzing: the fast paths kept a no-break space from an entity at a field's ends, and
    a U+FEFF, which markdown-it-py's path strips or drops."""
    assert render.to_html(text) == render._render(text, None)


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8")) | st.text(alphabet=st.sampled_from("ab <>&;#x1\r\n\x00\ufeff\t\"'")))
def test_plain_text_skips_the_cleaner_only_where_it_would_change_nothing(text: str) -> None:
    assert render.plain_text(text) == unescape(nh3.clean(text, tags=set())).strip()


# Inline Markdown as people write it, and worse: emphasis of every kind, nested, opened or closed
# or both, next to words, punctuation and code.
_inline_markdown = st.recursive(
    st.sampled_from(["a", "word", "é", "x.y", "(a)", "5 * 3", "x_y", "!", '"q"', "`c`", "`a*b`", "` a `", "$"]),
    lambda inner: st.builds(
        lambda mark, before, parts, gap, after, opened, closed: (
            (mark if opened else "") + before + gap.join(parts) + after + (mark if closed else "")),
        st.sampled_from(["*", "**", "_", "__", "***"]), st.sampled_from(["", " ", "(", '"']),
        st.lists(inner, min_size=1, max_size=3), st.sampled_from(["", " ", "-", ".", "(", ")", ", "]),
        st.sampled_from(["", " ", ")", '"', "."]), st.booleans(), st.booleans()),
    max_leaves=12)


@settings(max_examples=3000, deadline=None)
@given(st.lists(_inline_markdown, min_size=1, max_size=4), st.sampled_from(["", " ", ", "]))
def test_the_rust_tier_renders_nested_emphasis_like_markdown_it_py(parts: list[str], gap: str) -> None:
    """The corners where the Rust port pairs delimiters wrongly (such as '__a**a****__*a*') are left
    to markdown-it-py; they show up only in texts like these."""
    text = gap.join(parts)
    assert render.to_html(text) == render._render(text, None)
    assert render.dangling_markup(text) == render._dangling_in_tokens(text)


@settings(max_examples=5000, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab1 *_`\\&;#x.-+=\n\t\u00a0\u00e9\u2019[]()<>!~\"'|"), max_size=30))
def test_dangling_markup_skips_the_parser_only_where_it_would_find_nothing(text: str) -> None:
    """Its shortcuts (no delimiter to leave over; one line of inline Markdown read from the Rust
    port's HTML) find what markdown-it-py's tokens show."""
    assert render.dangling_markup(text) == render._dangling_in_tokens(text)
