"""Reading on after a YAML syntax error: the card it is in is set aside, and the file read again.

A syntax error stops libyaml where it is, so without this one run would report it and nothing
else. When the error is inside one card of the usual block list under `cards:`, that card's lines
are commented out (keeping every offset, line and column) and the file is read again: the run then
reports the other cards' problems too. This is plain text work; `deck.source` does the reading.
"""

from __future__ import annotations

import bisect
import re

from deck.cards import CARD_TYPES

_CARDS_KEY = re.compile(r"cards:[ \t]*(?:#.*)?")
_KEY = re.compile(r"([\w-]+):(?:[ \t]|$)")
_CARD_KEYS = frozenset(info.alias or name for model in CARD_TYPES.values() for name, info in model.model_fields.items())


def set_aside(text: str, line: int) -> str | None:
    """`text` with the card around `line` (from 0) commented out, each of its lines turned into '#'
    and spaces of the same length; None when `line` is not inside a card of a block list under a
    top-level `cards:` (a flow list, or an error in the deck's header)."""
    rows = text.splitlines(keepends=True)
    key = next((number for number, row in enumerate(rows) if _CARDS_KEY.fullmatch(row.rstrip("\r\n"))), None)
    if key is None:
        return None
    items: list[int] = []  # the line each card starts on, at its '-'
    indent = None
    end = len(rows)
    for number in range(key + 1, len(rows)):
        content = rows[number].rstrip("\r\n")
        body = content.lstrip(" \t")
        if not body or body.startswith("#") or "\t" in content[:len(content) - len(body)]:
            continue  # blank, a comment, or indented with a tab (an error, which belongs to its card)
        depth = len(content) - len(body)
        starts_card = body == "-" or body.startswith("- ")
        if indent is None:
            if not starts_card:
                return None
            indent = depth
        if starts_card and depth == indent:
            items.append(number)
        elif depth < indent or (depth == indent and not _dedented_card_key(body, depth)):
            end = number  # the next top-level key, or a line out of place that is no card's
            break
    if not items or not items[0] <= line < end:
        return None
    at = bisect.bisect_right(items, line)
    first, last = items[at - 1], items[at] if at < len(items) else end
    rows[first:last] = [_commented(row) for row in rows[first:last]]
    return "".join(rows)


def _commented(row: str) -> str:
    content = row.rstrip("\r\n")
    return ("#" + " " * (len(content) - 1) if content else "") + row[len(content):]


def _dedented_card_key(body: str, depth: int) -> bool:
    """A card's key at the '-' of the cards (`  answer: x` under `  - id: a`): part of that card."""
    key = _KEY.match(body)
    return depth > 0 and key is not None and key.group(1) in _CARD_KEYS
