"""Bytes -> a tree of located nodes (`deck.nodes`), reading YAML strictly.

PyYAML's usual loaders lose data silently: `No` becomes False, `3.10` becomes 3.1, a duplicate key
overwrites the first, and an alias can expand a small file into gigabytes. Here every scalar stays
text, and each of those cases becomes a located problem instead. This is the only module that
imports `yaml`; the composer below is iterative, so no nesting can raise RecursionError.

A document read fast (`deck.fastread`) has plain data and no positions: anything that tries to
report a problem in it raises `Unlocated`, and the caller reads the file again here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import replace

import yaml

from deck import recovery, syntax
from deck.nodes import Document, Mapping, Node, Scalar, Sequence
from deck.problems import Problem
from deck.reading import (
    FORBIDDEN_CHARACTER,
    MAX_BYTES,
    MAX_DEPTH,
    decode,
    describe_character,
    too_large,
)

_TOO_DEEP = f"nesting is deeper than {MAX_DEPTH} levels; a deck needs five at most"

_Parser = getattr(yaml, "CBaseLoader", yaml.BaseLoader)

# A file is read again after a syntax error inside a card, with the card set aside
# (`deck.recovery`): at most this many times, and for no more text in all than MAX_READ_AGAIN
# characters, since each reading is of the whole file (16 MB take about 7 s here).
MAX_SET_ASIDE = 10
MAX_READ_AGAIN = 16_000_000

# libyaml is handed the text in pieces of this many characters, as it asks for them, so that a
# caller can follow the reading of a big file (`read`'s `pieces`).
PIECE = 65_536

# Stands in for a key that cannot be kept (an alias, a list used as a key), so the value that
# follows it is dropped rather than mistaken for the next key.
_DROPPED_KEY = Scalar("", 0, 0, 0, 0)


def read(path: str, data: bytes, pieces: Callable[[list[str]], Iterable[str]] = iter) -> Document:
    """Decode and parse `data`; on any problem the document carries it, never an exception.

    `pieces` passes the text's pieces on to the parser as it reads them: a progress bar, say."""
    if len(data) > MAX_BYTES:
        return Document(path, "", None, [too_large(path, len(data))])
    text, problem = decode(path, data)
    if problem:
        return Document(path, "", None, [problem])
    document = Document(path, text, None, [])
    for match in FORBIDDEN_CHARACTER.finditer(text):
        line, column = document.position(match.start())
        document.problems.append(
            document.problem(line, column, "control-character", describe_character(match.group()))
        )
    # Each forbidden character is reported above; read the rest with a harmless stand-in of the same
    # length, so positions hold and the file's other problems are found in the same run.
    readable = FORBIDDEN_CHARACTER.sub("\ufffd", text) if document.problems else text
    before = document.problems
    syntax: list[Problem] = []
    while True:
        document.problems = [*before, *syntax]
        composer = _Composer(document, readable)
        composer.run(_Stream(pieces([readable[start:start + PIECE] for start in range(0, len(readable), PIECE)])))
        if composer.broken is None:
            break
        line, problem = composer.broken
        if len(syntax) == MAX_SET_ASIDE or (len(syntax) + 1) * len(text) > MAX_READ_AGAIN:
            at = document.problems.index(problem)
            document.problems[at] = replace(problem, message=f"{problem.message} (the file was not read past here)")
            break
        if problem in syntax:  # the same error again: setting aside did not get past it
            document.problems.remove(problem)
            break
        recovered = recovery.set_aside(readable, line)
        if recovered is None or recovered == readable:
            break
        readable = recovered
        syntax.append(problem)
    root = document.root
    if syntax and isinstance(root, Mapping) and not _has_cards(root):
        del root.pairs["cards"]  # every card was set aside; the rest (say `deck:` of a folder's deck) still counts
    return document


def _has_cards(root: Mapping) -> bool:
    cards = root.pairs.get("cards")
    return cards is not None and isinstance(cards[1], Sequence) and bool(cards[1].items)


class _Stream:
    """Text as a file libyaml reads: each read gives the next piece (PyYAML takes any length)."""

    def __init__(self, pieces: Iterable[str]) -> None:
        self._pieces = iter(pieces)

    def read(self, size: int) -> str:
        return next(self._pieces, "")


# A line that reads as a key or a list item: quoted text running over one is a quote left open.
_YAML_LINE = re.compile(r"\n[ \t]*(?:-[ \t]|[\w-]+:(?:[ \t]|\r?$))", re.MULTILINE)
_QUOTE_INSIDE = {'"': '\\"', "'": "''"}  # how a quote is written inside quoted text of each kind
# libyaml's contexts that begin where the broken part does: a mapping (a card), a key, a flow list
# or mapping, quoted text.
_READING = ("while parsing a block mapping", "while scanning a simple key", "while parsing a flow sequence",
            "while parsing a flow mapping", "while scanning a quoted scalar")


class _Composer:
    """Builds nodes from parser events with an explicit stack (no recursion, bounded depth)."""

    def __init__(self, document: Document, text: str) -> None:
        self.document = document
        self.text = text  # as parsed: the document's, or with broken cards set aside
        self.stack: list[Mapping | Sequence] = []
        self.pending_keys: list[Scalar | None] = []
        self.broken: tuple[int, Problem] | None = None  # after a syntax error: the line it broke (from 0), and it
        self.last_scalar: yaml.ScalarEvent | None = None
        self.read_to = 0  # after a syntax error: where the last event composed ended

    def error(self, mark: yaml.Mark, code: str, message: str) -> None:
        self.document.problems.append(
            self.document.problem(mark.line + 1, mark.column + 1, code, message)
        )

    def run(self, stream: _Stream) -> None:
        """Compose the whole document; a tree that could not be finished is dropped, so that
        validation never reports the half-read rest of a broken file."""
        parser = _Parser(stream)
        try:
            if not self._compose(parser):
                self.document.root = None
        except yaml.MarkedYAMLError as error:
            self._syntax_error(error)
            self.document.root = None
        except yaml.YAMLError as error:  # a reader error: libyaml found a character it refuses
            self.document.problems.append(self.document.problem(1, 1, "syntax", str(error)))
            self.document.root = None
        finally:
            parser.dispose()

    def _syntax_error(self, error: yaml.MarkedYAMLError) -> None:
        """Report libyaml's error where the author can fix it, and keep the line of what it broke
        as `broken`, for reading on past it (`read`)."""
        mark = error.problem_mark or error.context_mark
        message = error.problem or "invalid YAML"
        if "maximum nesting depth" in message:  # libyaml's own cap, met before ours in flow style
            self._too_deep_in_flow(mark)
            return
        quote = self._quote_to_blame(error, mark)
        if quote is not None:
            start, why = quote
            self.error(start, "syntax", why)
            self.broken = (start.line, self.document.problems[-1])
            return
        opened = error.context_mark
        explained = syntax.explain(self.text, message, error.context, mark.index, opened and opened.index)
        if explained is not None:
            line, column = self.document.position(explained[0])
            self.document.problems.append(self.document.problem(line, column, "syntax", explained[1]))
        else:
            if error.context and opened and opened.line != mark.line:
                message += f" {error.context} (line {opened.line + 1})"
            self.error(mark, "syntax", f"{message}; check the indentation and quoting")
        # What broke: the card (or key, or flow list) libyaml was reading, which began before the
        # place it gave up; but a block list's context is the whole list.
        within = error.context_mark is not None and error.context in _READING
        self.broken = ((error.context_mark if within else mark).line, self.document.problems[-1])

    def _too_deep_in_flow(self, mark: yaml.Mark) -> None:
        """libyaml reads a [...] or {...} ahead of the events composed here and stops at its own cap, a
        thousand levels in: point at the bracket that passes MAX_DEPTH, counted on from the last event
        (a bracket inside quotes is miscounted; at worst the report stays at libyaml's place)."""
        depth = len(self.stack)
        for index in range(self.read_to, mark.index):
            character = self.text[index]
            depth += (character in "[{") - (character in "]}")
            if depth > MAX_DEPTH:
                line, column = self.document.position(index)
                self.document.problems.append(self.document.problem(line, column, "too-deep", _TOO_DEEP))
                return
        self.error(mark, "too-deep", _TOO_DEEP)

    def _quote_to_blame(self, error: yaml.MarkedYAMLError, mark: yaml.Mark) -> tuple[yaml.Mark, str] | None:
        """The quoted text a syntax error comes from, where it starts and what is wrong: never closed;
        closed by the quote that opens a later value (libyaml fails right after it); or ended early
        by a quote inside it. Not in a [...] or {...} list, where a missing ',' fails the same way."""
        if error.context == "while scanning a quoted scalar" and error.context_mark:
            quote = self.text[error.context_mark.index]
            return error.context_mark, f"this quoted text is never closed; end it with {quote} on its line"
        last = self.last_scalar
        if (last is None or last.style not in ("'", '"') or (error.context or "").startswith("while parsing a flow")
                or last.end_mark.line != mark.line or self.text[last.end_mark.index:mark.index].strip()):
            return None
        start, end, quote = last.start_mark, last.end_mark, last.style
        if start.line == end.line:
            return start, f"a quote inside this quoted text ends it early; write a quote inside as {_QUOTE_INSIDE[quote]}"
        if _YAML_LINE.search(self.text, start.index, end.index):
            return start, (f"this quoted text is not closed on its line, so it runs on to the next {quote} "
                           f"(line {end.line + 1}); end it with {quote} on its line")
        return None

    def _compose(self, parser: yaml.BaseLoader) -> bool:
        documents = 0
        node_events = (yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent)
        end_events = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
        event = None
        try:
            while parser.check_event():
                event = parser.get_event()
                kind = type(event)
                if kind in node_events:  # the common case first: this loop runs once per event
                    if event.anchor is not None or event.tag is not None:
                        self._check_properties(event)
                    if not self._start(event):
                        return False
                elif kind in end_events:
                    self._end()
                elif kind is yaml.DocumentStartEvent:
                    documents += 1
                    if documents > 1:
                        self.error(event.start_mark, "multiple-documents",
                                   "a second YAML document starts here; keep one document per file")
                        return False
                elif kind is yaml.AliasEvent:
                    self.error(event.start_mark, "alias",
                               f"alias '*{event.anchor}' is not allowed; write the value out in full")
                    self._skip_value()
        except yaml.MarkedYAMLError:
            self.read_to = event.end_mark.index if event is not None else 0
            raise
        return True

    def _check_properties(self, event: yaml.NodeEvent) -> None:
        if event.anchor is not None:
            self.error(event.start_mark, "anchor",
                       f"anchor '&{event.anchor}' is not allowed; write each value out in full")
        if event.tag is not None and event.tag != "!":
            written = event.tag.replace("tag:yaml.org,2002:", "!!")  # as the author wrote it
            self.error(event.start_mark, "tag", f"tag '{written}' is not allowed; every value is plain text")

    def _start(self, event: yaml.NodeEvent) -> bool:
        mark = event.start_mark
        line, column = mark.line + 1, mark.column + 1
        node: Node
        if type(event) is yaml.ScalarEvent:
            self.last_scalar = event
            node = Scalar(event.value, line, column, mark.index, event.end_mark.index)
            # The text was checked before parsing; only a double-quoted escape can add a character.
            if event.style == '"' and (bad := FORBIDDEN_CHARACTER.search(event.value)):
                self.error(mark, "control-character", describe_character(bad.group()))
        elif len(self.stack) >= MAX_DEPTH:
            self.error(event.start_mark, "too-deep", _TOO_DEEP)
            return False
        elif isinstance(event, yaml.MappingStartEvent):
            node = Mapping(line, column, event.start_mark.index, bool(event.flow_style))
        else:
            node = Sequence(line, column)
        self._attach(node)
        if not isinstance(node, Scalar):
            self.stack.append(node)
            self.pending_keys.append(None)
        return True

    def _attach(self, node: Node) -> None:
        if not self.stack:
            self.document.root = node
            return
        parent = self.stack[-1]
        if isinstance(parent, Sequence):
            parent.items.append(node)
            return
        key = self.pending_keys[-1]
        if key is None:
            if isinstance(node, Scalar):
                self.pending_keys[-1] = node
            else:
                cloze = isinstance(node, Mapping) and self.text[node.start - 1:node.start + 1] == "{{"
                self.error_at(node, "complex-key", "a key must be plain text, not a list or mapping" + (
                    "; cloze text beginning with {{c1::...}} must be in quotes" if cloze else ""))
                self.pending_keys[-1] = _DROPPED_KEY
            return
        self.pending_keys[-1] = None
        if key is _DROPPED_KEY:
            return
        first = parent.pairs.get(key.value)
        if first is not None:
            self.error_at(key, "duplicate-key",
                          f"duplicate key '{key.value}' (first at line {first[0].line}); remove one of them")
            return
        parent.pairs[key.value] = (key, node)

    def error_at(self, node: Node, code: str, message: str) -> None:
        self.document.problems.append(self.document.problem(node.line, node.column, code, message))

    def _skip_value(self) -> None:
        """An alias contributes nothing; if it stood for a key or value, drop that half-pair."""
        if self.stack and isinstance(self.stack[-1], Mapping):
            if self.pending_keys[-1] is None:
                self.pending_keys[-1] = _DROPPED_KEY
            else:
                self.pending_keys[-1] = None

    def _end(self) -> None:
        self.stack.pop()
        self.pending_keys.pop()
