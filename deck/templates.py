"""Anki's card template language, as far as a build needs it: which fields a template names, whether
it is well formed, and which of a note's templates make a card.

A port of Anki's own rules (rslib/src/template.rs: `classify_handle`, `parse_inner`,
`template_is_empty`; rslib/src/notetype/cardgen.rs for the special fields), not a call into its
backend: the `anki` package is an optional extra (import and preview), and a build must not need it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# What Anki fills in itself; a template may name these without a field of that name.
SPECIAL_FIELDS = frozenset({"FrontSide", "Card", "CardFlag", "Deck", "Subdeck", "Tags", "Type", "CardID"})
# White space as Anki's Rust trims it from a name (Unicode's White_Space); Python's strip() and re's \s
# also take U+001C-U+001F, which Anki keeps as part of the name.
SPACE = "\t\n\v\f\r \x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u2028\u2029\u202f\u205f\u3000"
# Handlebars and comments, in Anki's standard syntax ('{{=<% %>=}}' switches to the legacy one).
_TOKEN = re.compile(r"\{\{(.*?)\}\}|<!--.*?-->", re.DOTALL)
_ALTERNATIVES = re.compile(r"(?:\{\{=<% %>=\}\})+")  # at the start, once or more: Rust's trim_start_matches
_ALTERNATIVE_TOKEN = re.compile(r"<%(.*?)%>|<!--.*?-->", re.DOTALL)
# A section on a cloze deletion's number, not a field: '{{#c1}}' ('c', then what Rust's u32 parse takes).
_CLOZE_NUMBER = re.compile(r"c\+?[0-9]+")
_U32 = 2**32
# The name {{Card}} in a template, as notetype/mod.rs's ensure_template_fronts_unique finds it.
_CARD = re.compile(r"\{\{" f"[{SPACE}]*Card[{SPACE}]*" r"\}\}")
# A field that holds nothing Anki shows: ASCII white space, <br> and <div> tags (template.rs: field_is_empty).
_EMPTY_FIELD = re.compile(r"(?:\s|</?(?:br|div) ?/?>)*", re.IGNORECASE | re.ASCII)


class TemplateError(ValueError):
    """A template Anki would refuse to render, in Anki's words."""


@dataclass
class Node:
    """A replacement (`{{filter:Field}}`, no children) or a section (`{{#Field}}`/`{{^Field}}`)."""

    key: str
    filters: tuple[str, ...] = ()
    negated: bool | None = None  # None: a replacement; False: {{#key}}; True: {{^key}}
    children: list[Node] = field(default_factory=list)


def parse(template: str) -> list[Node]:
    """The template's replacements and sections (text and comments are left out)."""
    pattern = _TOKEN
    if directives := _ALTERNATIVES.match(template.lstrip(SPACE)):
        template, pattern = template.lstrip(SPACE)[directives.end():], _ALTERNATIVE_TOKEN
    root: list[Node] = []
    stack: list[Node] = []
    for match in pattern.finditer(template):
        if match.group(1) is None:  # a comment
            continue
        handle = match.group(1).lstrip("{").strip(SPACE)
        children = stack[-1].children if stack else root
        if len(handle) >= 2 and handle[0] in "#^":
            section = Node(handle[1:].lstrip(SPACE), negated=handle[0] == "^")
            children.append(section)
            stack.append(section)
        elif len(handle) >= 2 and handle[0] == "/":
            closed = handle[1:].lstrip(SPACE)
            if not stack:
                raise TemplateError(f"'{{{{/{closed}}}}}' closes a section that is not open; "
                                    f"open it with '{{{{#{closed}}}}}' or '{{{{^{closed}}}}}'")
            if stack[-1].key != closed:
                raise TemplateError(f"'{{{{/{closed}}}}}' closes a section, but '{{{{/{stack[-1].key}}}}}' was expected")
            stack.pop()
        else:
            *filters, key = handle.split(":")
            children.append(Node(key, tuple(reversed(filters))))
    if stack:
        raise TemplateError(f"the section '{stack[-1].key}' is not closed; add '{{{{/{stack[-1].key}}}}}'")
    return root


def walk(nodes: list[Node]) -> list[Node]:
    """Every node, sections before what they hold."""
    return [every for node in nodes for every in (node, *walk(node.children))]


def references(nodes: list[Node]) -> list[str]:
    """The names a template gives in replacements and sections (template.rs
    `all_referenced_field_names`): special fields and the empty name (`{{}}`) too, but not the sections
    on a cloze number (`{{#c1}}`), which Anki takes as whether that deletion is there
    (`is_cloze_conditional`). Anki refuses a front that gives none."""
    return [node.key for node in walk(nodes) if not (node.negated is not None and _CLOZE_NUMBER.fullmatch(node.key)
                                                     and int(node.key[1:]) < _U32)]


def field_names(nodes: list[Node]) -> list[str]:
    """The fields a template names (`references`), special fields and the empty name left out."""
    return [key for key in references(nodes) if key and key not in SPECIAL_FIELDS]


def names_card(template: str) -> bool:
    """Whether a template shows its card's name ({{Card}}), by which two fronts alike differ."""
    return _CARD.search(template) is not None


def has_cloze(nodes: list[Node]) -> bool:
    return any("cloze" in node.filters for node in walk(nodes))


def nonempty(text: str) -> bool:
    """Whether Anki counts a field as filled (cards are made of filled fields)."""
    return not _EMPTY_FIELD.fullmatch(text)


def renders(front: list[Node], filled: set[str]) -> bool:
    """Whether a front side shows a field of `filled` (names of filled fields, special fields
    included), so that Anki makes its card: template.rs `renders_with_fields`."""
    for node in front:
        if node.negated is None and node.key in filled:
            return True
        if node.negated is False and node.key in filled and renders(node.children, filled):
            return True
        if node.negated is True and node.key not in filled and renders(node.children, filled):
            return True
    return False
