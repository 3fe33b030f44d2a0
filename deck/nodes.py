"""The node tree a deck file is read into: scalars, mappings and lists with their positions, and
the `Document` that holds them with every problem found, turning a node into a line and column.

`deck.source` reads a file into a Document; `combine` makes several files one deck. A document
read fast (`deck.fastread`) has plain data and no positions: anything that tries to report a
problem in it raises `Unlocated`, and the caller reads the file again with positions.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from pathlib import Path

from deck.problems import Problem


# Where lines end, as YAML counts them: a file saved with CR alone (old Macs) has lines too.
LINE_BREAK = re.compile("\r\n|\r|\n")


class Unlocated(Exception):
    """A problem was found in a document read without positions (`deck.fastread`)."""


@dataclass(slots=True)
class Scalar:
    value: str
    line: int
    column: int
    start: int  # character offsets into the source text, for locating a piece of the value
    end: int


@dataclass(slots=True)
class Mapping:
    line: int
    column: int
    start: int  # character offset of the first key, or of '{' in flow style
    flow: bool = False
    pairs: dict[str, tuple[Scalar, Node]] = field(default_factory=dict)


@dataclass(slots=True)
class Sequence:
    line: int
    column: int
    items: list[Node] = field(default_factory=list)


Node = Scalar | Mapping | Sequence


@dataclass
class Document:
    """One YAML file read into located nodes, with every problem found while reading it."""

    path: str
    text: str
    root: Node | None
    problems: list[Problem]
    _line_starts: list[int] | None = None
    # For a deck read from several files: (first line in `text`, file) of each, in order.
    parts: list[tuple[int, str]] = field(default_factory=list)
    # The plain data of a document read fast, without positions; its `root` is then UNPLACED.
    data: object = None
    # Files of a deck that could not be read at all (a syntax error, say): what the deck seems to
    # lack, such as its 'deck' or a source, may be in them.
    unread: list[str] = field(default_factory=list)
    # Every file the deck was read from (see `deck.pipeline.read`).
    files: list[Path] = field(default_factory=list)

    @property
    def fast(self) -> bool:
        return self.root is UNPLACED

    def problem(self, line: int, column: int, code: str, message: str, severity: str = "error") -> Problem:
        if self.fast:
            raise Unlocated(message)
        path, line = self._file_line(line)
        return Problem(path, line, column, severity, code, message)  # type: ignore[arg-type]

    def line_of(self, node: Node) -> str:
        """'line 12', or 'line 12 of other.yaml' in a deck read from several files."""
        path, line = self._file_line(node.line)
        return f"line {line}" if not self.parts else f"line {line} of {path}"

    def _file_line(self, line: int) -> tuple[str, int]:
        if not self.parts:
            return self.path, line
        first, path = self.parts[bisect.bisect_right([start for start, _ in self.parts], line) - 1]
        return path, line - first + 1

    def locate(self, node: Node, snippet: str | None = None) -> tuple[int, int]:
        """Line and column of `snippet` inside a scalar's source text, or of the node itself."""
        if self.fast:
            raise Unlocated(snippet)
        if snippet and isinstance(node, Scalar):
            found = re.compile(re.escape(snippet), re.IGNORECASE).search(self.text, node.start, node.end)
            if found:
                return self.position(found.start())
        return node.line, node.column

    def position(self, index: int) -> tuple[int, int]:
        """Line and column of a character offset into `text`."""
        if self._line_starts is None:
            self._line_starts = [0] + [m.end() for m in LINE_BREAK.finditer(self.text)]
        line = bisect.bisect_right(self._line_starts, index)
        return line, index - self._line_starts[line - 1] + 1


class _Anywhere(dict):
    def __missing__(self, key: str) -> tuple[Scalar | Mapping, Mapping]:
        return UNPLACED, UNPLACED


# The node of every place in a document read fast: any key leads to it again, so code that looks
# up where a problem is gets this far, and then `Document.locate` raises `Unlocated`.
UNPLACED = Mapping(0, 0, 0, pairs=_Anywhere())


def combine(path: str, documents: list[Document]) -> Document:
    """Several files as one deck, as if they were one file: their top-level keys merged, lists
    (`cards`) joined in order and mappings (`sources`) given the keys of each, and a key given twice
    (a second `deck`, the same source) an error naming both places. Positions stay exact: problems
    name each file and its own lines."""
    combined = Document(path, "", None, [])
    root: Mapping | None = None
    lines = 0  # in the files before this one
    for document in documents:
        combined.problems += document.problems
        combined.parts.append((lines + 1, document.path))
        _shift(document.root, lines, len(combined.text))
        text = document.text if document.text.endswith("\n") or not document.text else document.text + "\n"
        combined.text += text
        lines += len(LINE_BREAK.findall(text))
        if isinstance(document.root, Mapping):
            root = document.root if root is None else _merge(combined, root, document.root)
        elif document.root is None and document.problems:
            combined.unread.append(document.path)
        elif document.root is not None:
            combined.problems.append(document.problem(1, 1, "wrong-type", "a deck file must be a mapping with 'cards'"))
    combined.root = root
    return combined


def _shift(node: Node | None, lines: int, index: int) -> None:
    """Move a tree's positions to where its file starts in a combined text (bounded by MAX_DEPTH)."""
    if node is None:
        return
    node.line += lines
    if isinstance(node, Scalar):
        node.start, node.end = node.start + index, node.end + index
    elif isinstance(node, Sequence):
        for item in node.items:
            _shift(item, lines, index)
    else:
        node.start += index
        for key, value in node.pairs.values():
            _shift(key, lines, index)
            _shift(value, lines, index)


def _merge(combined: Document, into: Mapping, other: Mapping, top: bool = True) -> Mapping:
    for name, (key, value) in other.pairs.items():
        if name not in into.pairs:
            into.pairs[name] = (key, value)
            continue
        first = into.pairs[name][1]
        if top and isinstance(first, Sequence) and isinstance(value, Sequence):
            first.items.extend(value.items)
        elif top and isinstance(first, Mapping) and isinstance(value, Mapping) and name != "deck":
            _merge(combined, first, value, top=False)
        else:
            combined.problems.append(combined.problem(
                key.line, key.column, "duplicate-key",
                f"'{name}' is already given at {combined.line_of(into.pairs[name][0])}; give it in one file only"))
    return into
