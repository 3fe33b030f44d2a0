"""Time `deck build` and `deck validate` on synthetic decks, against a naive script and raw genanki.

    python benchmarks/run.py                 # the reference deck at 1k, 10k, 30k and 100k cards,
                                             # then the heavy deck at 30k (see generate.py)
    python benchmarks/run.py 1000 10000      # the reference deck at chosen sizes
    python benchmarks/run.py --heavy 30000   # the heavy deck
    python benchmarks/run.py --tiny          # peak memory of the 800,000 tiny cards of a 32 MB file

Each measurement is a whole process, timed as a user waits for it: from start to exit, the
interpreter's start and end included (`python -m deck`, as the installed `deck` runs). Peak memory
(max RSS) is that process's alone. Each is repeated (REPEATS) and the table shows the median time,
since a shared machine's timings wander. Prints a Markdown table: wall seconds, peak RSS, cards per
second, how many times faster than the naive script (PyYAML's C loader + genanki, no validation,
timed the same way) a build is, and our build time as a ratio to genanki's writing alone. Then
`deck validate` on the same deck with one card in ten wrong, and how many errors it reported: one
for each wrong card, or the benchmark stops.

`--tiny` measures what the largest file allowed costs: 800,000 cards of one letter each way in 30 MB
(generate.py's tiny deck), validated, built (a first build, then again with its lock), and validated
misspelt (`answr:` on every card, two errors each): time and peak memory of one run each, and how
many errors were printed of how many found.
"""

from __future__ import annotations

import compileall
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from generate import HEAVY, REFERENCE, Shape, generate, tiny, wrong_cards

NAIVE = """
import sys, genanki, yaml
data = yaml.load(open(sys.argv[1], encoding="utf-8"), Loader=yaml.CLoader)
model = genanki.Model(1607392319, "Basic", fields=[{"name": "Front"}, {"name": "Back"}],
                      templates=[{"name": "Card 1", "qfmt": "{{Front}}", "afmt": "{{Back}}"}])
deck = genanki.Deck(2059400110, data["deck"]["name"])
for card in data["cards"]:
    fields = [card.get("question") or card.get("text"), card.get("answer") or ""]
    deck.add_note(genanki.Note(model=model, fields=fields, tags=card.get("tags", []), guid=card["id"]))
genanki.Package(deck).write_to_file(sys.argv[1] + ".naive.apkg")
"""

# genanki's writing alone, timed inside the process: the notes are made before the clock starts.
GENANKI_ONLY = """
import json, sys, time, genanki, yaml
data = yaml.load(open(sys.argv[1], encoding="utf-8"), Loader=yaml.CLoader)
model = genanki.Model(1607392319, "Basic", fields=[{"name": "Front"}, {"name": "Back"}],
                      templates=[{"name": "Card 1", "qfmt": "{{Front}}", "afmt": "{{Back}}"}])
deck = genanki.Deck(2059400110, "Benchmark")
for card in data["cards"]:
    deck.add_note(genanki.Note(model=model, fields=[card.get("question") or card.get("text"), "x"], guid=card["id"]))
started = time.perf_counter()
genanki.Package(deck).write_to_file(sys.argv[1] + ".raw.apkg")
print(json.dumps(time.perf_counter() - started))
"""


REPEATS = 5  # this shared machine has slow spells of a second or so: a median of 5 rides out two
WRONG_EVERY = 10  # one card in ten wrong, for checking a deck with thousands of errors


def measure(command: list[str], before_each: Path | None = None, status: int = 0, repeats: int = REPEATS) -> dict:
    """Median wall seconds, start to exit, and largest peak RSS of `repeats` runs of `command`, which
    must exit with `status`, and what it wrote to stderr; `before_each` is removed before each run."""
    runs = []
    for _ in range(repeats):
        if before_each:
            before_each.unlink(missing_ok=True)
        with tempfile.TemporaryFile() as errors:
            started = time.perf_counter()
            process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=errors)
            _, exit_status, usage = os.wait4(process.pid, 0)  # (subprocess gives no rusage of its own)
            runs.append({"seconds": time.perf_counter() - started, "rss_mb": usage.ru_maxrss / 1024})
            errors.seek(0)
            stderr = errors.read().decode(errors="replace")
            if os.waitstatus_to_exitcode(exit_status) != status:
                raise SystemExit(f"failed with status {os.waitstatus_to_exitcode(exit_status)}: {' '.join(command)}\n"
                                 + stderr)
    return {"seconds": statistics.median(run["seconds"] for run in runs),
            "rss_mb": max(run["rss_mb"] for run in runs), "stderr": stderr}


def genanki_writing(deck: Path) -> float:
    """Median seconds genanki takes to write the deck's notes, from inside the process."""
    runs = [json.loads(subprocess.run([sys.executable, "-c", GENANKI_ONLY, str(deck)], check=True,
                                      capture_output=True, text=True).stdout) for _ in range(REPEATS)]
    return statistics.median(runs)


def compile_deck() -> None:
    """deck's modules to bytecode, as installing a package does (pip compiles what it installs, and
    deck's dependencies were). From a checkout, an editable install with PYTHONDONTWRITEBYTECODE set
    (as on this machine) would otherwise compile them again in every timed run: 0.04 s each."""
    import deck

    compileall.compile_dir(Path(deck.__file__).parent, quiet=1)


def main(runs: list[tuple[str, Shape, int]]) -> None:
    """Each run is a deck's name, its shape and how many cards it has."""
    compile_deck()
    print("| deck | cards | YAML MB | deck build s | peak MB | cards/s | deck validate s | naive script s "
          "| times faster than naive | genanki writing s | build / genanki | validate, 1 card in 10 wrong s | errors |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as folder:
        for name, shape, size in runs:
            deck = Path(folder) / f"{name}-{size}.yaml"
            deck.write_text(generate(size, shape=shape), encoding="utf-8")
            deck_command = [sys.executable, "-m", "deck"]
            build = measure([*deck_command, "build", str(deck), "-o", f"{deck}.apkg"],
                            before_each=deck.with_suffix(".lock"))  # a first build
            validate = measure([*deck_command, "validate", str(deck)])
            naive = measure([sys.executable, "-c", NAIVE, str(deck)])
            raw = genanki_writing(deck)
            wrong_deck = Path(folder) / f"wrong-{name}-{size}.yaml"
            wrong_deck.write_text(generate(size, wrong_every=WRONG_EVERY, shape=shape), encoding="utf-8")
            wrong = measure([*deck_command, "validate", str(wrong_deck)], status=1)
            reported = re.search(r"(\d+) errors?$", wrong["stderr"].strip())
            if not reported or int(reported[1]) != wrong_cards(size, WRONG_EVERY):
                raise SystemExit(f"expected {wrong_cards(size, WRONG_EVERY)} errors, got:\n{wrong['stderr'][-500:]}")
            print(f"| {name} | {size:,} | {deck.stat().st_size / 1e6:.1f} | {build['seconds']:.2f} | {build['rss_mb']:.0f} "
                  f"| {size / build['seconds']:,.0f} | {validate['seconds']:.2f} | {naive['seconds']:.2f} "
                  f"| {naive['seconds'] / build['seconds']:.1f} | {raw:.2f} "
                  f"| {build['seconds'] / raw:.1f} | {wrong['seconds']:.2f} | {int(reported[1]):,} |", flush=True)


TINY_CARDS = 800_000


def main_tiny() -> None:
    """The tiny deck's table (see the module's docstring)."""
    compile_deck()
    print("| 800,000 tiny cards | YAML MB | s | peak MB | errors printed | errors found |")
    print("|---|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as folder:
        deck, wrong = Path(folder) / "tiny.yaml", Path(folder) / "tiny-misspelt.yaml"
        deck.write_text(tiny(TINY_CARDS), encoding="utf-8")
        wrong.write_text(tiny(TINY_CARDS, misspelt=True), encoding="utf-8")
        deck_command = [sys.executable, "-m", "deck"]
        build = [*deck_command, "build", str(deck), "-o", f"{deck}.apkg"]
        runs = [("deck validate", deck, measure([*deck_command, "validate", str(deck)], repeats=1)),
                ("deck build, first", deck, measure(build, repeats=1)),
                ("deck build, again (with its lock)", deck, measure(build, repeats=1)),
                ("deck validate, misspelt", wrong, measure([*deck_command, "validate", str(wrong)], status=1, repeats=1))]
        for name, file, run in runs:
            printed = len(re.findall(r"^\S+:\d+:\d+: error: ", run["stderr"], re.MULTILINE))
            found = re.search(r"(\d+) errors?$", run["stderr"].strip())
            print(f"| {name} | {file.stat().st_size / 1e6:.1f} | {run['seconds']:.1f} | {run['rss_mb']:.0f} "
                  f"| {printed:,} | {int(found[1]) if found else 0:,} |", flush=True)


if __name__ == "__main__":
    if {"-h", "--help"} & set(sys.argv):
        print(__doc__)
        sys.exit()
    if "--tiny" in sys.argv:
        main_tiny()
        sys.exit()
    heavy = "--heavy" in sys.argv
    sizes = [int(size) for size in sys.argv[1:] if size != "--heavy"]
    if heavy:
        main([("heavy", HEAVY, size) for size in sizes or [30_000]])
    else:
        main([("reference", REFERENCE, size) for size in sizes or [1_000, 10_000, 30_000, 100_000]]
             + ([] if sizes else [("heavy", HEAVY, 30_000)]))
