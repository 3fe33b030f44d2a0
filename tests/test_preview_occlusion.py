"""`deck preview` of image occlusion cards: the masks Anki's reviewer would draw, drawn without it,
checked in the page's HTML against what Anki rendered, and in Chromium by the pixels shown."""

from __future__ import annotations

import io
from html.parser import HTMLParser
from pathlib import Path

import pytest
from PIL import Image
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement

from deck.views import preview
from tests.conftest import deck_file
from tests.test_preview import browser, by_css, screenshot
from tests.test_serve import running, served_page

__all__ = ["browser"]  # the preview tests' headless Chromium, a fixture here too

GREEN = (60, 140, 80)  # the whole picture
PICTURE = (b'<svg xmlns="http://www.w3.org/2000/svg" width="400" height="200">'
           b'<rect width="400" height="200" fill="#3c8c50"/></svg>\n')
ACTIVE, INACTIVE, OUTLINE = (255, 142, 142), (255, 235, 162), (255, 142, 142)  # Anki's colours (review.ts)

DECK = """\
deck: {id: pictures, name: Pictures}
sources:
  article: {title: Ice pick scars, url: "https://example.org/article"}
cards:
  - id: layers
    type: image-occlusion
    image: images/skin.svg
    header: "Name the *layer*"
    extra: Only the top layer heals flat.
    source: article
    masks:
      - {shape: rect, left: 0.05, top: 0.10, width: 0.25, height: 0.30}
      - {shape: ellipse, left: 0.40, top: 0.45, width: 0.20, height: 0.40, card: 2}
      - {shape: polygon, points: [[0.70, 0.10], [0.95, 0.10], [0.82, 0.35]], card: 2}
  - id: alone
    type: image-occlusion
    image: images/skin.svg
    hide: one
    masks:
      - {shape: rect, left: 0.10, top: 0.20, width: 0.30, height: 0.40, card: 3}
      - {shape: rect, left: 0.60, top: 0.20, width: 0.30, height: 0.40}
"""

# Each card's masks as drawn, in the deck file's order: (SVG element, class, its coordinates).
RECT = ("rect", {"x": "0.05", "y": "0.1", "width": "0.25", "height": "0.3"})
ELLIPSE = ("ellipse", {"cx": "0.5", "cy": "0.65", "rx": "0.1", "ry": "0.2"})
POLYGON = ("polygon", {"points": "0.7,0.1 0.95,0.1 0.82,0.35"})
LEFT = ("rect", {"x": "0.1", "y": "0.2", "width": "0.3", "height": "0.4"})
RIGHT = ("rect", {"x": "0.6", "y": "0.2", "width": "0.3", "height": "0.4"})
CARDS = [  # (card id, its masks on the front, on the back)
    ("layers", [("active", RECT), ("inactive", ELLIPSE), ("inactive", POLYGON)],
     [("highlight", RECT), ("inactive", ELLIPSE), ("inactive", POLYGON)]),
    ("layers", [("inactive", RECT), ("active", ELLIPSE), ("active", POLYGON)],
     [("inactive", RECT), ("highlight", ELLIPSE), ("highlight", POLYGON)]),
    ("alone", [("active", RIGHT)], [("highlight", RIGHT)]),  # card 1: the mask without a number
    ("alone", [("active", LEFT)], [("highlight", LEFT)]),  # card 3
]
# How Anki's reviewer draws the shapes its template's cloze divs name (review.ts, drawShapes).
ANKI_DRAWS = {"cloze": "active", "cloze-inactive": "inactive", "cloze-highlight": "highlight"}


def write_deck(folder: Path, text: str = DECK) -> Path:
    (folder / "images").mkdir(exist_ok=True)
    (folder / "images" / "skin.svg").write_bytes(PICTURE)
    return deck_file(folder, text)


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("occlusion")
    out = folder / "preview.html"
    checked = preview.write_preview(str(write_deck(folder)), out)
    assert checked.ok, [problem.format() for problem in checked.problems]
    return out


class _Sides(HTMLParser):
    """Each card's sides as parsed: the shapes in its SVG and the shapes Anki's template names."""

    def __init__(self) -> None:
        super().__init__()
        self.cards: list[tuple[str, dict[str, dict[str, list]]]] = []  # (card id, {side: {what: [...]}})
        self.scripts = 0
        self._side = ""
        self._in_svg = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = {name: value or "" for name, value in attrs}
        if tag == "article":
            self.cards.append((named["data-card"], {}))
        elif tag == "div" and named.get("class") in ("front", "back"):
            self._side = named["class"]
            self.cards[-1][1][self._side] = {"svg": [], "anki": [], "svgs": []}
        elif tag == "svg":
            self._in_svg = True
            self.cards[-1][1][self._side]["svgs"].append(named)
        elif self._in_svg:
            role = named.pop("class")
            self.cards[-1][1][self._side]["svg"].append((role, (tag, named)))
        elif named.get("class") in ANKI_DRAWS and "data-shape" in named:
            self.cards[-1][1][self._side]["anki"].append(
                (named["class"], named["data-shape"], named.get("data-occludeinactive") == "1"))
        self.scripts += tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_svg = self._in_svg and tag != "svg"


def parsed(html: str) -> _Sides:
    sides = _Sides()
    sides.feed(html)
    return sides


def test_each_card_shows_its_masks_the_asked_ones_highlighted(page: Path) -> None:
    html = page.read_text(encoding="utf-8")
    sides = parsed(html)
    assert [(card_id, card["front"]["svg"], card["back"]["svg"]) for card_id, card in sides.cards] == CARDS
    for _, card in sides.cards:
        for side in card.values():
            # One SVG over the picture, its viewBox the picture's fractions, stretched with it.
            assert side["svgs"] == [{"id": "image-occlusion-canvas", "viewbox": "0 0 1 1",
                                     "preserveaspectratio": "none"}]
            # What it draws is what Anki's reviewer draws of the shapes Anki's template gave it.
            assert [(role, shape) for role, (shape, _) in side["svg"]] == [
                (ANKI_DRAWS[kind], shape) for kind, shape, covers in side["anki"] if kind != "cloze-inactive" or covers]


def test_the_page_runs_no_script_of_anki_s_and_keeps_its_policy(page: Path) -> None:
    html = page.read_text(encoding="utf-8")
    assert parsed(html).scripts == 1  # the page's own filter and answer buttons
    assert "anki.imageOcclusion" not in html and "<canvas" not in html and "Toggle Masks" not in html
    assert ('<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; img-src data:; media-src data:; '
            "style-src 'unsafe-inline'; script-src 'unsafe-inline'\">") in html
    back = html.split('<div class="back">')[1].split("<footer>")[0]  # the first card's back
    assert "Name the <em>layer</em>" in back and '<div class="extra">Only the top layer heals flat.</div>' in back
    assert '<div class="source">“Ice pick scars”. <a href="https://example.org/article">' in back


def test_the_live_preview_draws_the_masks_and_follows_a_moved_mask(tmp_path: Path) -> None:
    deck = write_deck(tmp_path)
    with running(deck) as (served, _):
        page = served_page(served.port, lambda page: "<svg" in page)
        assert [card["front"]["svg"] for _, card in parsed(page).cards] == [front for _, front, _ in CARDS]
        served.save("left: 0.60", "left: 0.65")
        page = served_page(served.port, lambda page: 'x="0.65"' in page)
        assert [card["back"]["svg"] for _, card in parsed(page).cards][2:] == [
            [("highlight", ("rect", {**RIGHT[1], "x": "0.65"}))], [("highlight", LEFT)]]


# --- in a browser ---------------------------------------------------------------------------------

def picture(driver: WebDriver, card: WebElement, side: str) -> Image.Image:
    """The picture with its masks on `side` of `card` as Chromium shows it, scrolled to the middle
    of the window (a screenshot of the element alone could catch it under the sticky filter bar)."""
    [container] = card.find_elements(By.CSS_SELECTOR, f".{side} #image-occlusion-container")
    box = driver.execute_script("arguments[0].scrollIntoView({block: 'center'}); "
                                "const box = arguments[0].getBoundingClientRect(); "
                                "return [box.left, box.top, box.right, box.bottom];", container)
    window = Image.open(io.BytesIO(driver.get_screenshot_as_png())).convert("RGB")
    return window.crop(tuple(round(edge) for edge in box))


def at(image: Image.Image, x: float, y: float) -> tuple[int, int, int]:
    """The colour at a place given in fractions of the picture, as masks are."""
    return image.getpixel((int(x * image.width), int(y * image.height)))


def near(colour: tuple[int, int, int], wanted: tuple[int, int, int]) -> bool:
    return all(abs(a - b) <= 3 for a, b in zip(colour, wanted))


def test_chromium_shows_the_masks_on_the_front_and_the_picture_under_the_asked_one_on_the_back(
        browser: WebDriver, page: Path) -> None:
    browser.get(page.as_uri())
    first, second, alone, _ = by_css(browser, ".flashcard")
    front = picture(browser, first, "front")
    assert front.size == (400, 200)  # the picture in its own size, the masks over it
    assert near(at(front, 0.175, 0.25), ACTIVE)  # the rect, asked
    assert near(at(front, 0.5, 0.65), INACTIVE) and near(at(front, 0.82, 0.2), INACTIVE)  # the others cover
    assert near(at(front, 0.5, 0.2), GREEN)  # no mask there
    assert near(at(picture(browser, second, "front"), 0.5, 0.65), ACTIVE)  # card 2 asks the ellipse
    assert near(at(picture(browser, alone, "front"), 0.25, 0.4), GREEN)  # hide: one covers the asked alone
    screenshot(browser, "preview-occlusion-front.png")
    for card in (first, alone):
        card.find_element(By.CSS_SELECTOR, "button.reveal").click()
    back = picture(browser, first, "back")
    assert near(at(back, 0.175, 0.25), GREEN)  # the asked part revealed,
    # outlined (its 1-pixel line, falling between two pixels, at least half of each),
    assert max(at(back, 0.05 + dx / 400, 0.25)[0] for dx in (-1, 0, 1)) >= (GREEN[0] + OUTLINE[0]) / 2 - 3
    assert near(at(back, 0.5, 0.65), INACTIVE)  # and the others still covered, as in Anki
    assert near(at(picture(browser, alone, "back"), 0.75, 0.4), GREEN)
    screenshot(browser, "preview-occlusion-back.png")
