"""`deck preview`: one self-contained page with every card as Anki renders it, tried in a real browser."""

from __future__ import annotations

import base64
import json
import re
import struct
import sys
import zlib
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement

from deck import files
from deck.views import preview
from tests.conftest import EXAMPLE_DECK, build, deck_file, import_package

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"


def _png() -> bytes:
    """A real 48x24 PNG, so that the browser can decode it (a header alone would not show)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\x00" + b"\xc8\x6e\x5a" * 48 for _ in range(24))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 48, 24, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


SVG = (b'<svg xmlns="http://www.w3.org/2000/svg" width="160" height="80"><rect width="160" height="80" '
       b'fill="#f1cdb8"/><path d="M70 0 L80 70 L90 0 Z" fill="#fff"/></svg>\n')
MP3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\x00" * 32

# The example deck (a basic, a reversed and a two-deletion cloze card), plus a picture card with
# sound, a type-in card and a card in the top deck itself: 8 Anki cards in 3 decks.
DECK = EXAMPLE_DECK + """\
  - id: shape
    question: "What shape is an ice pick scar in cross-section? ![cross-section](images/v-shaped-scar.svg)"
    answer: A narrow, deep V
    extra: "Compare: ![photo](images/dot.png)"
    audio: sounds/ice-pick.mp3
    tags: [morphology]
    deck: Definition
  - id: acid
    type: type-in
    question: Which acid does TCA CROSS use?
    answer: trichloroacetic acid
    tags: [treatment]
    deck: Treatments
  - id: common
    question: Which acne scars are the most common?
    answer: Ice pick scars
    source: huizen-2019
"""

# Anki's deck list order: the deck before its subdecks; within a deck, the deck file's order.
DECKS = {
    "Dermatology::Scars": ("Scars", ["common"]),
    "Dermatology::Scars::Definition": ("Definition", ["width", "shape"]),
    "Dermatology::Scars::Treatments": ("Treatments", ["cross", "cross", "tca", "tca", "acid"]),
}
ALL_CARDS = [card for _, cards in DECKS.values() for card in cards]


def write_deck(folder: Path, text: str = DECK) -> Path:
    for relative, data in (("images/v-shaped-scar.svg", SVG), ("images/dot.png", _png()),
                           ("sounds/ice-pick.mp3", MP3)):
        (folder / relative).parent.mkdir(parents=True, exist_ok=True)
        (folder / relative).write_bytes(data)
    return deck_file(folder, text)


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("preview")
    out = folder / "preview.html"
    checked = preview.write_preview(str(write_deck(folder)), out)
    assert checked.ok, [problem.format() for problem in checked.problems]
    return out


# --- the page as a file ---------------------------------------------------------------------------

class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def test_the_page_is_self_contained(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    parser = _Tags()
    parser.feed(text)
    tags = parser.tags
    assert not [attrs for tag, attrs in tags if tag == "link"]
    assert [attrs for tag, attrs in tags if tag == "script"] == [{}]  # one inline script, no src
    images = [attrs["src"] or "" for tag, attrs in tags if tag == "img"]
    assert len(images) == 3  # the SVG on the front and on the back (which repeats it), the PNG on the back
    assert all(src.startswith(("data:image/svg+xml;base64,", "data:image/png;base64,")) for src in images)
    assert [attrs["src"] for tag, attrs in tags if tag == "audio"] == [
        f"data:audio/mpeg;base64,{base64.b64encode(MP3).decode()}"]
    # Nothing is loaded from anywhere: only <a> links (the citations) point elsewhere.
    loaded = [(tag, name, value) for tag, attrs in tags for name, value in attrs.items()
              if name in {"src", "href", "srcset", "poster", "data", "action"} and tag != "a"]
    assert all(value.startswith("data:") for _, _, value in loaded if value), loaded
    links = {attrs["href"] for tag, attrs in tags if tag == "a"}
    assert links == {"https://www.medicalnewstoday.com/articles/325285.php"}
    assert not re.search(r"url\((?!\s*[\"']?data:)|@import", text)  # CSS loads nothing either
    assert "[[type:" not in text and "[anki:" not in text  # Anki's markers are all replaced


def test_names_and_tags_are_escaped(tmp_path: Path) -> None:
    text = DECK.replace('name: "Dermatology::Scars"', 'name: "Scars & <Marks>"').replace(
        "tags: [treatment]", "tags: [a&b, '<i>']")
    out = tmp_path / "preview.html"
    assert preview.write_preview(str(write_deck(tmp_path, text)), out).ok
    html = out.read_text(encoding="utf-8")
    assert "<h1>Scars &amp; &lt;Marks&gt;</h1>" in html
    assert 'data-tags="&lt;i&gt; a&amp;b"' in html  # Anki sorts tags
    assert '<button type="button" class="tag">&lt;i&gt;</button>' in html
    assert "<Marks>" not in html and "<i>" not in html


def test_an_invalid_deck_returns_its_problems_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "preview.html"
    text = DECK.replace("    answer: A narrow, deep V\n", "    anwser: A narrow, deep V\n")
    checked = preview.write_preview(str(write_deck(tmp_path, text)), out)
    assert not checked.ok
    assert [(problem.line, problem.code) for problem in checked.problems] == [
        (30, "missing-field"), (32, "unknown-key")]
    assert sorted(path.name for path in tmp_path.iterdir()) == ["cards.yaml", "images", "sounds"]


def test_without_anki_it_says_how_to_install_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "anki.collection", None)  # as if the package were not installed
    out = tmp_path / "preview.html"
    with pytest.raises(preview.PreviewError, match=r"pip install 'anki>=25.2'"):
        preview.write_preview(str(write_deck(tmp_path)), out)
    assert not out.exists()


def test_an_output_under_a_file_is_refused(tmp_path: Path) -> None:
    deck = write_deck(tmp_path)
    with pytest.raises(files.Refused, match="cannot write .*cards.yaml/preview.html: .*cards.yaml is not a folder"):
        preview.write_preview(str(deck), deck / "preview.html")


# --- the page in a browser ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebDriver]:
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        pytest.skip(f"needs {CHROMIUM} and {CHROMEDRIVER}: install Debian's chromium and chromium-driver "
                    "(apt-get install chromium chromium-driver)")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--window-size=1000,900", f"--user-data-dir={tmp_path_factory.mktemp('chromium')}"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})  # every network request
    driver = webdriver.Chrome(options=options, service=Service(executable_path=str(CHROMEDRIVER)))
    yield driver
    driver.quit()


@pytest.fixture
def opened(browser: WebDriver, page: Path) -> WebDriver:
    """The preview page, freshly loaded: nothing revealed, nothing filtered."""
    browser.get_log("performance")  # start each test's network log empty
    browser.get(page.as_uri())
    return browser


def by_css(driver: WebDriver, selector: str) -> list[WebElement]:
    return driver.find_elements(By.CSS_SELECTOR, selector)


def shown_cards(driver: WebDriver) -> list[str]:
    return [card.get_attribute("data-card") for card in by_css(driver, ".flashcard") if card.is_displayed()]


def card(driver: WebDriver, card_id: str, number: int = 0) -> WebElement:
    return by_css(driver, f'.flashcard[data-card="{card_id}"]')[number]


def filter_by(driver: WebDriver, text: str) -> None:
    [box] = by_css(driver, "#filter")
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys(Keys.BACKSPACE)  # typed like a user, so that each key fires an input event
    box.send_keys(text)


def screenshot(driver: WebDriver, name: str) -> Path:
    """Save the whole page, not just the window, as test-artifacts/NAME."""
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": 1000, "height": height, "deviceScaleFactor": 1, "mobile": False})
    try:
        ARTIFACTS.mkdir(exist_ok=True)
        assert driver.save_screenshot(str(ARTIFACTS / name))
    finally:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    return ARTIFACTS / name


def test_every_card_is_shown_grouped_by_subdeck(opened: WebDriver) -> None:
    sections = by_css(opened, "section.subdeck")
    assert [section.get_attribute("data-deck") for section in sections] == list(DECKS)
    for section, (title, cards) in zip(sections, DECKS.values()):
        assert section.find_element(By.CSS_SELECTOR, "h2").text == title
        articles = section.find_elements(By.CSS_SELECTOR, ".flashcard")
        assert [article.get_attribute("data-card") for article in articles] == cards
    assert shown_cards(opened) == ALL_CARDS
    assert by_css(opened, "h1")[0].text == "Dermatology › Scars"
    assert by_css(opened, ".description")[0].text == "Cards about scars."
    assert by_css(opened, "#shown")[0].text == "8 of 8 cards"


def test_an_answer_shows_only_when_revealed(opened: WebDriver) -> None:
    width = card(opened, "width")
    front, back = width.find_element(By.CSS_SELECTOR, ".front"), width.find_element(By.CSS_SELECTOR, ".back")
    button = width.find_element(By.CSS_SELECTOR, "button.reveal")
    assert front.is_displayed() and not back.is_displayed()
    assert "Less than 2 mm" not in width.text
    button.click()
    assert back.is_displayed() and not front.is_displayed()
    assert "How wide is a typical ice pick scar?\nLess than 2 mm\nNarrow but deep." in back.text
    assert button.text == "Hide answer"
    assert not card(opened, "shape").find_element(By.CSS_SELECTOR, ".back").is_displayed()  # only this card
    button.click()
    assert front.is_displayed() and not back.is_displayed()


def test_show_all_answers_reveals_every_card(opened: WebDriver) -> None:
    by_css(opened, "#reveal-all")[0].click()
    assert all(back.is_displayed() for back in by_css(opened, ".back"))
    assert not any(front.is_displayed() for front in by_css(opened, ".front"))


def test_cloze_and_type_in_cards_look_as_in_anki(opened: WebDriver) -> None:
    by_css(opened, "#reveal-all")[0].click()
    first, second = card(opened, "tca", 0), card(opened, "tca", 1)
    assert first.get_attribute("data-text").startswith("one session improves scars by about [...]; repeat every")
    assert second.get_attribute("data-text").startswith(
        "one session improves scars by about 25%; repeat every [interval]")
    assert "about 25%; repeat every 2-4 weeks." in first.find_element(By.CSS_SELECTOR, ".back").text
    acid = card(opened, "acid")
    box = acid.find_element(By.CSS_SELECTOR, ".front input#typeans")
    assert box.get_attribute("disabled") is not None and box.get_attribute("type") == "text"
    assert acid.find_element(By.CSS_SELECTOR, ".back code#typeans").text == "trichloroacetic acid"
    reversed_back = card(opened, "cross", 1).find_element(By.CSS_SELECTOR, ".back").text
    assert reversed_back.startswith("Chemical reconstruction of skin scars\nCROSS")


def test_pictures_and_sound_are_embedded_and_work(opened: WebDriver) -> None:
    by_css(opened, "#reveal-all")[0].click()
    images = by_css(opened, "img")
    assert len(images) == 3
    for image in images:
        assert image.get_attribute("src").startswith("data:image/")
        assert opened.execute_script("return arguments[0].complete && arguments[0].naturalWidth", image) > 0
    [audio] = by_css(opened, ".flashcard[data-card=shape] .back audio[controls]")
    assert audio.get_attribute("src").startswith("data:audio/mpeg;base64,")


def test_the_filter_hides_cards_by_tag_and_by_text(opened: WebDriver) -> None:
    filter_by(opened, "morphology")
    assert shown_cards(opened) == ["width", "shape"]
    assert [section.get_attribute("data-deck") for section in by_css(opened, "section.subdeck")
            if section.is_displayed()] == ["Dermatology::Scars::Definition"]
    assert by_css(opened, "#shown")[0].text == "2 of 8 cards"
    filter_by(opened, "tag:scars")  # a tag and the tags below it, as in Anki's search
    assert shown_cards(opened) == ["width"]
    filter_by(opened, "Chemical RECONSTRUCTION")
    assert shown_cards(opened) == ["cross", "cross"]
    filter_by(opened, "acid cross")  # every word must match
    assert shown_cards(opened) == ["acid"]
    filter_by(opened, "no such text")
    assert shown_cards(opened) == [] and by_css(opened, "#shown")[0].text == "0 of 8 cards"
    filter_by(opened, "")
    assert shown_cards(opened) == ALL_CARDS


def test_clicking_a_tag_filters_by_it(opened: WebDriver) -> None:
    card(opened, "acid").find_element(By.CSS_SELECTOR, "button.tag").click()
    assert by_css(opened, "#filter")[0].get_attribute("value") == "tag:treatment"
    assert shown_cards(opened) == ["acid"]


def test_the_page_makes_no_network_request(opened: WebDriver) -> None:
    by_css(opened, "#reveal-all")[0].click()  # shows every picture and player
    requested = [message["params"]["request"]["url"]
                 for message in (json.loads(entry["message"])["message"] for entry in opened.get_log("performance"))
                 if message["method"] == "Network.requestWillBeSent"]
    assert any(url.startswith("file:") for url in requested)  # the log does see requests: the page itself
    assert all(url.startswith(("file:", "data:")) for url in requested), requested
    resources = opened.execute_script("return performance.getEntriesByType('resource').map(entry => entry.name)")
    assert all(url.startswith(("file:", "data:")) for url in resources), resources


def test_print_shows_every_front_and_back_and_no_controls(opened: WebDriver) -> None:
    opened.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        assert all(side.is_displayed() for side in by_css(opened, ".front, .back"))
        assert not any(control.is_displayed() for control in by_css(opened, "#filter, #reveal-all, button, audio"))
        assert {opened.execute_script("return getComputedStyle(arguments[0]).breakInside", element)
                for element in by_css(opened, ".flashcard")} == {"avoid"}
        # The back repeats the front above Anki's <hr id="answer">; the handout prints it once.
        width = card(opened, "width")
        assert width.find_element(By.CSS_SELECTOR, ".front").text == "How wide is a typical ice pick scar?"
        assert width.find_element(By.CSS_SELECTOR, ".back").text.startswith("Less than 2 mm")
        screenshot(opened, "preview-print.png")
    finally:
        opened.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})


def test_screenshot(opened: WebDriver) -> None:
    """Keeps test-artifacts/preview.png: the page with the first card's answer revealed."""
    card(opened, "common").find_element(By.CSS_SELECTOR, "button.reveal").click()
    assert screenshot(opened, "preview.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_a_table_in_an_answer_has_a_bold_header_and_plain_cells_in_anki(browser: WebDriver, tmp_path: Path,
                                                                         collection) -> None:
    """The answer is bold, but a table's body is not, or its header would look like every other row."""
    package = build(tmp_path, """\
        deck: {id: t, name: T}
        cards:
          - id: doses
            question: How many sessions, and how far apart?
            answer: "Usually:\\n\\n| sessions | apart |\\n|---|---|\\n| 3 | 4 weeks |"
        """)
    import_package(collection, package)
    [card_id] = collection.find_cards("")
    page = tmp_path / "card.html"  # as Anki's reviewer shows a card: its HTML, with the note type's <style>
    page.write_text(f'<!doctype html><body class="card">{collection.get_card(card_id).answer()}</body>')
    browser.get(page.as_uri())
    weight = "return getComputedStyle(document.querySelector(arguments[0])).fontWeight"
    assert [browser.execute_script(weight, selector) for selector in (".answer p", ".answer th", ".answer td")] == [
        "600", "700", "400"]
