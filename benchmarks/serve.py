"""Time `deck preview --serve` from a save to the updated page in a browser, on the reference deck.

    python benchmarks/serve.py           # the reference deck at 30,000 cards (see generate.py)
    python benchmarks/serve.py 1000      # at another size

Starts `python -m deck preview --serve` on a generated deck, opens its page in headless Chromium
(as tests/test_preview.py does), then saves the deck file REPEATS times each way and measures, from
the moment the file is written: when the server has checked the deck and holds the new page (it
prints a line then), and when the open page shows it (the browser polled every 20 ms). Each save
either changes one card's answer (the page shows the new text) or breaks a card (the page shows the
located error above the last valid cards; a deck with an error is read a second time, with
positions). Prints a Markdown table of the medians.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from generate import generate
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.support.wait import WebDriverWait

REPEATS = 3
CARD = "card-2"  # a basic card: '  - id: card-2', its question, then its answer
SHOWS_TEXT = ("const card = document.querySelector('.flashcard[data-card=\"card-2\"]');"
              "return !!card && card.textContent.includes(arguments[0]);")
SHOWS_ERROR = ("const problems = document.getElementById('deck-problems');"
               "return !!problems && problems.textContent.includes(arguments[0]);")


def browser(profile: Path) -> webdriver.Chrome:
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                     "--disable-background-networking", f"--user-data-dir={profile}"):
        options.add_argument(argument)
    return webdriver.Chrome(options=options, service=Service(executable_path="/usr/bin/chromedriver"))


class Server:
    """`deck preview --serve` and the times at which it said each line."""

    def __init__(self, deck: Path) -> None:
        self.process = subprocess.Popen([sys.executable, "-m", "deck", "preview", "--serve", str(deck)],
                                        stdout=subprocess.PIPE, text=True)
        self.started = time.perf_counter()
        self.lines: list[tuple[float, str]] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append((time.perf_counter(), line))

    def said(self, text: str, after: float, timeout: float = 300) -> float:
        """When the server said a line holding `text`, after `after`."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            for at, line in list(self.lines):
                if at > after and text in line:
                    return at
            time.sleep(0.005)
        raise TimeoutError(f"the server did not say {text!r}")


def measure(count: int) -> list[tuple[str, float, float]]:
    with tempfile.TemporaryDirectory(prefix="deck-serve-bench-") as folder:
        deck = Path(folder) / "cards.yaml"
        text = generate(count)
        deck.write_text(text, encoding="utf-8")
        answer = text.index("    answer: ", text.index(f"  - id: {CARD}\n"))
        server = Server(deck)
        driver = browser(Path(folder) / "chromium")
        try:
            started = server.said("serving the preview at ", 0)
            url = server.lines[-1][1].split(" at ", 1)[1].split()[0]
            driver.get(url)
            print(f"the server started serving {started - server.started:.1f} s after it was started; "
                  f"the page is {len(driver.page_source) / 1e6:.0f} MB", file=sys.stderr)
            rows = []
            for number in range(REPEATS):
                for label, edit, script, expected, said in (
                        ("an answer changed", f"    answer: edited {number} ", SHOWS_TEXT, f"edited {number}",
                         "page updated"),
                        ("a card broken (a misspelt key)", "    anwser: ", SHOWS_ERROR, "unknown key 'anwser'",
                         "shown above the last valid cards")):
                    saved = time.perf_counter()
                    deck.write_text(text[:answer] + edit + text[answer + len("    answer: "):], encoding="utf-8")
                    WebDriverWait(driver, 300, poll_frequency=0.02).until(lambda d: d.execute_script(script, expected))
                    shown = time.perf_counter()
                    rows.append((label, server.said(said, saved) - saved, shown - saved))
            return rows
        finally:
            driver.quit()
            server.process.terminate()
            server.process.wait()


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 30_000
    rows = measure(count)
    print(f"| {count:,} cards, save to ... (median of {REPEATS}) | server has the new page | the open page shows it |")
    print("|---|---:|---:|")
    for label in dict.fromkeys(label for label, _, _ in rows):
        checked = statistics.median(row[1] for row in rows if row[0] == label)
        shown = statistics.median(row[2] for row in rows if row[0] == label)
        print(f"| {label} | {checked:.2f} s | {shown:.2f} s |")


if __name__ == "__main__":
    main()
