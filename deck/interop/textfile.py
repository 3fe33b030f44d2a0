"""Anki's text files (.csv, .txt): their header lines, columns and rows read as Anki reads them
(rslib/src/import_export/text/csv/metadata.rs): `#columns:` names the columns, and a note type's
fields take the columns of their names, else the columns in order, the meta columns (GUID, note
type, deck, tags) aside; without a tags column, the first column after the fields holds the tags.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from html import escape
from pathlib import Path

from deck.interop.apkg import AnkiNote
from deck.interop.export import SEPARATORS

_TAG = re.compile(r"(?s)<.*?>")  # what makes Anki take a text file for HTML (rslib text.rs: is_html)


def read(path: Path, fields_of: Callable[[str], tuple[str, ...] | None]) -> tuple[list[AnkiNote], list[str]]:
    """Notes from an Anki text file, each field named as its note type's (`fields_of` a note type's
    name, None for a type it does not know: then the columns are fields in order); and what Anki
    leaves out of them, in words. OSError or UnicodeDecodeError where it cannot be read as UTF-8 text."""
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
    meta = {name: int(headers[f"{name} column"]) for name in ("guid", "notetype", "deck", "tags")
            if headers.get(f"{name} column", "").strip().isdigit()}
    global_tags = headers.get("tags", "").split()
    rows = []
    reader = csv.reader(io.StringIO(body), delimiter=delimiter)
    first = start = total - len(lines) + 1  # the line the rows start on, and the next row
    for row in reader:
        line, start = start, first + reader.line_num
        if any(row) and not lines[line - first].startswith("#"):  # (a row starting with '#' is a comment to Anki)
            rows.append((line, row))
    # HTML unless the file says not, exactly, or else its first rows have no tag (as Anki guesses).
    html = {"true": True, "false": False}.get(headers.get("html", "").lower(),
                                              any(_TAG.search(value) for _, row in rows[:5] for value in row))
    labels = next(csv.reader([headers["columns"]], delimiter=delimiter)) if "columns" in headers else \
        [""] * (len(rows[0][1]) if rows else 0)
    # The columns that may be fields: as many as '#columns:' names, or as the first row has.
    plain = [number for number in range(1, len(labels) + 1) if number not in meta.values()]
    global_type = "" if "notetype" in meta else headers.get("notetype", "").strip() or "Basic"  # (Anki's default)
    fields = fields_of(global_type) if global_type else None
    columns = plain  # of each field: of a note type named by a column, its fields in order
    messages = []
    if fields is not None:
        columns = _field_columns(fields, labels, plain)
        if "tags" not in meta:
            meta["tags"] = next((number for number in plain if number > max(columns) and number <= len(labels)), 0)
        unused = [number for number in plain if number not in columns and number != meta["tags"]
                  and any(number <= len(row) and row[number - 1] for _, row in rows)]
        if unused:
            several = len(unused) > 1
            messages.append(f"column{'s' * several} {', '.join(map(str, unused))} of {path.name} "
                            f"{'are not fields' if several else 'is not a field'} of note type '{global_type}': "
                            f"left out, as Anki's text import leaves {'them' if several else 'it'} out")
    notes = []
    for line, row in rows:

        def column(number: int, default: str = "") -> str:
            return row[number - 1] if 0 < number <= len(row) else default

        def field(number: int) -> str:
            return column(number) if html else escape(column(number)).replace("\n", "<br>")

        note_type = column(meta.get("notetype", 0), global_type).strip()
        named = fields if fields is not None else fields_of(note_type)
        values = ([(name, field(number)) for name, number in zip(named, columns)] if named is not None
                  else [(f"column {number}", field(number)) for number in plain if number <= len(row)])
        notes.append(AnkiNote(column(meta.get("guid", 0)), note_type, values,
                              column(meta.get("tags", 0)).split() + global_tags,
                              column(meta.get("deck", 0), headers.get("deck", "")), line=line))
    return notes, messages


def _field_columns(fields: tuple[str, ...], labels: list[str], plain: list[int]) -> list[int]:
    """The column of each field (0: none): by name where the columns are named, else in order; the
    first field takes the first column that may be one when its name is not among them."""
    if any(labels):
        named = {label: number for number, label in enumerate(labels, 1) if number in plain}
        columns = [named.get(name, 0) for name in fields]
    else:
        columns = plain[:len(fields)] + [0] * (len(fields) - len(plain))
    if columns and not columns[0] and plain:
        columns[0] = plain[0]
    return columns
