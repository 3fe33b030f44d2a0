"""Deck files as `deck import` and `deck pull` write them, laid out as a person would: one block
per card, keys in a fixed order, each value in the plainest YAML that reads back as exactly itself.
"""

from __future__ import annotations

import json
import re
from typing import cast

from deck.cards import SLUG_PATTERN
from deck.interop.occlusion import Mask

Card = dict[str, str | list[str] | dict[str, str] | list[Mask]]  # a card's keys, as the deck file will have them
_KEYS = ("id", "type", "note-type", "image", "header", "hide", "masks", "question", "answer", "text", "extra", "tags",
         "source", "deck", "audio", "guid", "fields", "media")
# What other YAML readers (1.1 or 1.2) take for something other than text, written plain: booleans
# and null, numbers (signs, underscores, hex, octal, binary, exponents, sexagesimal, .inf, .nan) and
# dates. deck's own reader keeps every value text; an editor checking the schema would not.
_TYPED = re.compile(r"""(?ix)
    y|n|yes|no|on|off|true|false|null|~
    | [-+]?(?:\.[0-9_]+|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:e[-+]?[0-9]+)?
    | [-+]?0x[0-9a-f_]+ | [-+]?0o[0-7_]+ | [-+]?0b[01_]+
    | [-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?
    | [-+]?\.inf | \.nan
    | [0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:(?:t|[\ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?
                                    (?:[\ \t]*(?:z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)?""")
# A value YAML reads back as the same text without quotes, in a flow collection too (conservatively:
# no ': ', ' #', flow punctuation or leading indicator).
PLAIN = re.compile(r"[A-Za-z0-9(](?:[^\n\r\t:#{}\[\],]|:(?=[^\s,\[\]{}]))*(?<![ ])")
# The same as the value of a block mapping, where commas and brackets are text (`answer: red, blue`).
PLAIN_BLOCK = re.compile(r"[A-Za-z0-9(](?:[^\n\r\t:#]|:(?=\S)|(?<! )#)*(?<![ ])")
# What in a plain value the fast reading (`deck.fastread`) looks twice at, as YAML syntax could start
# there (tags, anchors, aliases, indicators, quotes, flow collections, comments): such a value is
# quoted, as Anki's GUIDs always are, so an imported deck keeps the fast path.
_SCREENED = re.compile(r"""[!&%*?|>@`:"'\[\]{},#]""")
# A key that YAML reads as the same text without quotes, and no YAML reader as a boolean or null.
_PLAIN_KEY = re.compile(r"[A-Za-z\u00c0-\uffff][\w\u00c0-\uffff()+.-]*(?: [\w\u00c0-\uffff()+.-]+)*")


def deck_file(origin: str, info: dict[str, str | dict[str, str]], sources: list[tuple[str, dict[str, str | None]]],
              note_types: list[str], cards: list[Card]) -> str:
    """The text of a deck file converted from `origin`: `info` for `deck:`, the `sources:`, the lines
    of `note-types:` and the cards."""
    origin = re.sub(r"\s", " ", origin)  # a comment ends at a line break
    lines = [f"# Converted from {origin} by `deck import`. Review it, then run `deck build`.", "deck:"]
    for key, about in info.items():
        if isinstance(about, dict):
            lines += [f"  {key}:"] * bool(about) + [f"    {_pair(name, text, 6)}" for name, text in about.items()]
        elif about:
            lines.append(f"  {key}: {yaml_scalar(about, True) if key == 'id' else block_value(about, 4)}")
    lines += ["sources:"] if sources else []
    for key, parts in sources:
        lines += [f"  {key}:"] + [f"    {part}: {yaml_scalar(value)}" for part, value in parts.items() if value]
    lines += ["note-types:", *note_types] if note_types else []
    lines.append("cards:" if cards else "cards: []")
    for card in cards:
        lines += card_lines(card)
    return "\n".join(lines) + "\n"


def card_lines(card: Card) -> list[str]:
    """One card as an item of `cards:`, its keys in a fixed order, indented as `deck import` writes it."""
    lines = []
    for number, key in enumerate(key for key in _KEYS if key in card):
        value = card[key]
        if key == "masks":
            lines += ["    masks:", *(f"      - {mask_text(mask)}" for mask in cast(list[Mask], value))]
            continue
        if isinstance(value, dict):
            lines.append(f"    {key}:")
            lines += [f"      {_pair(name, text, 8)}" for name, text in value.items()]
            continue
        text = (f"[{', '.join(map(list_item, cast(list[str], value)))}]" if isinstance(value, list)
                else yaml_scalar(value, True) if key in ("id", "type", "note-type", "hide", "source")
                else yaml_scalar(value) if key == "guid" else block_value(value, 6))
        lines.append(f"{'  - ' if number == 0 else '    '}{key}: {text}")
    return lines


def yaml_scalar(value: str, plain: bool = False, indent: int = 0) -> str:
    """A YAML scalar: as it is when `plain` and unmistakable, a literal block (`|-`) when it has
    several lines that YAML keeps exactly, else double-quoted (JSON's escapes are YAML's)."""
    if plain and re.fullmatch(SLUG_PATTERN, value) and not typed(value):
        return value
    if "\n" in value and value == value.strip() and not re.search(r"[ \t]\n|\r", value) and indent:
        return "|-" + "".join(f"\n{' ' * indent}{line}" if line else "\n" for line in value.split("\n"))
    return json.dumps(value, ensure_ascii=False)


def block_value(value: str, indent: int) -> str:
    """A value of a block mapping indented `indent` below its key: plain where every YAML reader reads
    it back as this text and it has nothing the fast reading looks twice at (`_SCREENED`), else as
    `yaml_scalar` writes it."""
    if PLAIN_BLOCK.fullmatch(value) and not typed(value) and not _SCREENED.search(value):
        return value
    return yaml_scalar(value, False, indent)


def _pair(name: str, value: str, indent: int) -> str:
    """`name: value` in a block mapping; a value stays quoted beside a quoted key (a line the fast
    reading reads as it looks: see `deck.fastread._left_over`)."""
    key = yaml_key(name)
    return f"{key}: {block_value(value, indent) if key == name else yaml_scalar(value, False, indent)}"


def list_item(value: str) -> str:
    """An item of a flow list (a tag): as it is where every YAML reader reads it back as this text,
    else quoted."""
    return value if PLAIN.fullmatch(value) and not typed(value) else json.dumps(value, ensure_ascii=False)


def typed(value: str) -> bool:
    """Whether some YAML reader takes `value`, written plain, for other than text (`yes`, `1e3`)."""
    return _TYPED.fullmatch(value) is not None


def yaml_key(name: str) -> str:
    """A mapping key: as it is where YAML reads it back unchanged, else double-quoted."""
    if _PLAIN_KEY.fullmatch(name) and name.isprintable() and not typed(name):
        return name
    return json.dumps(name, ensure_ascii=False)


def mask_text(mask: Mask) -> str:
    """One mask as a YAML flow mapping, its keys in the format's order."""
    return "{" + ", ".join(f"{key}: {_value(value)}" for key, value in mask.items()) + "}"


def _value(value: str | float | int | list[list[float]]) -> str:
    """A shape's name as it is, a number as written (every one has at most 4 places: see `read`)."""
    if isinstance(value, list):
        return "[" + ", ".join(f"[{_value(x)}, {_value(y)}]" for x, y in value) + "]"
    return value if isinstance(value, str) else f"{value:g}"
