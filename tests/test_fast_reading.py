"""The fast reading (yaml-rs, no positions) is taken only where it means what the located reading
means: a deck it accepts is the same deck, and a deck with problems gets them located."""

from __future__ import annotations

import json
import string
import subprocess
import sys
from pathlib import Path

import pytest
from anki.collection import Collection, ExportAnkiPackageOptions
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deck import fastread, pipeline, source, validate
from deck.interop.importer import import_deck
from deck.interop.yamltext import block_value, list_item
from deck.nodes import Unlocated
from tests.conftest import EXAMPLE_DECK

ROOT = Path(__file__).parent.parent
HEAD = "deck: {id: t, name: T}\ncards:\n"


def both_ways(text: str) -> tuple[validate.Validated | None, validate.Validated]:
    """The deck validated from the fast reading (None when that reading declines or finds a
    problem it cannot place) and from the located reading."""
    data = text.encode()
    located = validate.validate(source.read("cards.yaml", data))
    document = fastread.read("cards.yaml", data)
    try:
        fast = validate.validate(document) if document is not None else None
    except Unlocated:
        return None, located
    return (fast if fast is not None and fast.deck is not None else None), located


def test_the_shipped_deck_and_a_folder_deck_are_read_fast(tmp_path: Path) -> None:
    assert pipeline.check(str(ROOT / "cards.yaml")).document.fast
    folder = tmp_path / "cards"
    folder.mkdir()
    (folder / "a.yaml").write_text(HEAD + "  - {id: a, question: q?, answer: x}\n")
    (folder / "b.yaml").write_text("cards:\n  - {id: b, question: r?, answer: y}\n")
    checked = pipeline.check(str(folder))
    assert checked.ok and checked.document.fast and [card.id for card, _ in checked.cards] == ["a", "b"]


@pytest.mark.parametrize("card", [
    "{id: a, question: q, answer: 3.10}",  # a number to yaml-rs, text here
    "{id: a, question: q, answer: 25}",  # read fast as '25'
    "{id: a, question: q, answer: 025}",
    "{id: a, question: q, answer: +5}",
    "{id: a, question: q, answer: -0}",
    "{id: a, question: q, answer: 0x1F}",
    "{id: a, question: q, answer: 0o17}",
    "{id: a, question: q, answer: true}",
    "{id: a, question: q, answer: x, tags: [2019, 025]}",
    "{id: a, question: q, answer: 2019-05-24}",
    "{id: a, question: q, answer: no}",
    "{id: a, question: q, answer: ~}",
    "{id: a, question: q, answer: a, extra: }",  # None to yaml-rs, empty text here
    "{id: a, question: q, answer: a, extra: null}",
    "{id: a, question: q, answer: &x a}",
    "{id: a, question: q, answer: !!str a}",
    "{id: a, question: q, answer: ! a}",
    "{id: a, question: q, answer: a, answer: b}",
    '{id: a, question: q, answer: "a\\x1fb"}',
    '{id: a, question: q, answer: "a\\u2028b"}',
    "{id: a, question: q, answer: a, tags: [x, ]}",
    "{id: a, question: q, answer: a, source: nowhere}",
    "{id: 1, question: q, answer: a}",
    # Found by an independent differential fuzzing of the screen:
    "{id: a, question: q, answer: x\uffff}",  # libyaml refuses it
    "{id: a, question: q, answer: |x}",  # a flow value starting with an indicator
    "{id: a, question: q, answer: >-q}",
    "{id: a, question: q, answer: ?x}",
    "{id: a, question: q, answer: :x}",
    "{id: a, question: q, answer: x, tags: [a, ?]}",
    "{id: a, question: q, answer: x:?}",
    "{id: a, question: q, answer\n    : x}",  # a line starting with ':'
])
def test_what_the_fast_reading_would_get_wrong_is_read_with_positions(card: str) -> None:
    fast, located = both_ways(HEAD + f"  - {card}\n  - {{id: b, question: q, answer: a}}\n")
    if fast is not None:  # read fast only when nothing differs
        assert located.problems == [] and fast.deck == located.deck
    else:
        assert all(problem.line >= 1 for problem in located.problems)


_NOTE_TYPE = ('note-types:\n  w:\n    id: "17"\n    fields: [Front, Back]\n'
              '    templates:\n      - {name: c, front: "{{Front}}", back: x}\n')


@pytest.mark.parametrize("text", [
    HEAD + "  -\t{id: a, question: q, answer: x}\n",  # a tab after an indicator
    HEAD + "  - id: a\n    question: q\n    ? answer\n    : \tx\n",
    "...\n" + HEAD + "  - {id: a, question: q, answer: x}\n",  # a document end marker first
    HEAD + "  - id: a\n    question: q\n    answer: |\n      x",  # a block scalar with no final line break
    HEAD + "  - id: a\n    question: q\n    answer: |\n      x\n      ",
    HEAD.replace("\n", "\r") + "  - {id: a, question: q, answer: x}\r",  # old Mac line breaks
    # Quoted text with what the screen looks for, beside what reads differently:
    HEAD + '  - id: a\n    question: "q:?"\n    answer: x\n    tags: [|x]\n',  # a flow value starting so
    HEAD + '  - id: a\n    question: "q:?"\n    answer: x\n    tags: [Chapter::One, a:?b]\n',  # libyaml refuses ':?'
    HEAD + '  - id: a\n    question: "q:?"\n    answer: x\n    extra: [a,\n      |x]\n',
    HEAD + '  - id: a\n    question: "q:?"\n    answer: {a: b,\n      c: |-\n        x}\n',
    HEAD + '  - id: a\n    question: "q:?"\n    answer: \'it\'\'s "so\'\n    extra: "&x"\n',
    HEAD + '  - id: a\n    question: "q:?"\n    answer: "a\\\n      b: "&x"\n',  # a quoted value going on
    HEAD + '  - id: a\n    question: "q:?"\n    answer: x "y, &z"\n',
    HEAD + '  - id: a\n    question: "q:?"\n    answer: x\n      guid: "|x"\n',  # a plain value going on
    HEAD + '  - id: a\n    question: q\n    answer: |\n      guid: "|x"\n    extra: ?x\n',  # in a block scalar
    HEAD + '  - id: a\n    question: "|q"\n    answer: x # a "note": |x\n',
    HEAD + '  - id: a\n    question: "|q"\n    answer: |\n      x\n     |y\n',  # a line less indented
    HEAD + '  - id: a\n    question: "|q"\n    answer: |\n      x\n    tags: [|x]\n',  # the line after one
    _NOTE_TYPE + HEAD + '  - id: a\n    type: w\n    fields: {Front: |x, Back: y}\n',  # in a mapping of a card
    _NOTE_TYPE + HEAD + '  - id: a\n    type: w\n    fields: {Front: x,\n      Back: |-\n        y}\n',
    _NOTE_TYPE + HEAD + '  - id: a\n    type: w\n    guid: "|x"\n    fields:\n      Front: x\n      Back: |\n'
    '    tags: [|x]\n',  # a line no further in than the key of a block scalar
])
def test_what_the_fast_reading_would_get_wrong_in_a_whole_file(text: str) -> None:
    fast, located = both_ways(text)
    assert fast is None or (located.problems == [] and fast.deck == located.deck)


def test_whole_numbers_written_plainly_keep_the_fast_path(tmp_path: Path) -> None:
    path = tmp_path / "cards.yaml"
    path.write_text("deck: {id: t, name: T}\nsources: {s: {title: A review, date: 2019}}\ncards:\n"
                    "  - {id: a, question: How many sessions?, answer: 3, tags: [2019], source: s}\n")
    checked = pipeline.check(str(path))
    assert checked.ok and checked.document.fast
    card = checked.deck.cards[0]
    assert (card.answer, card.tags, checked.deck.sources["s"].date) == ("3", ["2019"], "2019")


def test_a_check_with_problems_reports_them_located(tmp_path: Path) -> None:
    path = tmp_path / "cards.yaml"
    path.write_text(HEAD + "  - {id: a, question: q, answer: a, extra: }\n  - {id: a, question: q, answer: b}\n")
    checked = pipeline.check(str(path))
    assert not checked.document.fast
    assert [(p.line, p.code) for p in checked.problems] == [(3, "empty-text"), (4, "duplicate-id")]


@pytest.mark.parametrize("text", [
    HEAD + "  - " + "- " * 20_000 + "x\n",
    "? a\n: " + "- " * 20_000 + "x\n",  # after an explicit value indicator
    HEAD.replace("\n", "\r") + "  - " + "- " * 20_000 + "x\r",  # behind CR line breaks
    "? include\n: " + "- " * 500 + "x\n" + HEAD,  # an include list nested past any limit
])
def test_compact_nesting_that_crashes_yaml_rs_never_reaches_it(tmp_path: Path, text: str) -> None:
    path = tmp_path / "cards.yaml"
    path.write_bytes(text.encode())
    assert "too-deep" in {p.code for p in pipeline.check(str(path)).problems}


@pytest.mark.parametrize("name", ["a\\0b", "a" * 300])
def test_an_include_no_file_can_have_is_a_located_problem(tmp_path: Path, name: str) -> None:
    path = tmp_path / "cards.yaml"
    path.write_text(f'include: ["{name}"]\n' + HEAD + "  - {id: a, question: q, answer: x}\n")
    assert [(p.line, p.code) for p in pipeline.check(str(path)).problems if p.code == "bad-include"] == [(1, "bad-include")]


def _yaml_scalar(text: str, style: str) -> str:
    """`text` written as a YAML value in one of its styles, as an author might (not always valid)."""
    if style == "plain":
        return text
    if style == "single":
        return "'" + text.replace("'", "''") + "'"
    if style == "double":
        return json.dumps(text, ensure_ascii=False)
    indented = "".join(f"      {line}\n" for line in text.split("\n"))
    return ("|" if style == "literal" else ">") + "\n" + indented.rstrip("\n")


_text = st.text(alphabet=string.ascii_letters + string.digits + " .,:;-?!'\"#&%()[]{}<>*_`|~\\/@=+\n\t\u00e9\u00a0\u4e2d",
                min_size=1, max_size=30)
_styles = st.sampled_from(["plain", "single", "double", "literal", "folded"])


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(_text, _styles, _text, _styles), min_size=1, max_size=4))
def test_a_deck_read_fast_is_the_deck_read_with_positions(cards: list[tuple[str, str, str, str]]) -> None:
    text = HEAD + "".join(
        f"  - id: c{n}\n    question: {_yaml_scalar(q, q_style)}\n    answer: {_yaml_scalar(a, a_style)}\n"
        for n, (q, q_style, a, a_style) in enumerate(cards))
    fast, located = both_ways(text)
    if fast is not None:
        assert located.problems == [] and fast.deck == located.deck


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=string.printable + "&*!|>{}[]\u00e9\x1f", max_size=200))
def test_any_text_read_fast_is_the_text_read_with_positions(text: str) -> None:
    fast, located = both_ways(HEAD + text)
    if fast is not None:
        assert located.problems == [] and fast.deck == located.deck


def test_a_deck_with_includes_is_read_fast_and_a_bad_include_is_located(tmp_path: Path) -> None:
    (tmp_path / "more.yaml").write_text("cards:\n  - {id: b, question: r?, answer: y}\n")
    main = tmp_path / "cards.yaml"
    main.write_text("include: [more.yaml]\n" + HEAD + "  - {id: a, question: q?, answer: x}\n")
    checked = pipeline.check(str(main))
    assert checked.ok and checked.document.fast and [card.id for card, _ in checked.cards] == ["a", "b"]
    main.write_text("include: [more.yaml, missing.yaml]\n" + HEAD + "  - {id: a, question: q?, answer: x}\n")
    [problem] = pipeline.check(str(main)).problems
    assert (problem.line, problem.column, problem.code) == (1, 22, "bad-include")


# Pieces of YAML syntax, dropped into the places of a deck where a value, a list item, a line or
# a whole prefix can go (after the independent review's fuzzer, which found the flow values).
_PIECES = ["a", "z", " ", "  ", "\t", "\n", "\n  ", "\n    ", "\n      ", "\r\n", "\r", "#", " #c", ":", ": ", "?",
           "? ", "-", "- ", "'", '"', "\\", "\\n", "\\\n", "|", "|-", "|+", "|2", ">", ">-", "{", "}", "[", "]", ",",
           ", ", "...", "---", "%", "@", "\ufeff", "\u00a0", "\ufffe", "\u00e9", "\U0001F600", "id", "answer",
           "!", "&", "*", "`", ":?", "x: ", '"|x"']
_PLACES = [
    lambda piece: HEAD + "  - {id: a, question: q, answer: " + piece + "}\n",
    lambda piece: HEAD + "  - id: a\n    question: q\n    answer: " + piece + "\n",
    lambda piece: HEAD + "  - {id: a, question: q, answer: x, tags: [" + piece + "]}\n",
    lambda piece: HEAD + "  - id: a\n    question: q\n    answer: x\n" + piece + "\n",
    lambda piece: piece + HEAD + "  - {id: a, question: q, answer: x}\n",
    lambda piece: HEAD + "  - {id: a, question: q, answer: x}" + piece,
    # in and around quoted text, as `deck import` writes it
    lambda piece: HEAD + '  - id: a\n    question: "q:?"\n    answer: x\n    guid: "' + piece + '"\n',
    lambda piece: HEAD + '  - id: a\n    question: "q"\n    answer: "' + piece + '"\n    tags: [a, "' + piece + '"]\n',
    lambda piece: HEAD + '  - id: a\n    question: "|q"\n    answer: |-\n      x\n' + piece + '\n    guid: "a,&b"\n',
]


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(_PLACES), st.lists(st.sampled_from(_PIECES), max_size=8).map("".join))
def test_yaml_syntax_anywhere_reads_fast_only_as_it_reads_located(place, piece: str) -> None:
    fast, located = both_ways(place(piece))
    if fast is not None:
        assert located.problems == [] and fast.deck == located.deck


@settings(max_examples=2000, deadline=None)
@given(st.text(alphabet=st.sampled_from("0123456789+-_xobeE.:aAfF \t#"), min_size=1, max_size=8))
def test_a_whole_number_is_taken_as_its_digits_only_where_it_was_typed_so(typed: str) -> None:
    text = HEAD + f"  - {{id: a, question: q, answer: {typed}}}\n"
    fast, located = both_ways(text)
    if fast is not None:
        assert located.problems == [] and fast.deck == located.deck


@pytest.mark.parametrize(("deck", "loaded"), [(EXAMPLE_DECK, False), (EXAMPLE_DECK.replace("id: ", "id: Bad "), True)])
def test_pyyaml_is_imported_only_to_read_a_deck_with_problems(tmp_path: Path, deck: str, loaded: bool) -> None:
    (tmp_path / "cards.yaml").write_text(deck)
    script = "import sys; from deck import pipeline; pipeline.check(sys.argv[1]); print('yaml' in sys.modules)"
    shown = subprocess.run([sys.executable, "-c", script, str(tmp_path / "cards.yaml")], capture_output=True,
                           text=True, check=True).stdout
    assert shown.strip() == str(loaded)


def test_a_deck_in_several_files_keeps_each_files_numbers_as_written(tmp_path: Path) -> None:
    folder = tmp_path / "cards"
    folder.mkdir()
    (folder / "a.yaml").write_text(HEAD + "  - {id: a, question: q?, answer: 25}\n")
    (folder / "b.yaml").write_text("cards:\n  - {id: b, question: r?, answer: 025}\n")
    checked = pipeline.check(str(folder))
    assert checked.ok and [card.answer for card, _ in checked.cards] == ["25", "025"]


# Anki's GUIDs are base-91 text (letters, digits and these), which `deck import` writes double-quoted,
# as it writes every text that is not a plain word; so every migrated deck has the screen's '!', '&',
# ':?' and text starting with an indicator in quotes.
_BASE91 = string.ascii_letters + string.digits + "!#$%&()*+,-./:;<=>?@[]^_`{|}~"
# A tag as Anki has it, written plain where `deck import` writes it so ('Chapter::One', "it's").
_tag = st.lists(st.text(alphabet=_BASE91.replace(":", "") + "'", min_size=1, max_size=4), min_size=1,
                max_size=2).map("::".join)
_awkward = st.text(alphabet=_BASE91 + " '\"\\\t\n\u00e9", min_size=1, max_size=16)
_IMPORTED_HEAD = """deck:
  id: t
  name: "T::x"
note-types:
  w:
    id: "1700000000001"
    fields:
      - Front
      - {name: "Back", format: html}
    templates:
      - name: Card 1
        front: "{{Front}}"
        back: |-
          {{FrontSide}}

          <hr id=answer>

          {{Back}}
cards:
"""
# Lines among which quoted text could hide what the screen looks for: block scalars (whose lines
# may look like keys), quoted, plain and flow values over several lines, comments and single
# quotes holding '"', quoted keys, and what yaml-rs and libyaml read differently.
_AROUND = [
    "    extra: |", "    extra: >-", "    extra: |-", "    extra: |2", "      guid: \"|x &y\"", "      - k: \"|x\"",
    "     |x", "      ?x", "    # \"comment\": |x &y", "# a \"b\" 'c' ?d", "    extra: 'it''s \"so\" &x'",
    "    extra: 'open \"", "    extra: \"open", "    extra: \"a\\", "    extra: [a,", "    extra: {a: b,", "      b]",
    "      }", "    extra: [a, \"|x\"]", "    extra: [|x]", "    extra: {a: |x}", "    extra: x \"y, &z\"",
    "    \"extra\": \"|x\"", "    \"extra\":", "  - \"|x\"", "    extra: |x", "    extra: ?x", "    extra: :x",
    "    extra: \"a\" # c &x", "    extra: \"a\" \"b\"", "    extra: \"a\"x", "    extra: \"a\":", "    ? extra",
    "    : x", "    extra: &a \"x\"", "    extra: !t \"x\"", "    extra: *a", "  - |", "---", "...", "%YAML 1.2",
    "    extra:\t\"x\"", "    extra: \"x\" ", "\t", "",
]
_around = st.one_of(st.sampled_from(_AROUND), _awkward.map(lambda text: "    extra: " + text),
                    _awkward.map(lambda text: "      " + text),
                    _awkward.map(lambda text: "    extra: " + json.dumps(text)[:-1]))  # (not closed)


# Values of a card's `extra` a person might write beside them: blocks of lines that look like
# keys with quoted values, single-quoted text holding '"', plain text.
_key_like = st.sampled_from(['guid: "|x &y"', '- k: "a,&b"', '  deeper: "q:?z"', '"k": "|x"', "plain ?x !y",
                             "# no comment", ""])
_extra = st.one_of(
    st.tuples(st.sampled_from(["|", "|-", ">", ">-", "|+"]),
              st.lists(st.one_of(_key_like, _awkward), min_size=1, max_size=3))
    .map(lambda block: block[0] + "".join(f"\n      {line}" for text in block[1] for line in text.split("\n"))),
    _awkward.map(lambda text: _yaml_scalar(text, "single")),
    _awkward.map(lambda text: text.split("\n")[0]),
)


@st.composite
def _imported_deck(draw: st.DrawFn) -> tuple[list[str], bool]:
    """The lines of a deck as `deck import` writes it, with awkward GUIDs and text; and whether a
    person changed it after, with an `extra` or lines of `_AROUND` among them."""
    lines = _IMPORTED_HEAD.splitlines()
    changed = False
    guids = draw(st.lists(st.text(alphabet=_BASE91, min_size=1, max_size=10), min_size=1, max_size=3, unique=True))
    for number, guid in enumerate(guids):
        first, second = draw(_awkward), draw(_awkward)
        tag = list_item(draw(_tag))
        lines += [f"  - id: c{number}"]
        if number % 2:
            lines += [f"    question: {block_value(first, 6)}", f"    answer: {block_value(second, 6)}"]
            extra = draw(st.none() | _extra)
            lines += [f"    extra: {extra}"] if extra is not None else []
            changed = changed or extra is not None
        else:
            lines += ["    type: \"w\"", "    fields:", f"      Front: {block_value(first, 8)}",
                      f"      Back: {block_value(second, 8)}"]
        lines += [f"    tags: [a, {tag}]", f"    guid: {json.dumps(guid)}"]
    around = draw(st.lists(st.tuples(st.integers(0, 100), _around), max_size=2))
    for place, line in around:
        lines.insert(place % (len(lines) + 1), line)
    return lines, changed or bool(around)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_imported_deck())
def test_quoted_text_is_read_fast_only_as_it_reads_located(deck: tuple[list[str], bool]) -> None:
    lines, changed = deck
    fast, located = both_ways("\n".join(lines) + "\n")
    if fast is not None:
        assert located.problems == [] and fast.deck == located.deck
    elif not changed:  # what `deck import` writes is read fast, when it is a valid deck
        assert located.problems


def test_a_deck_imported_from_anki_with_awkward_guids_is_read_fast(tmp_path: Path) -> None:
    collection = Collection(str(tmp_path / "collection.anki2"))
    guids = ["|>?:x", "a,&b", "q:?z", "x!&y", ">b", "?c", ":d", "e#f", "g'h", "[i]{j}"]
    try:
        for number, guid in enumerate(guids):
            note = collection.new_note(collection.models.by_name("Basic"))
            note.fields[:] = [f"Is {number} &amp; &lt;x&gt; \"so\"?",
                              "<div>a</div><div>b</div>" if number % 2 else "one<br>two"]
            note.tags, note.guid = ["Chapter::One", "x"], guid
            collection.add_note(note, collection.decks.id("Top::Sub"))
        collection.export_anki_package(out_path=str(tmp_path / "awkward.apkg"), options=ExportAnkiPackageOptions(),
                                       limit=None)
    finally:
        collection.close()
    imported = import_deck(tmp_path / "awkward.apkg", tmp_path / "cards.yaml")
    assert imported.problems == [] and imported.cards == len(guids)
    checked = pipeline.check(str(tmp_path / "cards.yaml"))
    assert checked.ok and checked.document.fast
    assert [card.guid for card, _ in checked.cards] == guids
    fast, located = both_ways((tmp_path / "cards.yaml").read_text(encoding="utf-8"))
    assert fast is not None and located.problems == [] and fast.deck == located.deck
