"""Anki's HTML fields back into deck's Markdown, so that `deck build` renders the same HTML again.

Used by `deck import`. A field is cleaned with the same allow-list as `deck.render` (what it drops
is reported, never lost silently), then written as Markdown that nothing re-interprets:

- text is escaped: Markdown's punctuation (backslash, backtick, `* _ [ ] |`) with a backslash,
  `&` and `<` as entities where they would start one or a tag, and what would start a list,
  quote, heading or rule at the start of a line;
- allowed inline tags (`<b>`, `<sub>`, `<a href>`, ...) stay as inline HTML, which Markdown keeps;
- paragraphs become Markdown paragraphs; lists, tables, headings and code blocks stay HTML blocks;
- images become `![alt](path)`, where the caller says which path (or why the file cannot be kept).

Fields that `deck build` produced come back exactly (the tests check it); Anki's own editor
HTML (`<div>` lines, `<span style>`, `&nbsp;`) is simplified, and the caller hears what changed.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape, unescape
from html.parser import HTMLParser
from urllib.parse import quote, unquote

from deck import render
from deck.reading import FORBIDDEN_CHARACTER  # what decks refuse: removed

_VOID = frozenset({"br", "hr", "img"})
_BLOCKS = frozenset({"p", "ul", "ol", "table", "blockquote", "pre", "hr", "h1", "h2", "h3", "h4", "h5", "h6"})
_PUNCTUATION = re.compile(r"[\\`*_\[\]|]")
# What a line must not start with: a list, quote, heading, rule or fence marker, or "1." / "1)".
_LINE_START = re.compile(r"^(?:([-+=>#~])|(\d+)([.)]))")
_TAG_LINE = re.compile(r"^(</?[a-zA-Z][a-zA-Z0-9-]*(?:\s[^<>]*)?/?>)[ \t]*\n")


@dataclass
class Element:
    tag: str
    attrs: list[tuple[str, str]]
    children: list[Element | str] = field(default_factory=list)


@dataclass(frozen=True)
class Converted:
    markdown: str
    changes: list[str]  # what the Markdown cannot keep, e.g. "dropped <span>"


def to_markdown(html: str, image: Callable[[str], str]) -> Converted:
    """One field's HTML as deck Markdown.

    `image` maps an `<img src>` (a media file name) to the path the Markdown should use, or raises
    ValueError saying why the picture cannot be kept; the picture is then dropped and reported.
    """
    if render.PLAIN.fullmatch(html) and not FORBIDDEN_CHARACTER.search(html):
        return Converted(html, [])  # most fields: Markdown and HTML alike, and rendered as they are
    changes: list[str] = []
    text = html.replace("\r\n", "\n")
    if FORBIDDEN_CHARACTER.search(text):
        text = FORBIDDEN_CHARACTER.sub("", text)
        changes.append("removed control characters")
    if re.search(r"(?i)<div\b", text):  # Anki's editor makes lines with <div>; deck files use <br>
        text = re.sub(r"(?i)</div\s*>", "", re.sub(r"(?i)<div\b[^>]*>", "<br>", text))
        text = re.sub(r"(?i)^(?:\s*<br\s*/?>)+|(?:<br\s*/?>\s*)+$", "", text)
        changes.append("<div> lines became <br> line breaks")
    clean = render.clean(text)
    if clean != text:  # (the cleaner's output is its input where it dropped nothing: most fields)
        changes += [f"dropped {what}" for what in sorted(_inventory(text) - _inventory(clean))]
    writer = _Writer(image, changes)
    return Converted(writer.field(_parse(clean)), changes)


class _Inventory(HTMLParser):
    """How often each tag and attribute occurs, as '<tag>' and 'attribute on <tag>'."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: Counter[str] = Counter()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found[f"<{tag}>"] += 1
        # Cleaning removes an image's src only when the image is remote.
        self.found.update("remote image" if (tag, name) == ("img", "src") else f"{name} on <{tag}>"
                          for name, _ in attrs)


def _inventory(html: str) -> Counter[str]:
    inventory = _Inventory()
    try:
        inventory.feed(html)
        inventory.close()
    except AssertionError:  # html.parser gives up on some malformed "<![" sections, which hold no tags
        return _inventory(html.replace("<!", "&lt;!"))
    return inventory.found


class _Tree(HTMLParser):
    """Well-formed HTML (nh3's output) -> elements and text, entities decoded."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("", [])
        self.open = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, [(name, value or "") for name, value in attrs])
        self.open[-1].children.append(element)
        if tag not in _VOID:
            self.open.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.open[-1].children.append(Element(tag, [(name, value or "") for name, value in attrs]))

    def handle_endtag(self, tag: str) -> None:
        if any(element.tag == tag for element in self.open[1:]):
            while self.open.pop().tag != tag:
                pass

    def handle_data(self, data: str) -> None:
        self.open[-1].children.append(data)


def _parse(html: str) -> list[Element | str]:
    tree = _Tree()
    tree.feed(html)
    tree.close()
    return tree.root.children


def _escape(text: str) -> str:
    """Text that Markdown shows as it is. `&` and `<` become entities only where they would start
    an entity or a tag ("a & b", "<2 mm" stay readable); a no-break space, being invisible, too."""
    text = re.sub(r"&(?=#?\w+;)", "&amp;", text)
    text = re.sub(r"<(?=[a-zA-Z/!?])", "&lt;", text).replace("\xa0", "&nbsp;")
    return _PUNCTUATION.sub(r"\\\g<0>", text)


def _attributes(element: Element) -> str:
    return "".join(f' {name}="{escape(value)}"' for name, value in element.attrs)


class _Writer:
    """Cleaned HTML -> Markdown; `line_start` says whether the next text begins a Markdown line."""

    def __init__(self, image: Callable[[str], str], changes: list[str]) -> None:
        self.image = image
        self.changes = changes
        self.line_start = True

    def field(self, nodes: list[Element | str]) -> str:
        """Inline content as one paragraph (deck unwraps a lone paragraph); blocks one by one."""
        if not any(isinstance(node, Element) and node.tag in _BLOCKS for node in nodes):
            return self.paragraph(nodes)
        blocks: list[str] = []
        run: list[Element | str] = []  # inline content between blocks (Anki's editor makes it)
        for node in nodes:
            if isinstance(node, Element) and node.tag in _BLOCKS:
                blocks += [self.paragraph(run), self.block(node)]
                run = []
            else:
                run.append(node)
        return "\n\n".join(block for block in [*blocks, self.paragraph(run)] if block)

    def block(self, element: Element) -> str:
        if element.tag == "p" and not element.attrs:
            return self.paragraph(element.children) or "<p></p>"  # kept, so the others stay <p>
        return self.html(element)  # an HTML block: Markdown keeps it as it is, up to a blank line

    def paragraph(self, nodes: list[Element | str]) -> str:
        self.line_start = True
        markdown = self.inline(nodes).strip()
        # A first line holding one tag and nothing else would start an HTML block, which Markdown
        # would pass through unread: join the next line to it (a line break is a space in HTML).
        return _TAG_LINE.sub(r"\1 ", markdown, count=1)

    def inline(self, nodes: list[Element | str]) -> str:
        parts = []
        for node in nodes:
            if isinstance(node, str):
                parts.append(self.text(node))
            elif node.tag == "img":
                parts.append(self.picture(node))
            else:
                self.line_start = False
                inner = "" if node.tag in _VOID else self.inline(node.children) + f"</{node.tag}>"
                parts.append(f"<{node.tag}{_attributes(node)}>{inner}")
        return "".join(parts)

    def text(self, text: str) -> str:
        lines = re.sub(r"\n[ \t]*(?=\n)", "", text).split("\n")  # a blank line would split a paragraph
        out: list[str] = []
        for number, line in enumerate(lines):
            if number:
                out[-1] = out[-1].rstrip(" \t")  # two trailing spaces would make a line break
                self.line_start = True
            line = _escape(line)
            if self.line_start:
                line = line.lstrip(" \t")  # indented lines would be code
                line = _LINE_START.sub(lambda m: f"\\{m[1]}" if m[1] else f"{m[2]}\\{m[3]}", line)
                self.line_start = not line
            out.append(line)
        return "\n".join(out)

    def picture(self, element: Element) -> str:
        attributes = dict(element.attrs)
        source = unquote(attributes.get("src", ""))
        if not source:
            return ""
        try:
            path = self.image(source)
        except ValueError as error:
            self.changes.append(f"dropped image '{source}': {error}")
            return ""
        self.line_start = False
        alt = _escape(attributes.get("alt", ""))
        title = attributes.get("title")
        title = ' "' + title.replace("\\", "\\\\").replace('"', '\\"') + '"' if title else ""
        return f"![{alt}]({quote(path, safe='/')}{title})"

    def html(self, node: Element | str) -> str:
        if isinstance(node, str):
            return escape(node, quote=False).replace("\xa0", "&nbsp;")
        if node.tag == "img":
            source = dict(node.attrs).get("src", "")
            self.changes.append(f"dropped image '{source}' inside a list, table, quote or heading")
            return ""
        inner = "" if node.tag in _VOID else "".join(map(self.html, node.children)) + f"</{node.tag}>"
        return f"<{node.tag}{_attributes(node)}>{inner}"


def citation_parts(html: str) -> dict[str, str | None] | None:
    """The title, author, publisher, date, url and note that `render.citation` made `html` from, or None.

    The result renders back to exactly `html`; a citation edited in Anki usually does not, and
    gives None. (A lone part after the title is taken as the date when it starts with a digit.)
    """
    match = re.fullmatch(r'(.*?)(?: <a href="([^"]*)">([^<]*)</a>)?(?:<br>([^<]*))?', html, re.DOTALL)
    assert match is not None
    text, href, label, note = match.groups()
    start, end = text.find("“"), text.rfind("”")
    if start < 0 or end < start or (href is not None and href != label):
        return None
    before, title, after = text[:start], text[start + 1:end], text[end + 1:]
    if after.startswith(" ") and after.endswith(".") and title.endswith("."):
        title, rest = title[:-1], after[1:-1]  # citation() moves the period into the quotes
    elif after == ".":
        rest = ""
    else:
        return None
    publisher, _, date = rest.rpartition(". ")
    if not publisher and date and not date[0].isdigit():
        publisher, date = date, ""
    parts = {"title": title, "author": before.removesuffix(". "), "publisher": publisher, "date": date,
             "url": href, "note": note}
    parts = {key: unescape(value) if value and value.strip() else None for key, value in parts.items()}
    if parts["title"] is None or render.citation(**parts) != html:  # type: ignore[arg-type]
        return None
    return parts
