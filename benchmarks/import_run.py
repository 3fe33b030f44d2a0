"""Time `deck import` of a big Anki package, made here with Anki's own library.

    python benchmarks/import_run.py            # 30,000 notes
    python benchmarks/import_run.py 1000 30000
    python benchmarks/import_run.py --deck 30000   # then `deck validate` and `deck build` of what it wrote

The package is what authors make in Anki: a note type of its own (4 fields, 2 templates) beside a
renamed stock Basic, a third of the fields with Anki's editor HTML (<div> lines, a styled span) that
stays HTML, tags and two subdecks. Each time is a whole `python -m deck import` process, start to
exit, the median of REPEATS; the deck file it writes is then checked to be valid.

Measured on this 2-core machine, 30,000 notes (2.1 MB): 15.3 s on 2026-12-04; 9.8 s at main 857ee4b
and 7.7 s after (2026-12-05): a field that is plain text is its own Markdown (no conversion, no
render to compare), each distinct field is converted once, and the cleaner's inventory of what it
dropped is taken only when it dropped something. 7.1 s at main 546fcff and 6.6 s after (2026-12-05;
alternating runs of `deck import` alone, median of 5: 7.9 s and 7.3 s): the check of the deck it
writes (6.5 MB) reads it fast, where Anki's GUIDs, base-91 text written double-quoted, had sent
nearly every migrated deck to the located reading. `deck validate` of that deck: 3.3 s before, 2.5 s
after (median of 3; peak memory 277 MB, 144 MB); most of what is left is rendering the fields of the
deck's own note types (the fast reading itself is 0.7 s).

`--deck` times `deck validate` and `deck build` (a first build) of the deck it wrote, median of 3,
with peak memory. On 2026-12-05, 30,000 notes, at dde71f2 and after: validate 2.65 s and 1.41 s,
build 2.93 s and 1.83 s (peak 140 MB both, before and after); `deck import` 7.6 s and 5.4 s, as it
checks what it writes. A field with Anki's formatting tags in its text ('It is <b>4</b>.', half of
the Markdown fields here) is only cleaned, not rendered by markdown-it-py and audited; an HTML field
with no '<' is not audited; a sound is looked for only in a field with '[sound:'; and a note type's
front templates are read once, not once a note. `python benchmarks/run.py 30000` builds in 1.19 s.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from run import compile_deck, measure

REPEATS = 3


def make_package(notes: int, folder: Path) -> Path:
    from anki.collection import AddNoteRequest, Collection, ExportAnkiPackageOptions

    (folder / "author").mkdir()
    col = Collection(str(folder / "author" / "collection.anki2"))
    try:
        basic = col.models.by_name("Basic")
        assert basic is not None
        basic["name"] = "Basic-b122e"
        col.models.update_dict(basic)
        words = col.models.new("Words")
        for name in ("Word", "Meaning", "Example", "Notes"):
            col.models.add_field(words, col.models.new_field(name))
        for name, front, back in (("Recognise", "{{Word}}", "{{FrontSide}}<hr id=answer>{{Meaning}}<br>{{Example}}"),
                                  ("Recall", "{{Meaning}}", "{{FrontSide}}<hr id=answer>{{Word}}")):
            template = col.models.new_template(name)
            template["qfmt"], template["afmt"] = front, back
            col.models.add_template(words, template)
        col.models.add(words)
        words = col.models.by_name("Words")
        assert words is not None
        decks = [col.decks.id("Big::Nouns"), col.decks.id("Big::Verbs")]
        requests = []
        for number in range(notes):
            model = words if number % 2 else basic
            note = col.new_note(model)
            if number % 2:
                note.fields[:] = [f"word {number}", f"meaning of word {number}",
                                  f'<div>An example</div><div><span style="color: grey">for {number}</span></div>'
                                  if number % 3 == 0 else f"example {number}", ""]
            else:
                note.fields[:] = [f"What is fact number {number}?", f"It is <b>{number}</b>."]
            note.tags = ["big", f"group-{number % 10}"]
            requests.append(AddNoteRequest(note=note, deck_id=decks[number % 2]))  # type: ignore[arg-type]
        col.add_notes(requests)
        out = folder / "big.apkg"
        col.export_anki_package(out_path=str(out), options=ExportAnkiPackageOptions(with_media=True), limit=None)
        return out
    finally:
        col.close()


def main(sizes: list[int], deck: bool = False) -> None:
    """With `deck`, the migrated deck is then validated and built (median of REPEATS each, as
    run.py measures: whole processes, peak memory the largest of the runs)."""
    compile_deck()
    print("| notes | package MB | deck import s |" + (" YAML MB | deck validate s | peak MB | deck build s | peak MB |"
                                                      if deck else ""))
    print("|---:|---:|---:|" + ("---:|---:|---:|---:|---:|" if deck else ""))
    for size in sizes:
        with tempfile.TemporaryDirectory(prefix="deck-import-benchmark-") as temporary:
            folder = Path(temporary)
            # (made in a process of its own: a process started from this one would inherit its peak memory,
            # Anki's library and all, as its own)
            subprocess.run([sys.executable, __file__, "--package", str(size), str(folder)], check=True)
            package = folder / "big.apkg"
            times = []
            for repeat in range(REPEATS):
                out = folder / f"cards-{repeat}.yaml"
                start = time.perf_counter()
                subprocess.run([sys.executable, "-m", "deck", "import", str(package), "-o", str(out)], check=True,
                               capture_output=True, cwd=folder)
                times.append(time.perf_counter() - start)
            check = subprocess.run([sys.executable, "-m", "deck", "validate", str(out)], capture_output=True, text=True)
            assert check.returncode == 0, check.stderr
            row = f"| {size:,} | {package.stat().st_size / 1e6:.1f} | {statistics.median(times):.2f} |"
            if deck:
                command = [sys.executable, "-m", "deck"]
                validated = measure([*command, "validate", str(out)], repeats=REPEATS)
                built = measure([*command, "build", str(out), "-o", str(folder / "big-deck.apkg")],
                                before_each=out.with_suffix(".lock"), repeats=REPEATS)  # a first build
                row += (f" {out.stat().st_size / 1e6:.1f} | {validated['seconds']:.2f} | {validated['rss_mb']:.0f} "
                        f"| {built['seconds']:.2f} | {built['rss_mb']:.0f} |")
            print(row, flush=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--package"]:
        make_package(int(sys.argv[2]), Path(sys.argv[3]))
        sys.exit()
    main([int(size) for size in sys.argv[1:] if size != "--deck"] or [30000], deck="--deck" in sys.argv)
