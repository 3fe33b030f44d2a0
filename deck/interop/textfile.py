"""Anki's text files (.csv, .txt): their header lines, columns and rows read as Anki reads them."""

from __future__ import annotations

import csv
import io
from html import escape
from pathlib import Path

from deck.interop.apkg import AnkiNote
from deck.interop.export import SEPARATORS


def read(path: Path) -> list[AnkiNote]:
    """Notes from an Anki text file whose header lines name the note type (and deck, tags, GUID);
    OSError or UnicodeDecodeError where it cannot be read as UTF-8 text."""
    lines = path.read_text(encoding="utf-8-sig").splitlines(keepends=True)
    headers: dict[str, str] = {}
    total = len(lines)
    while lines and lines[0].startswith("#"):
        key, _, value = lines.pop(0)[1:].partition(":")
        headers[key.strip().lower()] = value.rstrip("\r\n")
    separator = headers.get("separator", "").strip()
    delimiter = SEPARATORS.get(separator.lower(), separator if len(separator) == 1 else "")
    body = "".join(lines)
    delimiter = delimiter or next((char for char in "\t|;:, " if char in body), "\t")  # as Anki guesses
    columns = {name: int(headers[f"{name} column"]) for name in ("guid", "notetype", "deck", "tags")
               if headers.get(f"{name} column", "").strip().isdigit()}
    if "notetype" not in columns:  # without a header, Anki imports into its default note type, Basic
        headers.setdefault("notetype", "Basic")
    html = headers.get("html", "true").strip().lower() != "false"
    global_tags = headers.get("tags", "").split()
    notes = []
    rows = csv.reader(io.StringIO(body), delimiter=delimiter)
    first = start = total - len(lines) + 1  # the line the rows start on, and the next row
    for row in rows:
        line, start = start, first + rows.line_num
        if not any(row):
            continue

        def column(name: str, default: str = "") -> str:
            number = columns.get(name, 0)
            return row[number - 1] if 0 < number <= len(row) else default

        fields = [(f"column {number}", value if html else escape(value, quote=False))
                  for number, value in enumerate(row, 1) if number not in columns.values()]
        notes.append(AnkiNote(column("guid"), column("notetype", headers.get("notetype", "")).strip(), fields,
                              column("tags").split() + global_tags, column("deck", headers.get("deck", "")),
                              line=line))
    return notes
