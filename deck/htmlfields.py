"""Fields kept as HTML (`format: html` on a deck's own note type's field): Anki's HTML exactly as
written, where Markdown could not say it (an imported deck's divs, spans and styles).

Such a field is not rewritten, so what Anki shows is what the file says; only what would run code
or reach the network in Anki's card viewer is refused, at its place, by the same rules as Markdown
fields: no script, no embedded or framed content, no `on...` handler, no `javascript:` address, no
remote image or sound. Each local picture and sound is packed, its `src` pointed at its name in Anki.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html import escape, unescape
from html.parser import HTMLParser

from deck import urls
from deck.render import Finding, is_remote

# Elements that run code, or show other documents or plugins.
ACTIVE_TAGS = frozenset({"script", "iframe", "frame", "frameset", "object", "embed", "applet", "base", "meta",
                         "link", "form"})
# An attribute whose address is followed, and an address that would run code rather than show a file.
_ADDRESSES = frozenset({"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background"})
# (Read as a browser reads an address, by deck.urls: 'java<TAB>script:' is javascript: too.)
_ACTIVE_SCHEME = re.compile(r"^(?:javascript|vbscript|data:text/html)", re.IGNORECASE)
# A file a field shows or plays by its tag, as Anki finds media in HTML: a picture, or a sound (or
# video) by <audio>, <video> or <source>.
_MEDIA_SOURCE = re.compile(r"""(<(img|audio|video|source)\b[^>]*?\bsrc\s*=\s*)("[^"]*"|'[^']*'|[^\s>]+)""",
                           re.IGNORECASE)


def findings(html: str) -> list[Finding]:
    """What Anki must not be given in an HTML field."""
    if "<" not in html:  # what is refused is in tags, and a tag starts with '<' (half of an import's fields)
        return []
    audit = _Audit()
    audit.feed(html)
    audit.close()
    return audit.findings


def pack_media(html: str, image: Callable[[str], str], sound: Callable[[str], str], found: list[Finding]) -> str:
    """The field with each local `<img src>` pointed at its packed name, and each `<audio>`, `<video>`
    or `<source src>` (`image` and `sound` pack a path, or raise ValueError saying why they cannot);
    a file that cannot be packed is a finding."""

    def packed(match: re.Match[str]) -> str:
        quoted = match.group(3)
        written = quoted.strip("\"'")  # (as the field has it, entities and all: where a problem is)
        src = unescape(written)
        picture = match.group(2).lower() == "img"
        if is_remote(src.strip()):
            found.append(Finding("remote-image", f"remote {'image' if picture else 'sound'} '{src}' would be fetched "
                                                 "over the network when the card is shown; save the file beside the "
                                                 "deck and use its path", written))
            return match.group(0)
        try:
            name = (image if picture else sound)(src)
        except ValueError as error:
            found.append(Finding("media", str(error), written))
            return match.group(0)
        quote = quoted[0] if quoted[0] in "\"'" else '"'
        return f"{match.group(1)}{quote}{escape(name, quote=True)}{quote}"

    return _MEDIA_SOURCE.sub(packed, html)


class _Audit(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.findings: list[Finding] = []

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ACTIVE_TAGS:
            self.findings.append(Finding("html-script", f"<{tag}> would run code or load another document in Anki; "
                                                        "remove it", f"<{tag}"))
        for name, value in attrs:
            if name.startswith("on"):
                self.findings.append(Finding("html-script", f"event handler '{name}' would run code in Anki; "
                                                            "remove it", name))
            elif name in _ADDRESSES and _ACTIVE_SCHEME.match(urls.read(value or "").replace(" ", "")):
                self.findings.append(Finding("html-link", f"the address '{value}' would run code in Anki; remove it",
                                             value or name))
