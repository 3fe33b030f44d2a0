"""Time `deck build` and `deck validate` on synthetic decks, against a naive script and raw genanki.

    python benchmarks/run.py                 # 1k, 10k, 30k and 100k cards
    python benchmarks/run.py 1000 10000      # chosen sizes

Each measurement runs in its own Python process, so peak memory (max RSS) is that run's alone, and
is repeated (REPEATS): the table shows the median time, since a shared machine's timings wander.
Prints a Markdown table: wall seconds, peak RSS, cards per second, how many times faster than the
naive script (PyYAML's C loader + genanki, no validation) a build is, and our build time as a ratio
to genanki's writing alone.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from generate import generate

# Each snippet runs in a fresh interpreter, reads the deck at argv[1], and prints JSON.
_MEASURE = """
import json, resource, sys, time
started = time.perf_counter()
{body}
print(json.dumps({{"seconds": time.perf_counter() - started,
                   "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""

# The commands as a user runs them (deck.cli), minus the interpreter's own start.
DECK_BUILD = """
from deck.cli import main
assert main(["build", sys.argv[1], "-o", sys.argv[1] + ".apkg"], standalone_mode=False) is None
"""

DECK_VALIDATE = """
from deck.cli import main
assert main(["validate", sys.argv[1]], standalone_mode=False) is None
"""

NAIVE = """
import genanki, yaml
data = yaml.load(open(sys.argv[1], encoding="utf-8"), Loader=yaml.CLoader)
model = genanki.Model(1607392319, "Basic", fields=[{"name": "Front"}, {"name": "Back"}],
                      templates=[{"name": "Card 1", "qfmt": "{{Front}}", "afmt": "{{Back}}"}])
deck = genanki.Deck(2059400110, data["deck"]["name"])
for card in data["cards"]:
    fields = [card.get("question") or card.get("text"), card.get("answer") or ""]
    deck.add_note(genanki.Note(model=model, fields=fields, tags=card.get("tags", []), guid=card["id"]))
genanki.Package(deck).write_to_file(sys.argv[1] + ".naive.apkg")
"""

# genanki's writing alone: the notes are made before the clock starts.
GENANKI_ONLY = """
import genanki, yaml
data = yaml.load(open(sys.argv[1], encoding="utf-8"), Loader=yaml.CLoader)
model = genanki.Model(1607392319, "Basic", fields=[{"name": "Front"}, {"name": "Back"}],
                      templates=[{"name": "Card 1", "qfmt": "{{Front}}", "afmt": "{{Back}}"}])
deck = genanki.Deck(2059400110, "Benchmark")
for card in data["cards"]:
    deck.add_note(genanki.Note(model=model, fields=[card.get("question") or card.get("text"), "x"], guid=card["id"]))
started = time.perf_counter()
genanki.Package(deck).write_to_file(sys.argv[1] + ".raw.apkg")
"""


REPEATS = 3


def measure(body: str, deck: Path, before_each: str = "") -> dict[str, float]:
    """Median seconds and largest peak RSS of REPEATS runs; `before_each` is removed first."""
    code = _MEASURE.format(body=body)
    runs = []
    for _ in range(REPEATS):
        if before_each:
            Path(before_each).unlink(missing_ok=True)
        output = subprocess.run([sys.executable, "-c", code, str(deck)], check=True, capture_output=True, text=True)
        runs.append(json.loads(output.stdout.strip().splitlines()[-1]))
    return {"seconds": statistics.median(run["seconds"] for run in runs), "rss_mb": max(run["rss_mb"] for run in runs)}


def main(sizes: list[int]) -> None:
    print("| cards | YAML MB | deck build s | peak MB | cards/s | deck validate s | naive script s "
          "| times faster than naive | genanki writing s | build / genanki |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as folder:
        for size in sizes:
            deck = Path(folder) / f"deck-{size}.yaml"
            deck.write_text(generate(size), encoding="utf-8")
            build = measure(DECK_BUILD, deck, before_each=str(deck.with_suffix(".lock")))  # a first build
            validate = measure(DECK_VALIDATE, deck)
            naive = measure(NAIVE, deck)
            raw = measure(GENANKI_ONLY, deck)
            print(f"| {size:,} | {deck.stat().st_size / 1e6:.1f} | {build['seconds']:.2f} | {build['rss_mb']:.0f} "
                  f"| {size / build['seconds']:,.0f} | {validate['seconds']:.2f} | {naive['seconds']:.2f} "
                  f"| {naive['seconds'] / build['seconds']:.1f} | {raw['seconds']:.2f} "
                  f"| {build['seconds'] / raw['seconds']:.1f} |", flush=True)


if __name__ == "__main__":
    main([int(size) for size in sys.argv[1:]] or [1_000, 10_000, 30_000, 100_000])
