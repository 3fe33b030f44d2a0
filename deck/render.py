"""Markdown -> sanitised HTML for Anki fields (the cloze syntax checks are in deck.cloze).

Fields are CommonMark (markdown-it-py) with a small allow-list of inline HTML. Anki shows fields
in a webview, so anything that would run code or fetch from the network there is reported as a
finding, never dropped silently; nh3 then cleans the HTML with the same allow-list as a second
line of defence. Findings carry the piece of source text they are about, so the caller can point
at the exact line and column.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from html import escape, unescape
from html.parser import HTMLParser
from typing import TYPE_CHECKING
from urllib.parse import unquote

import markdown_it_pyrs
import nh3

from deck.urls import LINK_SCHEMES, refusal

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

ALLOWED_TAGS = frozenset({
    "a", "b", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img",
    "li", "ol", "p", "pre", "s", "small", "strong", "sub", "sup", "table", "tbody", "td", "th",
    "thead", "tr", "u", "ul",
})
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "code": {"class"},  # markdown-it marks fenced code with class="language-..."
    "img": {"src", "alt", "title"},
    "ol": {"start"},
    "td": {"style"},  # markdown-it aligns table columns with style="text-align:..."
    "th": {"style"},
}
_ALIGNMENT = re.compile(r"text-align:\s*(left|right|center)\s*;?")

# One line of text with nothing CommonMark or HTML would act on renders as itself: no markup
# characters, no line-start markers (lists, quotes, headings, ordered lists like "2019. x"), no
# surrounding spaces (indented code, hard breaks), no no-break space (serialised as &nbsp;), no
# U+FEFF (which HTML parsing drops).
PLAIN = re.compile(r"(?![-+=>]|\d+[.)])[^\s\\`*_\[\]<>&!#|~\xa0\ufeff]+(?: [^\s\\`*_\[\]<>&!#|~\xa0\ufeff]+)*")
# Such text with simple formatting tags in it, none with attributes, as Anki's editor writes them
# ('It is <b>4</b>.'): markdown-it-py passes the tags through as they are and escapes only the '"'
# of the text, which the cleaner writes back; the audit finds nothing in allowed tags without
# attributes. So its HTML is the cleaner's alone (which closes what is left open), and it holds
# nothing to report (tests/test_render.py compares it with markdown-it-py's). A tag alone is an
# HTML block to CommonMark, passed through as it is too. No NUL, which markdown-it-py replaces.
_WORD = r"[^\s\\`*_\[\]<>&!#|~\xa0\ufeff\x00]"
_SIMPLE_TAG = r"</?(?:b|i|u|em|strong|sub|sup|s|del|small|code)>|<br ?/?>"
_TAGGED = re.compile(rf"(?![-+=>]|\d+[.)])(?:{_WORD}|{_SIMPLE_TAG})+(?: (?:{_WORD}|{_SIMPLE_TAG})+)*")


@cache
def _reference() -> MarkdownIt:
    """markdown-it-py, for what the fast paths below do not take. Made on first use: many decks
    never need it, and importing it is 0.03 s of every command."""
    from markdown_it import MarkdownIt

    markdown = MarkdownIt("commonmark", {"html": True}).enable("table")
    # markdown-it quietly turns a javascript: link into plain text; let it through so the audit
    # below can report it to the author (nh3 removes it in any case).
    markdown.validateLink = lambda url: True  # type: ignore[method-assign]
    return markdown


# The same CommonMark in markdown-it's Rust port, twenty times faster, for the common field with
# emphasis or code in one line and nothing else: no block syntax at its start (lists, quotes,
# headings, rules, fences, indented code), no link, image or raw HTML ('[', '<'), no table ('|').
# Only inline tags come out of those, so there is nothing to audit and no image to pack. The two
# are property-tested and fuzzed to render alike (tests/test_render.py). They differ on block
# syntax, and in corners where the port has bugs of its own, so those texts go to markdown-it-py
# too: it can pair emphasis wrongly where '*' and '_' mix ('*a_a_*_a_' loses its last <em>), after
# a run of three ('(**=* !* >***{*'), once a delimiter is left over ('!**/a*?* ?**=*a*'), or among many
# runs next to punctuation ('__(__"_"__)__.__.__._ ...'), and it mishandles code spans of spaces
# only or opened by runs of backticks. It also reads a Unicode symbol next to a delimiter as a
# letter ('*°*a', '**±**a' are emphasis there), where CommonMark 0.31 and markdown-it-py read
# punctuation, so a delimiter next to anything beyond ASCII goes to markdown-it-py as well. A field
# rarely has more than three emphasised spans.
_rust_markdown = markdown_it_pyrs.MarkdownIt("commonmark")
_OTHER_SPACE = re.compile(r"[^\S \t]")  # line breaks, and spaces beyond ASCII (markdown-it-py trims those)
_INLINE_ONLY = re.compile(r"(?![-+>#=~` \t]|\d+[.)]|\*\s|([*_])\s*\1\s*\1)[^\[<|\x00]*")
_PORT_CORNERS = re.compile(r"\*\*\*|___|``|` +`|[*_][^\x00-\x7f]|[^\x00-\x7f][*_]")
_TAG_OR_CODE = re.compile(r"<code>[^<]*</code>|<[^>]*>")  # in the port's HTML: what is not text
_DELIMITER = re.compile(r"[*_`]")
_DELIMITER_RUN = re.compile(r"\*+|_+")
# In text, what an HTML parser reads otherwise than as itself: an entity, CR, NUL, U+FEFF.
_PARSED_OTHERWISE = "&\r\x00\ufeff"
_CLEANER_CHANGES = re.compile(f"[{_PARSED_OTHERWISE}\xa0]")  # and a no-break space, which nh3 writes as &nbsp;
MAX_RUST_DELIMITER_RUNS = 6


def _inline(markdown: str) -> bool:
    """One line of inline Markdown: only inline tags come out of it, whichever parser reads it."""
    return bool(_INLINE_ONLY.fullmatch(markdown)) and not _OTHER_SPACE.search(markdown)


def _rust_html(markdown: str) -> str | None:
    """The Rust port's HTML for `markdown` where it is markdown-it-py's, else None: for one line of
    inline Markdown outside the corners above, in which every delimiter found its pair."""
    if (not _inline(markdown) or _PORT_CORNERS.search(markdown) or ("*" in markdown and "_" in markdown)
            or len(_DELIMITER_RUN.findall(markdown)) > MAX_RUST_DELIMITER_RUNS):
        return None
    html = _rust_markdown.render(markdown)
    return None if _DELIMITER.search(_TAG_OR_CODE.sub("", html)) else html


@dataclass(frozen=True)
class Finding:
    """A problem inside one field's text: `snippet` is the source text it is about."""

    code: str
    message: str
    snippet: str


def to_html(markdown: str, image: Callable[[str], str] | None = None) -> tuple[str, list[Finding]]:
    """Render a field; a lone paragraph is unwrapped so short answers stay inline in Anki.

    `image` maps each Markdown image's path to the name it has in the package, or raises
    ValueError saying why the file cannot be packed; without it, images are findings.
    """
    if PLAIN.fullmatch(markdown):  # most fields: skip the parser, the audit and the cleaner (no '[' either)
        return markdown, []
    if "<" in markdown and _TAGGED.fullmatch(markdown):  # as Anki's editor writes them: only the cleaner
        return inert(clean(markdown)), []
    if (html := _rust_html(markdown)) is not None:
        html = html.strip()
        if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
            html = html[3:-4].strip()  # (as `_render` strips the unwrapped paragraph)
        # Only inline tags come out of this path, which the cleaner keeps as they are; so is their
        # text, but for an entity ('&quot;' becomes '"') and what an HTML parser or serialiser
        # changes (a no-break space becomes '&nbsp;'). 0.03 s at 30,000 cards.
        return inert(clean(html) if _CLEANER_CHANGES.search(html) else html), []
    return _render(markdown, image)


def findings(markdown: str, image: Callable[[str], str] | None = None) -> list[Finding]:
    """What `to_html` finds in a field, without its HTML where nothing can be found: one line of
    inline Markdown, plain text included (most fields), is not rendered at all."""
    if _inline(markdown) or _TAGGED.fullmatch(markdown):
        return []
    return _render(markdown, image)[1]


def _render(markdown: str, image: Callable[[str], str] | None) -> tuple[str, list[Finding]]:
    reference = _reference()
    tokens = reference.parse(markdown)
    findings: list[Finding] = []
    packed = _pack_images(tokens, image, findings)
    reported = {finding.snippet for finding in findings}
    if [token.type for token in tokens] == ["paragraph_open", "inline", "paragraph_close"]:
        tokens = tokens[1].children or []
    html = reference.renderer.render(tokens, reference.options, {}).strip()
    audit = _Audit(packed | reported, markdown)
    try:
        audit.feed(html)
        audit.close()
    except AssertionError:  # html.parser gives up on some '<!' and '<![' declarations
        message = "malformed HTML declaration ('<!' or '<!['); remove it or write &lt;! for the text"
        findings.append(Finding("html-syntax", message, "<!"))
    # Text can't hold a raw '<!--' (it is escaped), so one in the HTML is a comment, closed or not.
    if "<!--" in html and not any(finding.code == "html-comment" for finding in audit.findings):
        audit.handle_comment("")
    return inert(clean(html)), findings + audit.findings


def clean(html: str) -> str:
    """The allow-list applied by nh3: what survives is all Anki ever sees of a field (its Anki markup
    written as text by `inert`)."""
    return _cleaner.clean(html)


# What Anki acts on in a field's HTML once its template has put the field in: '[sound:...]' and
# '[anki:...]' tags become players ('[anki:play:q:0]'), '[[type:...]]' a typing box in the
# reviewer (rslib/src/card_rendering/parser.rs, qt/aqt/reviewer.py). '[latex]', '[$]' and '[$$]'
# are left to Anki, which makes images of them only where its preferences allow it.
_ANKI_MARKUP = re.compile(r"(?i)\[(?=sound:|anki:|\[type:)")


def inert(html: str) -> str:
    """`html` with the Anki markup in it shown as typed: its '[' written as '&#91;'."""
    return _ANKI_MARKUP.sub("&#91;", html) if "[" in html else html


def is_remote(src: str) -> bool:
    """An address with a scheme (two letters at least, so 'C:/x.png' is a path) or a host."""
    return re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]+:", src) is not None or src.startswith("//")


def _safe_addresses(element: str, attribute: str, value: str) -> str | None:
    """Local images only, and links `deck.urls` allows (the audit has reported any other)."""
    if attribute == "src" and element == "img":
        return None if is_remote(value) else value
    return None if attribute == "href" and refusal(value) is not None else value


_cleaner = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
    url_schemes=set(LINK_SCHEMES),
    filter_style_properties={"text-align"},
    link_rel=None,
    attribute_filter=_safe_addresses,
)


def _pack_images(tokens: list[Token], image: Callable[[str], str] | None, findings: list[Finding]) -> set[str]:
    """Point each Markdown image at its packed name; returns the names, for the audit."""
    packed = set()
    for token in tokens:
        for child in token.children or []:
            if child.type == "image":
                src = child.attrs["src"] = unquote(str(child.attrs["src"]))
                if is_remote(src):
                    message = f"remote image '{src}' would be fetched over the network when the card is shown; " \
                              "save the file beside the deck and use its path"
                    findings.append(Finding("remote-image", message, src))
                elif image is None:
                    findings.append(Finding("image", f"image '{src}': images are not allowed here", src))
                else:
                    try:
                        name = image(src)
                        child.attrs["src"] = name
                        packed.add(name)
                    except ValueError as error:
                        findings.append(Finding("media", str(error), src))
            packed |= _pack_images([child], image, findings) if child.children else set()
    return packed


class _Audit(HTMLParser):
    """Finds every tag, attribute and address that the allow-list would remove."""

    def __init__(self, images: set[str], markdown: str) -> None:
        super().__init__(convert_charrefs=True)
        self.images = images  # packed or already reported by their Markdown image
        self.markdown = markdown  # what the HTML was made from, to point into
        self.findings: list[Finding] = []

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_comment(self, data: str) -> None:
        message = "an HTML comment hides its text on the card (an unclosed one hides the rest); remove it"
        self.findings.append(Finding("html-comment", message, "<!--"))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img":
            self._image(dict(attrs).get("src") or "")
        if tag not in ALLOWED_TAGS:
            message = f"HTML tag <{tag}> is not allowed; use Markdown or simple formatting tags such as <b>, <sub>, <br>"
            self.findings.append(Finding("html-tag", message, f"<{tag}"))
            return
        for name, value in attrs:
            self._attribute(tag, name, value or "")

    def _attribute(self, tag: str, name: str, value: str) -> None:
        if name.startswith("on"):
            self.findings.append(Finding("html-script", f"event handler '{name}' would run code in Anki; remove it", name))
        elif name not in ALLOWED_ATTRIBUTES.get(tag, ()):
            self.findings.append(Finding("html-attribute", f"attribute '{name}' is not allowed on <{tag}>; remove it", name))
        elif name == "style" and not _ALIGNMENT.fullmatch(value.strip()):
            self.findings.append(Finding("html-attribute", f"style '{value}' is not allowed; only text-align is kept", name))
        elif name == "href" and (why := refusal(value)) is not None:
            self.findings.append(Finding("html-link", why, self._as_written(name, value)))

    def _as_written(self, name: str, value: str) -> str:
        """An attribute's value as the field spells it, entities and all, where it is raw HTML."""
        attribute = re.search(rf"""\s{name}\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))""",
                              self.get_starttag_text() or "", re.IGNORECASE)
        written = next(group for group in attribute.groups() if group is not None) if attribute else value
        return written if written in self.markdown else value

    def _image(self, src: str) -> None:
        if src in self.images:
            return
        if is_remote(src):
            message = f"remote image '{src}' would be fetched over the network when the card is shown; remove it"
            self.findings.append(Finding("remote-image", message, src))
        else:  # a raw <img> tag, which would bypass the media checks
            message = f"<img src='{src}'>: show images with Markdown, ![description]({src}), so they are packed"
            self.findings.append(Finding("image", message, src))


def citation(title: str, author: str | None, publisher: str | None, date: str | None, url: str | None,
             note: str | None = None) -> str:
    """A source as one line of HTML for a card's back: author, title, publisher, date, link; and
    its `note` (a disclaimer, say) on the next line.

    The parts are plain text, escaped here; only the link is markup. `url` has passed
    `deck.urls.refusal` (it is a `cards.Link`).
    """
    parts = [escape(part) for part in (author, f"“{title}”", publisher, date) if part]
    text = ". ".join(parts).replace("”.", ".”") + "."
    if url:
        text += f' <a href="{escape(url)}">{escape(url)}</a>'
    if note:
        text += f"<br>{escape(note)}"
    return inert(text)


def plain_text(html: str) -> str:
    """What a field shows, without markup: as Anki's own search sees it."""
    if not _NOT_PLAIN.search(html):  # no tag, no entity, nothing an HTML parser reads differently
        return html.strip()
    return unescape(_text_only.clean(html)).strip()


_NOT_PLAIN = re.compile(f"[<{_PARSED_OTHERWISE}]")
_text_only = nh3.Cleaner(tags=set())


@cache
def _delimiters() -> MarkdownIt:
    """markdown-it-py with escapes left as separate tokens, so an escaped \\* is never mistaken for
    a stray one."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": True}).enable("table").disable("text_join")

_STRAY = re.compile(r"(?<=\w)[*_]+(?!\w)|(?<!\w)[*_]+(?=\w)|`+")


def dangling_markup(text: str) -> str | None:
    """The first emphasis or code delimiter that Markdown left unmatched (shown as a raw '*',
    '_' or '`' in Anki), or None. A lone '*' between spaces is ordinary text.

    Good: ``a *deep* scar``. Bad: ``a *deep scar`` (the '*' shows up on the card).
    """
    # Most text: no delimiter that could be left over, and no entity or escape to split the text;
    # or every delimiter paired, as the Rust port shows where it renders alike.
    if "&" not in text and "\\" not in text and (not _STRAY.search(text) or _rust_html(text) is not None):
        return None
    return _dangling_in_tokens(text)


def _dangling_in_tokens(text: str) -> str | None:
    for token in _delimiters().parse(text):
        for child in token.children or []:
            if child.type == "text" and (match := _STRAY.search(child.content)):
                return match.group()
    return None
