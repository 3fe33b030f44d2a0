"""Edits to a deck file's text at the places its nodes were read from, as `deck ids` makes them: a
value replaced, a key added or removed, and nothing else in the file touched (comments, quoting,
blank lines, other cards). Used by `deck pull`.
"""

from __future__ import annotations

import bisect
import json
from collections import Counter
from dataclasses import dataclass

from deck.ids import cards_of
from deck.interop.yamltext import PLAIN, PLAIN_BLOCK, list_item, typed, yaml_scalar
from deck.nodes import LINE_BREAK, Document, Mapping, Node, Scalar, Sequence



@dataclass(frozen=True)
class Edit:
    """Replace text[start:end] with `text`."""

    start: int
    end: int
    text: str


class Editor:
    """Edits to one file read with positions (`document`), applied together by `apply`."""

    def __init__(self, document: Document, data: bytes) -> None:
        self.text = document.text
        self.bom = "\ufeff" if data.startswith(b"\xef\xbb\xbf") else ""  # (not part of the text read)
        self._line_starts = [0] + [match.end() for match in LINE_BREAK.finditer(self.text)]
        breaks = Counter(LINE_BREAK.findall(self.text))
        self.newline = max(breaks, key=breaks.__getitem__, default="\n")  # the file's own, as it mostly has

    def set_text(self, mapping: Mapping, key: str, value: str) -> Edit:
        """`key: value` in `mapping`: its value replaced in the style it has, or the key added."""
        if key not in mapping.pairs:
            return self._add(mapping, key, self._scalar(value, mapping, None))
        _, node = mapping.pairs[key]
        return self._replace(node, self._scalar(value, mapping, node))

    def set_list(self, mapping: Mapping, key: str, values: list[str]) -> Edit:
        """`key: [a, b]` in `mapping`; a list written one item a line stays so, and an item it had
        keeps its quotes."""
        node = mapping.pairs.get(key, (None, None))[1]
        had = {item.value: self.text[item.start:self._end(item)] for item in node.items
               if isinstance(item, Scalar)} if isinstance(node, Sequence) else {}
        return self.set_items(mapping, key, [had.get(value) or list_item(value) for value in values])

    def set_items(self, mapping: Mapping, key: str, items: list[str]) -> Edit:
        """`set_list` of items written in YAML already (flow mappings, for one)."""
        flow = f"[{', '.join(items)}]"
        if key not in mapping.pairs:
            return self._add(mapping, key, flow)
        _, node = mapping.pairs[key]
        if isinstance(node, Sequence) and node.items and self.text[self._offset(node)] == "-":
            indent = " " * (node.column - 1)
            return self._replace(node, f"{self.newline}{indent}".join(f"- {item}" for item in items) if items else flow)
        return self._replace(node, flow)

    def set_items_in_place(self, mapping: Mapping, key: str, old: list[str], new: list[str]) -> list[Edit]:
        """`set_items`, where an item whose text is in `old` at its place keeps its text (comments and
        all): of a list written one item a line, each changed item replaced and new ones added below."""
        _, node = mapping.pairs[key]
        if not (isinstance(node, Sequence) and len(node.items) == len(old) <= len(new) and old
                and self.text[self._offset(node)] == "-"):
            return [self.set_items(mapping, key, new)]
        made = [self._replace(item, text) for item, was, text in zip(node.items, old, new) if was != text]
        at, newline = self._after(node.items[-1])
        indent = " " * (node.column - 1)
        return made + [Edit(at, at, f"{newline}{indent}- {text}{self.newline}") for text in new[len(old):]]

    def remove(self, mapping: Mapping, key: str) -> Edit | None:
        """`key` taken out of a block mapping, its lines with it; None in a flow mapping."""
        if key not in mapping.pairs or mapping.flow:
            return None
        name, node = mapping.pairs[key]
        start = self._line_starts[name.line - 1]
        return Edit(start, self._next_line(self._end(node)), "")

    def apply(self, edits: list[Edit]) -> str:
        """The text with every edit made (edits do not overlap; insertions at one place stay in order)."""
        text = self.text
        for _, edit in sorted(enumerate(edits), key=lambda item: (item[1].start, item[0]), reverse=True):
            text = text[:edit.start] + edit.text + text[edit.end:]
        return text

    def line(self, offset: int) -> int:
        """The 1-based line of an offset into the text."""
        return bisect.bisect_right(self._line_starts, offset)

    def append_card(self, cards: list[Mapping], lines: list[str]) -> Edit:
        """A card's lines (as `deck import` writes them, item at column 3) after the file's last card,
        at the column of its cards."""
        last = cards[-1]
        shift = last.column - 5
        moved = [(" " * shift + line) if shift >= 0 else line[-shift:] if line else line for line in lines]
        at, newline = self._after(last)
        return Edit(at, at, newline + "".join(line + self.newline for line in moved))

    def encoded(self, text: str) -> bytes:
        """An edited text as the file's bytes."""
        return (self.bom + text).encode("utf-8")

    def _scalar(self, value: str, mapping: Mapping, node: Node | None) -> str:
        """`value` as YAML in the style of `node`: plain stays plain where it can, quotes stay quotes."""
        first = self.text[node.start] if isinstance(node, Scalar) and node.end > node.start else ""
        if first not in ("'", '"', "|", ">") and (PLAIN if mapping.flow else PLAIN_BLOCK).fullmatch(value) \
                and not typed(value):
            return value
        if first == "'" and "\n" not in value:
            return "'" + value.replace("'", "''") + "'"
        if mapping.flow:
            return json.dumps(value, ensure_ascii=False)
        written = yaml_scalar(value, False, mapping.column + 1)  # a block of text indented below its key
        end = self._end(node) if node is not None else 0
        after = self.text[end:self._next_line(end)] if node is not None else ""
        # A comment after the value would be read as part of a block of text: quotes keep it a comment.
        return json.dumps(value, ensure_ascii=False) if written.startswith("|") and after.strip() else written

    def _replace(self, node: Node, text: str) -> Edit:
        start = self._offset(node)
        return Edit(start, self._end(node), text)

    def _add(self, mapping: Mapping, key: str, value: str) -> Edit:
        """A new pair at the end of the mapping, on its own line (after its other pairs, in braces)."""
        if mapping.flow:
            return Edit(mapping.start + 1, mapping.start + 1, f"{key}: {value}, ")
        _, last = list(mapping.pairs.values())[-1]
        at, newline = self._after(last)
        return Edit(at, at, f"{newline}{' ' * (mapping.column - 1)}{key}: {value}{self.newline}")

    def _after(self, node: Node) -> tuple[int, str]:
        """Where the line after a value starts, and the line break to write first if its line is the
        file's last and has none."""
        at = self._next_line(self._end(node))
        return at, self.newline if at == len(self.text) and not self.text.endswith(("\n", "\r")) else ""

    def _offset(self, node: Node) -> int:
        if isinstance(node, Scalar):
            return node.start
        if isinstance(node, Mapping):
            return node.start
        return self._line_starts[node.line - 1] + node.column - 1

    def _end(self, node: Node) -> int:
        """Where a value's text ends, before the line breaks a block of text takes with it."""
        if isinstance(node, Scalar):
            end = node.end
            while end > node.start and self.text[end - 1] in " \t\r\n":
                end -= 1
            return end
        children = list(node.items) if isinstance(node, Sequence) else [value for _, value in node.pairs.values()]
        start = self._offset(node)
        end = self._end(children[-1]) if children else start
        if self.text[start] in "[{":
            end = self.text.index("]" if self.text[start] == "[" else "}", end) + 1
        return end

    def _next_line(self, offset: int) -> int:
        """The start of the line after the one `offset` is on (the end of the text on the last line)."""
        index = bisect.bisect_right(self._line_starts, offset)
        return self._line_starts[index] if index < len(self._line_starts) else len(self.text)

    def card_at(self, document: Document, edits: dict[str, list[Edit]], line: int) -> str | None:
        """The card of `edits` (by card id) that holds `line` of the edited text: a card's lines run
        from its first to the next card's, where the edits before it moved them."""
        starts = {_id(node) or "": node.start for node in cards_of(document) or []}
        starts |= {card_id: made[0].start for card_id, made in edits.items() if card_id not in starts and made}
        shift, found = 0, None
        for card_id, start in sorted(starts.items(), key=lambda item: item[1]):  # (new cards keep their order)
            if self.line(start) + shift > line:
                break
            found = card_id
            shift += sum(edit.text.count("\n") - self.text.count("\n", edit.start, edit.end)
                         for edit in edits.get(card_id, []))
        return found if edits.get(found or "") else None


def _id(node: Mapping) -> str | None:
    value = node.pairs.get("id", (None, None))[1]
    return value.value if isinstance(value, Scalar) else None

