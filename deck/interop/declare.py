"""An imported package's own note types, declared in the deck file exactly as Anki has them, and the
choice of each field's format: Markdown where it renders back to exactly the field's HTML, else HTML.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

from deck import htmlfields, render
from deck.interop.apkg import AnkiNote, AnkiNoteType
from deck.interop.interchange import to_markdown
from deck.interop.yamltext import yaml_key, yaml_scalar
from deck.notetypes import LATEX_POST, LATEX_PRE, NOTE_TYPES

# What only HTML keeps: sounds and LaTeX, whose text Markdown would escape.
_ANKI_MARKUP = re.compile(r"\[sound:|\[latex\]|\[\$\$?\]", re.IGNORECASE)


def keys(note_types: list[AnkiNoteType]) -> dict[int, str]:
    """The key each note type gets in `note-types:`, which its cards give as `type`: its name, unless
    that is one of deck's card types (then the name goes under `name:`)."""
    return {note_type.id: note_type.name if note_type.name not in NOTE_TYPES else f"{note_type.name} ({note_type.id})"
            for note_type in note_types}


def html_fields(note_type: AnkiNoteType, notes: list[AnkiNote]) -> set[str]:
    """The fields to keep as HTML: those where Markdown would not give back some note's exact HTML."""
    found = set()
    exact: dict[str, bool] = {}  # by distinct value: shared decks repeat many (a deck's name, "Yes")
    for number, name in enumerate(note_type.fields):
        for note in notes:
            value = note.fields[number][1]
            if value not in exact:
                exact[value] = exact_in_markdown(value)
            if not exact[value]:
                found.add(name)
                break
    return found


def exact_in_markdown(html: str) -> bool:
    """Whether the field's Markdown renders back to exactly `html` (pictures as media/ paths)."""
    if not html:
        return True
    if _ANKI_MARKUP.search(html):
        return False
    converted = to_markdown(html, lambda name: f"media/{name}")
    if converted.changes:
        return False
    rendered, findings = render.to_html(converted.markdown, lambda path: path.removeprefix("media/"))
    return not findings and rendered == html


def note_type_lines(key: str, note_type: AnkiNoteType, html: set[str], media: Sequence[str] = ()) -> list[str]:
    """The note type's entry under `note-types:`, every value as Anki has it; `media`, the paths of the
    files its templates and CSS use."""
    lines = [f"  {yaml_key(key)}:", f'    id: "{note_type.id}"']
    lines += [f"    name: {yaml_scalar(note_type.name, False, 0)}"] if key != note_type.name else []
    lines += [f"    kind: {note_type.kind}"] if note_type.kind != "standard" else []
    lines += ["    scripts: yes"] if has_scripts(note_type) else []
    lines.append("    fields:")
    lines += [f"      - {{name: {json.dumps(name, ensure_ascii=False)}, format: html}}" if name in html
              else f"      - {yaml_key(name)}" for name in note_type.fields]
    if note_type.sort_field:
        lines.append(f"    sort-field: {yaml_key(note_type.fields[note_type.sort_field])}")
    lines += [f"    css: {yaml_scalar(note_type.css, False, 6)}"] if note_type.css else []
    lines += [f"    media: [{', '.join(yaml_scalar(path, False, 0) for path in media)}]"] if media else []
    lines += [f"    latex-pre: {yaml_scalar(note_type.latex_pre, False, 6)}"] if note_type.latex_pre != LATEX_PRE else []
    lines += [f"    latex-post: {yaml_scalar(note_type.latex_post, False, 6)}"] if note_type.latex_post != LATEX_POST else []
    lines.append("    templates:")
    for name, front, back in note_type.templates:
        lines += [f"      - name: {yaml_key(name)}", f"        front: {yaml_scalar(front, False, 10)}",
                  f"        back: {yaml_scalar(back, False, 10)}"]
    return lines


def has_scripts(note_type: AnkiNoteType) -> bool:
    """Whether a template of the note type runs code in Anki (a script, an event handler)."""
    return any(finding.code == "html-script" for _, front, back in note_type.templates
               for finding in htmlfields.findings(front + back))
