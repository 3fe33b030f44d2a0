"""A seeded mutation loop over hostile decks, through the real command: whatever a careless or hostile
author writes, `deck build` exits 0, 1 or 2 without a traceback, every line it writes to standard error
is one located problem or the summary, and every package it builds imports into Anki showing nothing
that runs, plays or reaches out.

The loop is seeded (the same mutants on every run) and bounded in count and in time.
"""

from __future__ import annotations

import random
import re
import time
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

from anki.collection import Collection
from click.testing import CliRunner

from deck.cli import main
from deck.notetypes import IMAGE_OCCLUSION
from tests.conftest import EXAMPLE_DECK, import_package

SEED = 16
MUTANTS = 400
SECONDS = 60  # a bound on a slow machine; the loop normally ends by its count

# What authors paste, mean or not: active links, Anki's own markup, HTML that runs, text that
# would forge a diagnostic or drive a terminal.
PAYLOADS = [
    "javascript:alert(1)", " javascript:alert(1)", "java\tscript:alert(1)", "JaVaScRiPt:alert(1)",
    "&#106;avascript:alert(1)", "data:text/html,<script>alert(1)</script>", "vbscript:msgbox(1)",
    "file:///etc/passwd", "//example.invalid/x",
    "[link](javascript:alert(1))", "<javascript:alert(1)>", "[x](data:text/html,x)", "[x](//example.invalid)",
    '<a href="javascript:alert(1)">x</a>', '<a href=" java&#x09;script:alert(1)">x</a>',
    "<script>alert(1)</script>", '<img src="x" onerror="alert(1)">', '<b onclick="alert(1)">x</b>',
    "<iframe src=//example.invalid>", "<svg onload=alert(1)>", "<style>*{}</style>",
    "[sound:http://example.invalid/x.mp3]", "[sound:../../etc/passwd]", "[[type:Back]]", "[anki:play:q:0]",
    "{{Front}}", "{{c1::x}}", "{{type:Back}}", "[latex]x[/latex]",
    "a\x1b]0;pwned\x07b", "a\nfake.yaml:1:1: error: forged", "a\u2028fake.yaml:1:1: error: forged",
    "a\x85fake.yaml:1:1: error: forged", "a\u202eb", "\r\nfake.yaml:2:2: error: forged",
]
# The example deck and a picture card, whose picture each mutant's folder has.
BASE_DECK = EXAMPLE_DECK + """\
  - id: layers
    type: image-occlusion
    image: skin.svg
    header: Name the *layer*
    masks:
      - {shape: rect, left: 0.1, top: 0.1, width: 0.3, height: 0.2}
      - {shape: ellipse, left: 0.5, top: 0.5, width: 0.2, height: 0.1, card: 1}
    extra: The top layer is the epidermis.
    source: huizen-2019
    deck: Definition
"""
PICTURE = b'<svg xmlns="http://www.w3.org/2000/svg" width="100" height="60"><rect width="100" height="60"/></svg>'
# Anki's own call that draws a picture card's masks: the one script a card may have (notetypes.py).
OWN_SCRIPT = re.search(r"(?s)<script>.*?</script>", IMAGE_OCCLUSION.templates[0][1]).group(0)  # type: ignore[union-attr]
# Values a payload can replace, as they stand in the base deck.
TARGETS = [
    "width", "How wide is a typical ice pick scar?", "Less than 2 mm", "Narrow but *deep*.", "morphology",
    "https://www.medicalnewstoday.com/articles/325285.php", "How to get rid of ice pick scars", "Definition",
    "CROSS", "Chemical reconstruction of skin scars", "25%", "From a 2015 review.", "huizen-2019",
    "Cards about **scars**.", "Dermatology::Scars",
    "skin.svg", "Name the *layer*", "The top layer is the epidermis.", "ellipse", "0.3",
]

# One line of standard error: a located problem, or the summary that ends the report.
PROBLEM_LINE = re.compile(r"^[^\n]+:\d+:\d+: (?:error|warning): [^\n]*$")
SUMMARY_LINE = re.compile(r"^[^\n]+: \d+ (?:error|warning)s?(?:, \d+ warnings?)?$")


def _quoted(payload: str) -> str:
    """A payload as a double-quoted YAML scalar (JSON escapes are YAML's), so it arrives as typed."""
    return '"' + payload.replace("\\", "\\\\").replace('"', '\\"').encode("unicode_escape").decode("ascii") + '"'


def mutant(rng: random.Random) -> str:
    """The base deck with one to three payloads in place of its values, and now and then one
    blunt edit of its text (a line dropped or doubled, a character inserted)."""
    text = BASE_DECK
    for _ in range(rng.randint(1, 3)):
        target, payload = rng.choice(TARGETS), rng.choice(PAYLOADS)
        if target in text:
            start = text.index(target)
            quoted = text[start - 1] == '"'
            if quoted:  # replace the whole quoted value
                end = text.index('"', start)
                text = text[:start - 1] + _quoted(payload) + text[end + 1:]
            else:
                text = text[:start] + _quoted(payload) + text[start + len(target):]
    if rng.random() < 0.3:
        lines = text.split("\n")
        index = rng.randrange(len(lines))
        edit = rng.choice(["drop", "double", "insert"])
        if edit == "drop":
            del lines[index]
        elif edit == "double":
            lines.insert(index, lines[index])
        else:
            position = rng.randrange(len(lines[index]) + 1)
            lines[index] = lines[index][:position] + rng.choice([":", "\t", "'", '"', "{", "- ", "#", "&a "]) + \
                lines[index][position:]
        text = "\n".join(lines)
    return text


class _Active(HTMLParser):
    """What in a card's HTML would run code, fetch, or open something other than a web or mail link."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "iframe", "object", "embed"):
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"{name}= on <{tag}>")
            if name in ("href", "src", "action", "formaction", "xlink:href") and value is not None:
                address = re.sub(r"[\x00-\x20]", "", unescape(value)).lower()
                scheme = re.match(r"^([a-z][a-z0-9+.-]*):", address)
                if address.startswith("//") or (scheme and scheme.group(1) not in ("http", "https", "mailto")):
                    self.found.append(f"{name}={value!r} on <{tag}>")


def active_content(html: str) -> list[str]:
    """Active content in a card as Anki renders it, the note type's own <style> and a picture card's
    own script aside."""
    html = re.sub(r"(?s)<style>.*?</style>", "", html).replace(OWN_SCRIPT, "", 1)
    parser = _Active()
    parser.feed(html)
    parser.close()
    found = parser.found
    found += ["[anki:play"] if "[anki:play" in html else []
    found += ["typing box"] if 'id="typeans"' in html or "id=typeans" in html else []
    return found


def test_mutated_decks_build_safely_or_fail_cleanly(tmp_path: Path) -> None:
    rng = random.Random(SEED)
    runner = CliRunner()
    started = time.monotonic()
    built = pictures = 0
    for number in range(MUTANTS):
        if time.monotonic() - started > SECONDS:
            break
        folder = tmp_path / f"m{number}"
        folder.mkdir()
        text = mutant(rng)
        (folder / "cards.yaml").write_text(text, encoding="utf-8")
        (folder / "skin.svg").write_bytes(PICTURE)
        out = folder / "out.apkg"
        result = runner.invoke(main, ["build", str(folder / "cards.yaml"), "-o", str(out)])
        context = f"mutant {number}:\n{text}\nstderr:\n{result.stderr}"
        assert result.exit_code in (0, 1, 2), context
        assert result.exception is None or isinstance(result.exception, SystemExit), context
        assert "Traceback" not in result.output + result.stderr, context
        lines = result.stderr.split("\n")[:-1]  # (each line ends with a line break)
        if result.exit_code == 1:
            assert lines and SUMMARY_LINE.match(lines[-1]), context
            assert all(PROBLEM_LINE.match(line) for line in lines[:-1]), context
            assert all(not re.search(r"[\x00-\x08\x0b-\x1f\x7f\x85\u2028\u2029]", line) for line in lines), context
        if result.exit_code != 0:
            assert not out.exists(), context
            continue
        built += 1
        collection = Collection(str(folder / "collection.anki2"))
        try:
            import_package(collection, out)
            pictures += len(collection.find_cards("note:deck-image-occlusion"))
            for card_id in collection.find_cards(""):
                card = collection.get_card(card_id)
                for side, html in (("question", card.question()), ("answer", card.answer())):
                    assert not active_content(html), f"{context}\n{side}: {active_content(html)}\n{html}"
        finally:
            collection.close()
    # The loop must have exercised both outcomes, and built picture cards, or it proves little.
    assert 0 < built < number + 1 and pictures, (built, pictures, number)
