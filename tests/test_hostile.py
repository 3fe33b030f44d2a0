"""No input crashes deck: hostile files, and properties over arbitrary input (hypothesis).

The corpus in tests/hostile/ holds small hostile files; large ones are made here. Each gives
located problems (or, for the YAML 1.1 types, text exactly as typed), never a traceback.
"""

from __future__ import annotations

import json
import os
import re
import string
import subprocess
import sys
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from anki.sound import AV_REF_RE
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deck import pipeline, render, source, urls, validate
from deck.cards import Deck
from deck.cli import main
from tests.conftest import build, import_package, shown

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
    "<!x>", "<![", "<![CDATA[", "<?php", "</", "<!--", "[sound:x.mp3]", "[[type:Back]]", "[anki:play:q:0]",
    "&#91;sound:x]", "<a href=' java&#9;script:x'>", "<//e.org/x>", "[a](page.html)",
])


@settings(max_examples=500, deadline=None)
@given(st.lists(st.text(alphabet=string.printable + "\u00a0\u00e9", max_size=40) | _HOSTILE_SNIPPETS,
                max_size=6).map("".join))
def test_sanitised_html_is_idempotent_and_inert(text: str) -> None:
    html, _ = render.to_html(text)
    assert render.inert(render.clean(html)) == html
    assert not re.search(r"(?i)\[sound:|\[anki:|\[\[type:", html)
    elements = _Elements()
    elements.feed(html)
    for tag, attributes in elements.seen:
        assert tag not in {"script", "iframe", "svg", "style", "object", "embed", "link", "meta", "form", "base"}
        for name, value in attributes:
            assert not name.startswith("on")
            if name == "href":
                assert urls.refusal(value or "") is None
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


def _deck(*args: str) -> Result:
    """`deck ARGS` as a user runs it; prints what it printed, so a failing test shows it."""
    result = CliRunner().invoke(main, list(args))
    print(f"$ deck {' '.join(args)}\n[exit {result.exit_code}]\n[stdout]\n{result.stdout}\n[stderr]\n{result.stderr}")
    return result


_SOURCE_WITH_URL = """\
deck: {{id: t, name: T}}
sources:
  s:
    title: T
    url: {url}
cards:
  - {{id: a, question: Q, answer: A, source: s}}
"""


@pytest.mark.parametrize(("url", "named"), [
    ("javascript:alert(1)", "'javascript:'"), (" javascript:alert(1)", "'javascript:'"),
    ("java\tscript:alert(1)", "'javascript:'"), ("JaVaScRiPt:alert(1)", "'javascript:'"),
    ("&#106;avascript:alert(1)", "'javascript:'"), ("data:text/html,<script>alert(1)</script>", "'data:'"),
    ("vbscript:msgbox(1)", "'vbscript:'"), ("file:///etc/passwd", "'file:'"), ("//host/x", "'//host/x'"),
    ("page.html", "'page.html'"),
])
@pytest.mark.parametrize("command", ["build", "validate"])
def test_a_hostile_source_url_is_an_error_at_the_url(tmp_path: Path, url: str, named: str, command: str) -> None:
    path = tmp_path / "cards.yaml"
    path.write_text(_SOURCE_WITH_URL.format(url=json.dumps(url)))  # (JSON strings are YAML double-quoted ones)
    out = tmp_path / "out.apkg"
    result = _deck(command, str(path), *(["-o", str(out)] if command == "build" else []))
    assert result.exit_code == 1
    [line, _] = result.stderr.splitlines()
    assert line.startswith(f"{path}:5:10: error: source 's': url: {named}")
    assert line.endswith("use an https://, http:// or mailto: address")
    assert sorted(tmp_path.iterdir()) == [path]  # no package, no lock


# Fields with a link to refuse, and the link as typed (where the error must point).
_HOSTILE_LINKS = [
    ("see [x](javascript:alert(1))", "javascript:alert(1)"),
    ("see [x](JaVaScRiPt:alert(1)) too", "JaVaScRiPt:alert(1)"),
    ("see <javascript:alert(1)>", "javascript:alert(1)"),
    ("see <vbscript:msgbox(1)>", "vbscript:msgbox(1)"),
    ("see [x](data:text/html,x)", "data:text/html,x"),
    ("see [x](file:///etc/passwd)", "file:///etc/passwd"),
    ("see [x](//host/x)", "//host/x"),
    ("see [x](page.html)", "page.html"),
    ("see [x][r]\n\n[r]: javascript:alert(1)", "javascript:alert(1)"),
    ('see <a href=" javascript:alert(1)">x</a>', " javascript:alert(1)"),
    ('see <a href="java&#9;script:alert(1)">x</a>', "java&#9;script:alert(1)"),
    ("see <a href='&#106;avascript:alert(1)'>x</a>", "&#106;avascript:alert(1)"),
    ("see <a href=//host/x>x</a>", "//host/x"),
]


@pytest.mark.parametrize(("text", "url"), _HOSTILE_LINKS)
def test_a_hostile_link_in_a_field_is_an_error_at_the_link(tmp_path: Path, text: str, url: str) -> None:
    path = tmp_path / "cards.yaml"
    lines = ["deck: {id: t, name: T}", "cards:", "  - id: a", "    answer: A", "    question: |"]
    lines += [f"      {line}" if line else "" for line in text.split("\n")]
    path.write_text("\n".join(lines) + "\n")
    line_of_url = next(number for number, line in enumerate(lines, start=1) if url in line)
    column = lines[line_of_url - 1].index(url) + 1
    out = tmp_path / "out.apkg"
    result = _deck("build", str(path), "-o", str(out))
    assert result.exit_code == 1
    [problem, _] = result.stderr.splitlines()
    assert problem.startswith(f"{path}:{line_of_url}:{column}: error: card 'a': ")
    assert problem.endswith("use an https://, http:// or mailto: address")
    assert sorted(tmp_path.iterdir()) == [path]


def test_a_source_with_an_https_url_links_to_it_on_the_back(tmp_path: Path, collection) -> None:
    text = _SOURCE_WITH_URL.format(url='"https://example.org/a?b=1&c=2"')
    import_package(collection, build(tmp_path, text))
    [card_id] = collection.find_cards("")
    answer = shown(collection.get_card(card_id).answer())
    assert answer.endswith('<a href="https://example.org/a?b=1&amp;c=2">https://example.org/a?b=1&amp;c=2</a>.</div>') \
        or '<a href="https://example.org/a?b=1&amp;c=2">' in answer


# Anki's reviewer turns this into a typing box (qt/aqt/reviewer.py, `typeAnsPat`).
_TYPE_ANSWER = re.compile(r"\[\[type:(.+?)\]\]")


def _visible(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", "", shown(html)))


def _card(collection, tag: str):
    [card_id] = collection.find_cards(f"tag:{tag}")
    return collection.get_card(card_id)


def test_anki_markup_typed_in_text_shows_as_typed(tmp_path: Path, collection) -> None:
    typed = {
        "sound": "Q [sound:http://example.invalid/x.mp3]", "path": "[sound:../../etc/passwd]",
        "type": "[[type:Back]]", "play": "[anki:play:q:0] and [anki:play:a:0]",
        "tts": "[anki:tts lang=en_US]read this aloud[/anki:tts]", "upper": "[SOUND:x.mp3]",
        "code": "`[sound:x.mp3]` in code", "emphasis": "*a* [sound:x.mp3]", "entity": "&#91;sound:x.mp3]",
        "brackets": "[a] and [b], [1](not a link",
    }
    shows = {"code": "[sound:x.mp3] in code", "emphasis": "a [sound:x.mp3]", "entity": "[sound:x.mp3]"}
    cards = [{"id": key, "question": text, "answer": "A", "extra": "[sound:e.mp3]", "source": "s", "tags": [key]}
             for key, text in typed.items()]
    cards += [{"id": "cloze", "type": "cloze", "text": "{{c1::[sound:c.mp3]}} and [[type:Text]]", "tags": ["cloze"]},
              {"id": "typed", "type": "type-in", "question": "[[type:Back]] here?", "answer": "x", "tags": ["typed"]}]
    deck = {"deck": {"id": "t", "name": "T"}, "sources": {"s": {"title": "[sound:t.mp3]"}}, "cards": cards}
    import_package(collection, build(tmp_path, yaml.safe_dump(deck)))
    for card_id in collection.find_cards(""):
        card = collection.get_card(card_id)
        question, answer = card.question(), card.answer()
        assert card.question_av_tags() == [] and card.answer_av_tags() == []
        assert not AV_REF_RE.search(question) and not AV_REF_RE.search(answer)
        # The typing box of a type-in card's own template, and no other.
        assert len(_TYPE_ANSWER.findall(question)) == (card.note_type()["name"] == "deck-type-in")
    for key, text in typed.items():
        card = _card(collection, key)
        assert _visible(card.question()) == shows.get(key, text)
        back = _visible(card.answer())
        assert back.count("[sound:e.mp3]") == 1 and "“[sound:t.mp3]”." in back
    cloze = _card(collection, "cloze")
    assert _visible(cloze.question()) == "[...] and [[type:Text]]"
    assert _visible(cloze.answer()).startswith("[sound:c.mp3] and [[type:Text]]")
    assert _visible(_card(collection, "typed").question()).startswith("[[type:Back]] here?")  # (then its own box)


def test_latex_is_left_to_anki(tmp_path: Path, collection) -> None:
    """Decks migrated from Anki use it; Anki makes an image of it only where its preferences allow."""
    deck = {"deck": {"id": "t", "name": "T"}, "cards": [{"id": "a", "question": "[$]x^2[/$]", "answer": "A"}]}
    import_package(collection, build(tmp_path, yaml.safe_dump(deck)))
    [card_id] = collection.find_cards("")
    question = shown(collection.get_card(card_id).question())
    assert question.startswith('<div class="prompt"><img class=latex alt="&#x24;x&#x5E;2&#x24;" src="latex-')
    assert question.endswith("LaTeX image generation is disabled in the preferences.")  # (off by default)
