"""The one check of every address a card links to, as a browser reads the address."""

from __future__ import annotations

import pytest

from deck.urls import refusal


@pytest.mark.parametrize("url", [
    "https://example.org/a?b=1&c=2", "http://example.org", "HTTPS://EXAMPLE.ORG", "mailto:a@example.org",
    " https://example.org ", "ht\ttps://example.org",  # (what a browser strips, it strips from these too)
    "https://example.org/?a=1&amp;b=2",
])
def test_http_https_and_mailto_addresses_are_allowed(url: str) -> None:
    assert refusal(url) is None


@pytest.mark.parametrize(("url", "named"), [
    ("javascript:alert(1)", "'javascript:'"),
    (" javascript:alert(1)", "'javascript:'"),
    ("\x01\x1f javascript:alert(1)\n", "'javascript:'"),
    ("java\tscript:alert(1)", "'javascript:'"),
    ("java\nscr\ript:alert(1)", "'javascript:'"),
    ("JaVaScRiPt:alert(1)", "'javascript:'"),
    ("&#106;avascript:alert(1)", "'javascript:'"),
    ("&#x6A;avascript&colon;alert(1)", "'javascript:'"),
    ("vbscript:msgbox(1)", "'vbscript:'"),
    ("data:text/html,<script>alert(1)</script>", "'data:'"),
    ("file:///etc/passwd", "'file:'"),
    ("ftp://example.org/x", "'ftp:'"),
    ("//example.org/x", "'//example.org/x' has no scheme"),
    ("\\\\example.org/x", "has no scheme"),
    ("page.html", "'page.html' is not a full address"),
    ("#top", "'#top' is not a full address"),
    ("&#104;ttps://example.org", "is not a full address"),  # (a browser does not decode it in a source's url)
    ("", "the link is empty"),
])
def test_every_other_address_is_refused_naming_its_scheme(url: str, named: str) -> None:
    why = refusal(url)
    assert why is not None and named in why
    assert why.endswith("use an https://, http:// or mailto: address")
