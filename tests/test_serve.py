"""`deck preview --serve`: the live preview, run as the author runs it and watched in a real browser."""

from __future__ import annotations

import base64
import http.client
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.wait import WebDriverWait

from deck import pipeline
from deck.cli import main
from deck.fields import Note
from deck.package import DeckTree
from deck.views import preview, serve
from tests.conftest import EXAMPLE_DECK
from tests.test_preview import DECK, SVG, browser, by_css, filter_by, shown_cards, write_deck

__all__ = ["browser"]  # the preview tests' headless Chromium, a fixture here too

SAVE_TO_PAGE = 3.0  # seconds the author may wait, at most, between a save and the updated page
ANSWER = "    answer: Less than 2 mm\n"  # the first card's answer, in EXAMPLE_DECK


@dataclass
class Served:
    process: subprocess.Popen[str]
    port: int
    deck: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def save(self, old: str, new: str) -> None:
        text = self.deck.read_text(encoding="utf-8")
        assert old in text
        self.deck.write_text(text.replace(old, new, 1), encoding="utf-8")

    def stop(self) -> tuple[int, str]:
        """Ctrl-C, as in a terminal: the exit status and what was said on stderr."""
        self.process.send_signal(signal.SIGINT)
        _, errors = self.process.communicate(timeout=10)
        return self.process.returncode, errors


@contextmanager
def running(deck: Path, cwd: Path | None = None) -> Iterator[tuple[Served, list[str]]]:
    """`deck preview --serve DECK`, once it says where it serves, and what it said until then;
    killed at the end unless a test stopped it."""
    process = subprocess.Popen([sys.executable, "-m", "deck", "preview", "--serve", str(deck)], cwd=cwd,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout is not None
    said: list[str] = []
    deadline = threading.Timer(60, process.kill)  # a server that never says where it is fails the test
    deadline.start()
    for line in process.stdout:  # (ends if the server stops)
        said.append(line)
        if match := re.search(r"^serving the preview at http://127\.0\.0\.1:(\d+)/ \(Ctrl-C stops\)$", line):
            break
    deadline.cancel()
    try:
        assert match, "".join(said) + process.communicate()[1]
        yield Served(process, int(match[1]), cwd / deck if cwd else deck), said
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate()


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    deck = write_deck(tmp_path, EXAMPLE_DECK + """\
  - id: shape
    question: "What shape is an ice pick scar? ![cross-section](images/v-shaped-scar.svg)"
    answer: A narrow, deep V
    deck: Definition
""")
    with running(Path(deck.name), tmp_path) as (served, _):
        yield served


def page_text(driver: WebDriver) -> str:
    return driver.execute_script("return document.body.textContent")


def wait_for(driver: WebDriver, text: str, present: bool = True) -> None:
    WebDriverWait(driver, SAVE_TO_PAGE, poll_frequency=0.05).until(lambda _: (text in page_text(driver)) == present)


def test_the_page_follows_each_save_and_shows_the_deck_s_errors(served: Served, browser: WebDriver) -> None:
    browser.get(served.url)
    assert shown_cards(browser) == ["width", "shape", "cross", "cross", "tca", "tca"]

    served.save(ANSWER, "    answer: Under 2 mm\n")
    wait_for(browser, "Under 2 mm")
    assert "Less than 2 mm" not in page_text(browser)

    # A misspelt key, written as markup: shown as text, where it is, above the last valid cards.
    text = served.deck.read_text(encoding="utf-8")
    line = text[:text.index("    answer: Under 2 mm")].count("\n") + 1
    served.save("    answer: Under 2 mm\n", "    <b>anwser</b>: Under 2 mm\n")
    wait_for(browser, f"cards.yaml:{line}:5: error: ")
    [banner] = by_css(browser, "#deck-problems")
    assert "unknown key '<b>anwser</b>'" in banner.text
    assert not banner.find_elements("css selector", "pre b")
    assert shown_cards(browser) == ["width", "shape", "cross", "cross", "tca", "tca"]

    served.save("    <b>anwser</b>: Under 2 mm\n", "    answer: Under 2 mm, fixed\n")
    wait_for(browser, "Under 2 mm, fixed")
    assert not by_css(browser, "#deck-problems")
    assert shown_cards(browser) == ["width", "shape", "cross", "cross", "tca", "tca"]

    filter_by(browser, "tag:morphology")
    assert shown_cards(browser) == ["width"]
    served.save("Under 2 mm, fixed", "Under 2 mm, filtered")
    wait_for(browser, "Under 2 mm, filtered")
    assert browser.find_element("id", "filter").get_attribute("value") == "tag:morphology"
    assert shown_cards(browser) == ["width"]

    status, errors = served.stop()
    assert (status, errors) == (0, "")


def get(port: int, path: str, host: str | None = None) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    connection.request("GET", path, headers={"Host": f"127.0.0.1:{port}" if host is None else host})
    response = connection.getresponse()
    try:
        return response.status, response.read().decode()
    finally:
        connection.close()


def served_page(port: int, done: Callable[[str], bool]) -> str:
    """The page once `done` says it is updated (or after SAVE_TO_PAGE seconds), fetched as a browser does."""
    deadline = time.monotonic() + SAVE_TO_PAGE
    while not done(page := get(port, "/")[1]) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert done(page)
    return page


def test_a_changed_picture_is_shown(served: Served) -> None:
    new = SVG.replace(b"#f1cdb8", b"#00ff00")
    (served.deck.parent / "images" / "v-shaped-scar.svg").write_bytes(new)
    served_page(served.port, lambda page: base64.b64encode(new).decode() in page)


def test_it_listens_on_loopback_alone_and_answers_only_for_itself(served: Served) -> None:
    port = served.port
    assert get(port, "/")[0] == get(port, "/", f"localhost:{port}")[0] == 200
    # Linux routes all of 127.0.0.0/8 to this machine: a server on 0.0.0.0 would answer here.
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.2", port), timeout=5).close()
    # A page elsewhere whose name resolves to 127.0.0.1 (DNS rebinding) sends its own name.
    for host in ("attacker.example", f"attacker.example:{port}", f"127.0.0.1:{port + 1}", ""):
        assert get(port, "/", host)[0] == 403
    for path in ("/cards.yaml", "/images/v-shaped-scar.svg", "/../cards.yaml", "/%2e%2e/cards.yaml", "/index.html"):
        status, body = get(port, path)
        assert status == 404 and "deck:" not in body and "<svg" not in body
    assert served.stop() == (0, "")


def test_a_deck_broken_from_the_start_shows_its_errors_then_its_cards(tmp_path: Path) -> None:
    deck = write_deck(tmp_path, EXAMPLE_DECK.replace(ANSWER, ""))
    with running(deck) as (served, said):
        line = EXAMPLE_DECK.split("\n").index("  - id: width") + 1
        assert said[:-1] == [f"{deck}:{line}:5: error: card 'width': 'answer' is required\n",
                                f"{deck}: 1 problem, shown above the last valid cards\n"]
        status, body = get(served.port, "/")
        assert status == 200 and f"{deck}:{line}:5: error: card &#x27;width&#x27;" in body
        assert "no valid version has been seen yet" in body and 'class="flashcard"' not in body
        served.save("    extra: Narrow", ANSWER + "    extra: Narrow")
        body = served_page(served.port, lambda page: 'class="flashcard"' in page)
        assert 'id="deck-problems"' not in body
        assert served.stop() == (0, "")


@pytest.mark.parametrize(("arguments", "message"), [
    (["--port", "8000"], "--port is for --serve"),
    (["--serve", "-o", "page.html"], "--serve writes no file; leave out -o/--output"),
    (["--serve", "--port", "70000"], "70000 is not in the range 0<=x<=65535"),
])
def test_serving_options_are_checked(tmp_path: Path, arguments: list[str], message: str) -> None:
    deck = write_deck(tmp_path, EXAMPLE_DECK)
    result = CliRunner().invoke(main, ["preview", str(deck), *arguments])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert not (tmp_path / "page.html").exists()


def test_a_port_in_use_is_refused_with_what_to_do(tmp_path: Path) -> None:
    deck = write_deck(tmp_path, EXAMPLE_DECK)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run([sys.executable, "-m", "deck", "preview", "--serve", "--port", str(port), str(deck)],
                                capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert result.stderr == (f"Error: cannot serve on 127.0.0.1:{port}: Address already in use; choose another "
                             "--port, or leave it out for a free one\n")


def test_a_save_renders_only_the_notes_it_changed_and_the_page_is_as_rendered_afresh(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    deck = write_deck(tmp_path, DECK)
    rendered = serve.Rendered()
    packaged: list[list[str]] = []  # the cards of each package rendered by Anki
    write = preview.write

    def counted(tree: DeckTree, notes: list[Note], *rest: Any) -> None:
        packaged.append([note.card_id for note in notes])
        write(tree, notes, *rest)

    monkeypatch.setattr(preview, "write", counted)
    picture = tmp_path / "images" / "v-shaped-scar.svg"
    KEPT = ["width", "cross", "tca", "shape", "acid"]  # noqa: N806 (the deck's cards, once 'common' is removed)
    edits = [
        ("nothing", lambda: None, []),
        ("an answer", lambda: deck.write_text(deck.read_text().replace("Less than 2 mm", "Under 2 mm")), ["width"]),
        ("a card moved to another deck", lambda: deck.write_text(deck.read_text().replace(
            "    tags: [treatment]\n    deck: Treatments", "    tags: [treatment]\n    deck: Definition")), ["acid"]),
        ("a card removed", lambda: deck.write_text(deck.read_text().replace(DECK[DECK.index("  - id: common"):], "")),
         []),
        ("the description", lambda: deck.write_text(deck.read_text().replace("about **scars**", "about *scars*")), []),
        ("a picture", lambda: picture.write_bytes(SVG.replace(b"#f1cdb8", b"#00ff00")), KEPT),
        ("the deck's name", lambda: deck.write_text(deck.read_text().replace('"Dermatology::Scars"', "Scars")), KEPT),
    ]
    preview.page(pipeline.check(str(deck)), rendered)
    for change, edit, rerendered in edits:
        edit()
        checked = pipeline.check(str(deck))
        packaged.clear()
        assert preview.page(checked, rendered) == preview.page(checked), change
        assert packaged == [rerendered, [note.card_id for note in checked.notes]], change
