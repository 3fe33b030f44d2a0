"""No input crashes deck: hostile files, and properties over arbitrary input (hypothesis).

The corpus in tests/hostile/ holds small hostile files; large ones are made here. Each gives
located problems (or, for the YAML 1.1 types, text exactly as typed), never a traceback.
"""

from __future__ import annotations

import os
import string
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deck import pipeline, render, source, validate
from deck.cards import Deck

CORPUS = Path(__file__).parent / "hostile"


def problems_of(path: Path) -> list[tuple[int, int, str]]:
    return [(p.line, p.column, p.code) for p in pipeline.check(str(path)).problems]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("alias-bomb.yaml", {"anchor", "alias", "missing-field", "unknown-key"}),
        ("binary.yaml", {"encoding"}),
        ("bom-only.yaml", {"empty-file"}),
        ("deep-block-nesting.yaml", {"too-deep"}),
        ("deep-nesting.yaml", {"too-deep"}),
        ("mixed-line-endings.yaml", {"missing-field", "unknown-key"}),
        ("nul.yaml", {"control-character"}),
        ("python-object.yaml", {"tag", "wrong-type", "empty-deck"}),
        ("surrogate-escape.yaml", {"syntax"}),
        ("utf16.yaml", {"encoding"}),
        ("utf16-no-mark.yaml", {"encoding"}),
        ("utf32.yaml", {"encoding"}),
        ("utf32-no-mark.yaml", {"encoding"}),
    ],
)
def test_each_hostile_file_gives_located_problems(name: str, expected: set[str]) -> None:
    found = problems_of(CORPUS / name)
    assert {code for _, _, code in found} == expected
    assert all(line >= 1 and column >= 1 for line, column, _ in found)


def test_the_alias_bomb_is_not_expanded() -> None:
    found = problems_of(CORPUS / "alias-bomb.yaml")
    assert sum(code == "alias" for _, _, code in found) == 8 * 9


def test_mixed_line_endings_keep_line_numbers_right() -> None:
    assert problems_of(CORPUS / "mixed-line-endings.yaml") == [(6, 5, "missing-field"), (6, 26, "unknown-key")]


def test_every_yaml_11_implicit_type_stays_text() -> None:
    checked = pipeline.check(str(CORPUS / "yaml11-types.yaml"))
    assert checked.ok
    answers = {card.id: card.answer for card, _ in checked.cards}
    assert answers == {
        "bool-no": "No", "bool-on": "on", "float": "3.10", "sexagesimal": "1:30", "octal": "010", "hex": "0x1F",
        "exp": "1e3", "inf": ".inf", "nan": ".NaN", "null": "null", "tilde": "~", "date": "2019-05-24",
        "timestamp": "2001-12-14t21:59:43.10-05:00", "merge": "<<", "value": "=", "binary-looking": "0b1010",
    }


def test_a_50_mb_file_is_refused_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    path.write_bytes(b"deck: {id: t, name: T}\ncards:\n" + b"  - {id: a, question: q, answer: a}\n" * 1_500_000)
    assert path.stat().st_size > 50_000_000
    [(line, column, code)] = problems_of(path)
    assert (line, column, code) == (1, 1, "too-large")


@pytest.mark.parametrize(("name", "encoding"), [("utf16.yaml", "UTF-16"), ("utf16-no-mark.yaml", "UTF-16"),
                                                ("utf32.yaml", "UTF-32"), ("utf32-no-mark.yaml", "UTF-32")])
def test_a_wide_encoding_is_named_with_or_without_its_mark(name: str, encoding: str) -> None:
    [problem] = pipeline.check(str(CORPUS / name)).problems
    assert problem.message == f"file is {encoding}; save it as UTF-8"


@pytest.mark.skipif(not Path("/dev/zero").exists() or not hasattr(os, "mkfifo"),
                    reason="needs /dev/zero and named pipes (POSIX)")
@pytest.mark.parametrize("kind", ["pipe", "device", "pipe-in-folder"])
def test_only_a_regular_file_is_read(tmp_path: Path, kind: str) -> None:
    if kind == "device":
        path = Path("/dev/zero")  # endless bytes
    else:
        folder = tmp_path / "cards" if kind == "pipe-in-folder" else tmp_path
        folder.mkdir(exist_ok=True)
        os.mkfifo(folder / "cards.yaml")  # opening it would wait for a writer
        path = folder if kind == "pipe-in-folder" else folder / "cards.yaml"
    # In a process of its own, stopped if it hangs (opening the pipe, or reading forever).
    result = subprocess.run([sys.executable, "-m", "deck", "validate", str(path)], capture_output=True, text=True,
                            timeout=60)
    where = path / "cards.yaml" if kind == "pipe-in-folder" else path
    assert result.returncode == 1
    assert result.stderr.startswith(f"{where}:1:1: error: not a regular file (a device, a pipe or a socket); ")


def test_a_huge_single_line_is_read(tmp_path: Path) -> None:
    path = tmp_path / "line.yaml"
    path.write_text("deck: {id: t, name: T}\ncards: [" + ", ".join(
        f"{{id: c{n}, question: q{n}, answer: a}}" for n in range(20_000)) + "]\n")
    checked = pipeline.check(str(path))
    assert checked.ok and len(checked.notes) == 20_000


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400) | st.text(alphabet=string.printable + "&*!|>{}[]\u00e9\x1f\x00", max_size=300).map(
    str.encode))
def test_any_bytes_give_cards_or_located_problems(data: bytes) -> None:
    document = source.read("cards.yaml", data)
    validated = validate.validate(document)
    for problem in validated.problems:
        assert problem.line >= 1 and problem.column >= 1 and problem.message
    if not validated.problems:
        assert validated.deck is not None


_field_text = st.text(alphabet=string.ascii_letters + string.digits + " .,:;-?!'\"#&%()[]{}<>*_`|~\\/@=+\u00e9\u00df\u4e2d",
                      min_size=1, max_size=40).filter(lambda text: text.strip() != "")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(_field_text, _field_text), min_size=1, max_size=5))
def test_dumped_cards_load_back_the_same(pairs: list[tuple[str, str]]) -> None:
    data = {
        "deck": {"id": "t", "name": "T"},
        "cards": [{"id": f"c{n}", "question": q, "answer": a} for n, (q, a) in enumerate(pairs)],
    }
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    validated = validate.validate(source.read("cards.yaml", text.encode()))
    assert validated.problems == []
    assert validated.deck == Deck.model_validate(data)


_HOSTILE_SNIPPETS = st.sampled_from([
    "<script>x</script>", "<img src=x onerror=alert(1)>", "[a](javascript:x)", "![a](http://e.org/x.png)",
    '<a href="vbscript:x">b</a>', "<svg onload=x>", '<b style="x">', "<iframe src=//e.org>", "<!-- c -->",
    "<!x>", "<![", "<![CDATA[", "<?php", "</", "<!--",
])


@settings(max_examples=500, deadline=None)
@given(st.lists(st.text(alphabet=string.printable + "\u00a0\u00e9", max_size=40) | _HOSTILE_SNIPPETS,
                max_size=6).map("".join))
def test_sanitised_html_is_idempotent_and_inert(text: str) -> None:
    html, _ = render.to_html(text)
    assert render.clean(html) == html
    elements = _Elements()
    elements.feed(html)
    for tag, attributes in elements.seen:
        assert tag not in {"script", "iframe", "svg", "style", "object", "embed", "link", "meta", "form", "base"}
        for name, value in attributes:
            assert not name.startswith("on")
            if name == "href":
                assert urlsplit(value or "").scheme in {"http", "https", "mailto"}
            if name == "src":
                assert not urlsplit(value or "").scheme and not (value or "").startswith("//")


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.seen: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.seen.append((tag, attrs))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.text(alphabet=string.printable + "\u00a0\u00e9", max_size=30) | _HOSTILE_SNIPPETS,
                min_size=1, max_size=5).map("".join))
def test_any_field_text_gives_a_note_or_located_problems(tmp_path: Path, text: str) -> None:
    path = tmp_path / "cards.yaml"
    cards = [{"id": "a", "question": text, "answer": text}, {"id": "b", "type": "cloze", "text": text}]
    path.write_text(yaml.safe_dump({"deck": {"id": "t", "name": "T"}, "cards": cards}, allow_unicode=True))
    checked = pipeline.check(str(path))
    assert all(problem.line >= 1 and problem.column >= 1 for problem in checked.problems)
