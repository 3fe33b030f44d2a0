"""`deck export --csv`: a checked deck as Anki's text file ("Notes in Plain Text"), with headers.

The layout is the one Anki (2.1.55+) writes itself when exporting notes with every option: GUID,
note type and deck in the first three columns, the note's fields padded to the widest note type,
then the tags. The header lines tell Anki's importer all of that, so importing the file with its
defaults gives the same notes, with the same GUIDs, as importing the package built from the deck.

Anki cannot create note types from a text file: the collection must already have deck's note types
(from importing a package built by `deck build` once). Media files are not part of a text file.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from deck import pipeline
from deck.files import remove_stale, write_atomically

# Header values Anki accepts for `#separator:`, by the character they stand for.
SEPARATORS = {"tab": "\t", "comma": ",", "semicolon": ";", "pipe": "|", "colon": ":", "space": " "}

# Columns before the fields, 1-based as in the header lines; tags come after the most fields a
# note type of the deck has.
GUID_COLUMN, NOTETYPE_COLUMN, DECK_COLUMN = 1, 2, 3


@dataclass(frozen=True)
class Exported:
    out: Path
    notes: int
    media: list[str]  # names of the media files that notes refer to: not in the text file


def export_csv(path: str, out: Path, separator: str = "tab") -> tuple[pipeline.Checked, Exported | None]:
    """Check the deck file at `path` and write its notes to `out` as an Anki text file.

    Nothing is written while the deck has an error (the problems are in the returned `Checked`),
    or when `out` is a file the deck is made from (`deck.files.Refused`); `out` is replaced
    atomically. `separator` is "tab" or "comma" (or another name in SEPARATORS).
    """
    if separator not in SEPARATORS:
        raise ValueError(f"unknown separator {separator!r}; use one of: {', '.join(SEPARATORS)}")
    checked = pipeline.check(path)
    if not checked.ok:
        return checked, None
    pipeline.refuse_overwriting_inputs(checked, out)
    remove_stale(out)
    assert checked.deck is not None
    info = checked.deck.deck
    field_columns = max(len(note_type.fields) for note_type in checked.note_types.values())
    buffer = io.StringIO()
    buffer.write(f"#separator:{separator}\n#html:true\n")
    for name, column in (("guid", GUID_COLUMN), ("notetype", NOTETYPE_COLUMN), ("deck", DECK_COLUMN),
                         ("tags", DECK_COLUMN + field_columns + 1)):
        buffer.write(f"#{name} column:{column}\n")
    # Every field quoted: Anki reads a record that starts with '#' as a comment, and GUIDs can.
    writer = csv.writer(buffer, delimiter=SEPARATORS[separator], quoting=csv.QUOTE_ALL, lineterminator="\n")
    # Parents first: Anki's text importer creates a missing deck's parents without noticing that
    # it did, and a later row naming such a parent would then make a second deck, "Parent+".
    rows = sorted(zip(checked.notes, checked.guids), key=lambda row: row[0].subdeck.count("::") + 1 if row[0].subdeck else 0)
    for note, guid in rows:
        deck_name = f"{info.name}::{note.subdeck}" if note.subdeck else info.name
        fields = list(note.fields) + [""] * (field_columns - len(note.fields))
        writer.writerow([guid, checked.note_types[note.kind].name, deck_name, *fields, " ".join(note.tags)])
    write_atomically(out, buffer.getvalue().encode("utf-8"))
    return checked, Exported(out, len(checked.notes), sorted(checked.media.files))
