"""The one check of every address a card links to: a source's `url:`, Markdown links and autolinks,
and the `href` of raw HTML all go through `refusal`.

A card may link to http, https and mailto addresses only, decided as a browser reads the address
(the WHATWG URL standard): C0 control characters and spaces stripped from its ends, tabs and line
breaks removed anywhere, the scheme's case folded. So ' javascript:', 'java<TAB>script:' and
'JaVaScRiPt:' are all the javascript: scheme. An address without a scheme is refused too: a card
has no page of its own to be relative to, and in Anki a relative link ('page.html', '//host/x')
opens whatever Anki's own web server or the current scheme makes of it.
"""

from __future__ import annotations

import re
from html import unescape

LINK_SCHEMES = frozenset({"http", "https", "mailto"})
FIX = "use an https://, http:// or mailto: address"

_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.-]*):")
_C0_OR_SPACE = "".join(map(chr, range(0x21)))
_TAB_OR_LINE_BREAK = re.compile(r"[\t\n\r]")
# What the schemes most often tried would do in Anki's card viewer.
_HARM = {
    "javascript": "would run code in Anki",
    "vbscript": "would run code in Anki",
    "data": "carry a page of their own, which can run code in Anki",
    "file": "would open files on the student's computer",
}


def refusal(url: str) -> str | None:
    """Why a card must not link to `url` (naming its scheme, and saying what to write instead), or
    None where it may. Both `url` and `url` with its HTML entities decoded must pass: what a
    browser decodes depends on where the address is written.

    Good: ``https://example.org/a``, ``mailto:a@example.org``. Bad: ``javascript:alert(1)``,
    `` java\\tscript:x``, ``&#106;avascript:x``, ``data:text/html,x``, ``//host/x``, ``page.html``.
    """
    for address in dict.fromkeys((unescape(url), url)):
        why = _why_not(read(address))
        if why is not None:
            return f"{why}; {FIX}"
    return None


def read(address: str) -> str:
    """`address` as a browser reads it: C0 controls and spaces stripped from its ends, tabs and line
    breaks removed anywhere."""
    return _TAB_OR_LINE_BREAK.sub("", address.strip(_C0_OR_SPACE))


def _why_not(address: str) -> str | None:
    scheme = _SCHEME.match(address)
    if scheme is None:
        if not address:
            return "the link is empty"
        if address[:2] in ("//", "\\\\", "/\\", "\\/"):  # (browsers read a backslash as '/' here)
            return f"'{address}' has no scheme: a link starting with '//' takes it from the page it is on"
        return f"'{address}' is not a full address, and a card has no page for it to be relative to"
    name = scheme.group(1).lower()
    if name in LINK_SCHEMES:
        return None
    return f"'{name}:' links {_HARM.get(name, 'are not allowed on a card')}"
