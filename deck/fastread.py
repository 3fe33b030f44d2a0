"""The fast path of checking: bytes -> plain data -> Deck, with no positions, for valid decks.

Composing located nodes (`deck.source`) costs Python work per YAML event, seconds for a deck of
30,000 cards, and positions are only needed to report a problem. So a deck is first read here:
yaml-rs (Rust) gives plain data, taken only where it provably means what the located reading
would (the text screened for what yaml-rs reads differently or could choke on, but for lines YAML
reads only one way, whose quoted text may hold anything; each value made the text the located
reading keeps), then one strict pydantic call validates it. Anything that would need reporting
raises `nodes.Unlocated`, and `deck.pipeline.check` starts again on the located path, which
explains it. tests/test_fast_reading.py holds the two readings together.
"""

from __future__ import annotations

import json
import os
import re

# yaml-rs allocates with mimalloc, which keeps what is freed for its next allocation; but nothing of
# it runs after a deck is read, so its parse of the deck stayed with the process to the end: 0.25 GB
# of a 32 MB deck. Given back to the system at once (read when yaml-rs is loaded, just below).
os.environ.setdefault("MIMALLOC_PURGE_DELAY", "0")

import yaml_rs  # noqa: E402
from pydantic import TypeAdapter, ValidationError

from deck import notetypes
from deck.cards import Card, Deck, NoteCard
from deck.nodes import UNPLACED, Document, Mapping, Node, Scalar, Sequence, Unlocated
from deck.reading import FORBIDDEN_CHARACTER, MAX_BYTES, MAX_DEPTH, decode

# A text may hold what yaml-rs reads differently from the located reading, or could choke on: a
# tag or an anchor (yaml-rs drops tags and expands aliases; with no anchor, an alias is an error
# it reports), a directive, and deep nesting: indentation past 64 columns, or compact nesting like
# '- - x' (yaml-rs crashes the process on ten thousand levels of those; brackets it caps itself).
# Also what libyaml refuses and yaml-rs takes: a tab after a line's indentation or indicators, a
# line starting with ':' or '...', ':?', and a lone CR (which would hide line starts from these
# patterns). `_screened` looks for each with quick searches, milliseconds on 10 MB; the
# independent review that found most of these fuzzed the screen with 1.5 million decks.
_AT_LINE_START = re.compile(r"\n[ \t]*[-?][ \t]+[-?][ \t]|\n[ \t?:-]*\t|\n[ \t]*:|\n\.\.\.")
_DEEP_INDENT = " " * 65
# A control character in JSON: escaped (an odd run of backslashes, then u0000-u001f, b or f).
_ESCAPED_CONTROL = re.compile(r"(?<!\\)(?:\\\\)*\\(?:u00[01]|[bf])")
# A key or a value starting with an indicator, in the JSON of the data. yaml-rs reads a flow value
# so as text ('{answer: |x}', '[a, ?]'), where libyaml stops with a syntax error; so one is taken
# only where no plain value of the file can start so (`_left_over`): quoted or block text starting
# so ("|>?:x", an Anki GUID; a block '> quote') reads alike. (A quote inside text is escaped in JSON;
# one opening text follows a bracket, a brace or a space, looked behind for as the quote is found.)
_INDICATED = re.compile(r'"[|>?:](?<=[\[{ ]..)')


def read(path: str, data: bytes) -> Document | None:
    """The file as a document without positions, or None where only the located reading will do."""
    if len(data) > MAX_BYTES:
        return None
    text, problem = decode(path, data)
    plain = _plain(text) if problem is None else None
    return Document(path, text, UNPLACED, [], data=plain) if plain is not None else None


def combine(path: str, documents: list[Document]) -> Document:
    """Several files read fast as one deck (see `nodes.combine`)."""
    return Document(path, "", UNPLACED, [], data=_merge({}, [document.data for document in documents]))


def _plain(text: str) -> dict | None:
    """The file as plain data, if yaml-rs reads it as the located reading would, each value made
    the text the located reading keeps (see `_as_read_located`)."""
    if FORBIDDEN_CHARACTER.search(text):
        return None
    left = None  # what is screened of a text the screen does not pass whole (`_left_over`)
    if not _screened(text):
        left = _left_over(text)
        if left is None or not _screened(left):
            return None
    try:
        data = yaml_rs.loads(text, parse_datetime=False, duplicate_key_policy=yaml_rs.DuplicateKeyPolicy.Error)
        # Every key and value as JSON, in C (refusing nesting past the recursion limit), for text
        # starting with an indicator, and for a forbidden character: the text was screened for
        # those, so only a double-quoted escape can add one.
        encoded = json.dumps(data, ensure_ascii=False)
    except Exception:  # noqa: BLE001 - whatever yaml-rs refuses, the located reading explains
        return None
    if (type(data) is not dict
            or ("\\" in text and (FORBIDDEN_CHARACTER.search(encoded) or _ESCAPED_CONTROL.search(encoded)))
            or (_INDICATED.search(encoded) and (left or _left_over(text)) is None)):  # (left: None if screened)
        return None
    try:
        _as_read_located(data, text)
    except Unlocated:
        return None
    return data


def _screened(text: str) -> bool:
    if (not text.endswith("\n") or _DEEP_INDENT in text or ":?" in text  # (a block scalar at the end reads
            or text.count("\r") != text.count("\r\n")                  # differently without a line break)
            or _AT_LINE_START.search("\n" + text[:200]) or _AT_LINE_START.search(text)):
        return False
    for character in "!&%":
        index = text.find(character)
        while index != -1:
            before, after = text[index - 1:index] or "\n", text[index + 1:index + 2] or "\n"
            if character == "%" and before in "\r\n":  # a directive
                return False
            if character != "%" and before in " \t\r\n[{,:" and not (character == "&" and after in " \t\r\n"):
                return False  # a tag or an anchor
            index = text.find(character, index + 1)
    return True


# Lines that YAML reads only one way, which hold what the screen would take for syntax in a deck
# as `deck import` writes it (every Anki GUID, '    guid: "b!&x:?Q|>"'): a key with a double-quoted
# value closing on the line, a flow collection of such values and plain words on one line ('tags:
# [a, "b::c"]', '- {name: "Example", format: html}'), a block scalar with its lines, a comment.
_QUOTED = r'"[^"\\\n]*+(?:\\.[^"\\\n]*+)*+"'
_KEY = rf'(?:\w[\w()+. -]*+|{_QUOTED})'
# a plain word in a flow collection, as yaml-rs and libyaml read it alike ('Chapter::One', "it's"):
# no space but between words, no flow punctuation, '#' or '"', no ':' before a space, punctuation or
# '?' (libyaml's error)
_WORD = r'[\w(](?:[^\s,\[\]{}#:"]|:(?=[^\s,\[\]{}?]))*+'
_ITEM = rf'(?:{_QUOTED}|{_WORD}(?: {_WORD})*+)'
_FLOW = rf'(?:\[(?:{_ITEM}(?:, {_ITEM})*+)?\]|\{{(?:{_KEY}: {_ITEM}(?:, {_KEY}: {_ITEM})*+)?\}})'
_SIMPLE_LINES = re.compile(
    rf'^(?P<i> {{0,64}}+)(?:(?:- )?(?:{_KEY}:(?: {_QUOTED}| {_FLOW})?|{_QUOTED}|{_FLOW})\n|#.*\n'
    # a block scalar and its lines: those indented as its first, further in than its key, and blank ones
    rf'|{_KEY}: [|>][-+]?\n(?: *\n)*(?P<c>(?P=i) +)\S.*\n(?:(?:(?P=c).*| *)\n)*)', re.M)
# Where a quoted scalar, a flow collection or a plain value starting with an indicator could begin.
_UNSAFE = re.compile(r"(?:^|[\s\[\]{},:])['\"\[{|>?:]", re.M)


def _left_over(text: str) -> str | None:
    """The text with its lines of `_SIMPLE_LINES` made 'x', if what is left can begin no quoted
    scalar, flow collection or plain value starting with an indicator (`_UNSAFE` finds where one
    could): then every one is in those lines, which read as they look, and what is left is what the
    screen must pass. Else None.

    Why they read as they look: a line starts within a quoted scalar or a flow collection only if
    one began before it. Where none can begin outside those lines, the first of them starts outside
    any, so its quoted scalars close where they seem to, its flow collection on the line, and its
    block scalar has the lines that YAML's rule of indentation gives it; the next starts outside
    them again, and so on to the end."""
    if "\r" in text:  # (a lone CR breaks a line for YAML, not for these patterns)
        return None
    simple = _SIMPLE_LINES.sub("x\n", text)
    return None if _UNSAFE.search(simple) else simple


def _merge(into: dict, others: list, top: bool = True) -> dict:
    """`nodes.combine`'s rules on plain data; a key given twice is a problem to report, so it
    raises `Unlocated` for the located reading to say where."""
    for other in others:
        for name, value in other.items():
            first = into.setdefault(name, value)
            if first is value:
                continue
            if top and type(first) is list and type(value) is list:
                first.extend(value)
            elif top and type(first) is dict and type(value) is dict and name != "deck":
                into[name] = _merge(dict(first), [value], top=False)
            else:
                raise Unlocated(f"'{name}' is given twice")
    return into


# A whole number spelled so that its value's digits are not what was typed: a leading zero, a sign
# '+' or '-0', binary, octal or hexadecimal, or '_' between digits (yaml-rs takes all of these).
# Looked for anywhere in the text, to be sure.
_ODD_NUMBER = re.compile(r"[0-9]_|_[0-9]|(?<![\w.])(?:[-+]?0[0-9a-zA-Z_]|\+[0-9_]|-0\b|[-+]_)")


def plain_numbers(text: str) -> bool:
    """Whether every whole number yaml-rs reads in `text` is written as its own digits, so that
    `str(number)` is the text the located reading keeps (`answer: 25`, but not `025` or `0x1F`)."""
    return _ODD_NUMBER.search(text) is None


def unplaced(value: object, depth: int = 1) -> Node:
    """Part of a document read fast, as nodes without positions, for code written for nodes."""
    if depth > MAX_DEPTH or type(value) not in (str, list, dict):
        raise Unlocated("too deep, or not text")
    if type(value) is list:
        return Sequence(0, 0, [unplaced(item, depth + 1) for item in value])
    if type(value) is dict:
        pairs = {key: (unplaced(key), unplaced(item, depth + 1)) for key, item in value.items()}
        return Mapping(0, 0, 0, pairs=pairs)  # type: ignore[arg-type]
    return Scalar(value, 0, 0, 0, 0)  # type: ignore[arg-type]


def deck(document: Document) -> Deck:
    """The deck of a document read fast, validated by pydantic: any problem raises `Unlocated`, since
    `deck.validate`'s located checker is the one that explains problems. The checks across cards
    are the ones it makes, as yes/no questions. The document's plain data is used up."""
    data = document.data
    try:
        checked = _validated(data)
    except ValidationError as error:
        raise Unlocated(str(error)) from error
    ids = [card.id for card in checked.cards]
    guids = [card.guid for card in checked.cards if card.guid]
    subdecks = {card.deck for card in checked.cards if card.deck}
    if (not checked.cards or len(set(ids)) < len(ids) or len(set(guids)) < len(guids)
            or any(not isinstance(card, NoteCard) and card.source and card.source not in checked.sources
                   for card in checked.cards)
            or len({subdeck.casefold() for subdeck in subdecks}) < len(subdecks)
            or not notetypes.all_valid(checked)):
        raise Unlocated("a check across cards failed")
    return checked


_CARDS = TypeAdapter(list[Card])
_CHUNK = 10_000  # cards validated in one call


def _validated(data: object) -> Deck:
    """`Deck.model_validate(data, strict=True)` (strict: no number or date from yaml-rs), its cards
    a chunk at a time, each chunk's plain data dropped once it is validated: holding every card both
    as plain data and as a model took 0.2 GB more at 800,000 cards."""
    if not isinstance(data, dict) or type(data.get("cards")) is not list:
        return Deck.model_validate(data, strict=True)
    cards = data["cards"]
    checked = Deck.model_validate({**data, "cards": []}, strict=True)
    validated: list[Card] = []
    for start in range(0, len(cards), _CHUNK):
        chunk = cards[start:start + _CHUNK]
        cards[start:start + _CHUNK] = [None] * len(chunk)
        validated += _CARDS.validate_python(chunk, strict=True)
    return checked.model_copy(update={"cards": validated})


def _as_read_located(data: dict, text: str) -> None:
    """Make each value of a fast read of `text` what the located reading makes of it, which is text,
    or raise `Unlocated` where that cannot be known: a whole number becomes its digits (`answer: 25`,
    common on cards) when the file spells no number oddly (`025`, `+5`, `0x1F`); None (an empty
    value, '' there), true/false and other numbers differ."""
    deck, sources, cards = data.get("deck"), data.get("sources"), data.get("cards")
    mappings = [data, deck] if type(deck) is dict else [data]
    mappings += [source for source in sources.values() if type(source) is dict] if type(sources) is dict else []
    mappings += [card for card in cards if type(card) is dict] if type(cards) is list else []
    plain: bool | None = None  # whether the file spells numbers plainly: found out when first needed

    def text_of(value: object) -> object:
        nonlocal plain
        if type(value) is str:
            return value
        if type(value) is list:
            return [text_of(item) for item in value]
        if type(value) is dict:
            return value
        if type(value) is int:
            plain = plain_numbers(text) if plain is None else plain
            if plain:
                return str(value)
        raise Unlocated(f"{value!r} is not text")

    for mapping in mappings:
        for key, value in mapping.items():
            if type(value) is not str:
                mapping[key] = text_of(value)
