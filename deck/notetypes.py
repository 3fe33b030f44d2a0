"""The note types every deck uses: fields (frozen forever), templates, CSS and stable ids.

Anki cannot change a note type's fields on re-import without stranding the notes that students
already have, so the field lists below must never change: a later feature that needs a new field
adds a new note type instead. Templates and CSS may change; a re-import updates them.
"""

from __future__ import annotations

from dataclasses import dataclass

# Fixed ids, chosen once at random: Anki matches note types by id, on every machine and build.
BASIC_ID = 1_794_201_560
REVERSED_ID = 1_794_201_561
CLOZE_ID = 1_794_201_562
TYPE_IN_ID = 1_794_201_563

# Never edit these lists (see above). Audio holds [sound:...] references for media support.
FRONT_BACK_FIELDS = ("Front", "Back", "Extra", "Source", "Audio")
CLOZE_FIELDS = ("Text", "Extra", "Source", "Audio")

_BACK_MATTER = """\
{{#Extra}}<div class="extra">{{Extra}}</div>{{/Extra}}
{{Audio}}
{{#Source}}<div class="source">{{Source}}</div>{{/Source}}"""


def _back(answer: str) -> str:
    return f'{{{{FrontSide}}}}\n<hr id="answer">\n<div class="answer">{{{{{answer}}}}}</div>\n{_BACK_MATTER}'


def _front(field: str) -> str:
    return f'<div class="prompt">{{{{{field}}}}}</div>'


CSS = """\
.card {
  font-family: -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  font-size: 20px;
  line-height: 1.45;
  text-align: center;
  color: #1d1d1f;
  background-color: #fdfdfd;
  max-width: 40em;
  margin: 0 auto;
  padding: 0 0.6em;
}
.prompt { font-size: 1.1em; }
.answer { font-weight: 600; }
.answer table { font-weight: normal; }
.extra { margin-top: 1em; font-size: 0.9em; color: #3a3a3c; }
.source { margin-top: 1.4em; font-size: 0.7em; color: #6e6e73; }
.source a { color: inherit; }
.cloze { font-weight: 700; color: #0a5fb4; }
.type-in { margin-top: 0.8em; }
#typeans { font-size: 1em; padding: 0.3em; width: 90%; max-width: 20em; }
img { max-width: 100%; height: auto; }
hr#answer { border: none; border-top: 1px solid #d2d2d7; margin: 1em 0; }
table { border-collapse: collapse; margin: 0.5em auto; }
td, th { border: 1px solid #d2d2d7; padding: 0.2em 0.5em; }
ul, ol { display: inline-block; text-align: left; margin: 0.3em 0; }
code, pre { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 0.9em; }
@media (max-width: 480px) { .card { font-size: 18px; } }
.nightMode.card, .nightMode .card, .night_mode.card, .night_mode .card {
  color: #e5e5ea;
  background-color: #1c1c1e;
}
.nightMode .extra, .night_mode .extra { color: #c7c7cc; }
.nightMode .source, .night_mode .source { color: #8e8e93; }
.nightMode .cloze, .night_mode .cloze { color: #64b5ff; }
.nightMode hr#answer, .night_mode hr#answer { border-top-color: #3a3a3c; }
.nightMode td, .nightMode th, .night_mode td, .night_mode th { border-color: #3a3a3c; }
"""


@dataclass(frozen=True)
class NoteType:
    id: int
    name: str
    fields: tuple[str, ...]
    templates: tuple[tuple[str, str, str], ...]  # (name, question format, answer format)
    css: str = CSS
    cloze: bool = False


BASIC = NoteType(BASIC_ID, "deck-basic", FRONT_BACK_FIELDS, (("Card 1", _front("Front"), _back("Back")),))
REVERSED = NoteType(REVERSED_ID, "deck-reversed", FRONT_BACK_FIELDS, (
    ("Card 1", _front("Front"), _back("Back")),
    ("Card 2", _front("Back"), _back("Front")),
))
CLOZE = NoteType(CLOZE_ID, "deck-cloze", CLOZE_FIELDS, ((
    "Cloze",
    '<div class="prompt">{{cloze:Text}}</div>',
    f'<div class="prompt">{{{{cloze:Text}}}}</div>\n{_BACK_MATTER}',
),), cloze=True)

TYPE_IN = NoteType(TYPE_IN_ID, "deck-type-in", FRONT_BACK_FIELDS, ((
    "Card 1",
    f'{_front("Front")}\n<div class="type-in">{{{{type:Back}}}}</div>',
    f'{_front("Front")}\n<hr id="answer">\n<div class="type-in">{{{{type:Back}}}}</div>\n{_BACK_MATTER}',
),))

NOTE_TYPES = {"basic": BASIC, "reversed": REVERSED, "cloze": CLOZE, "type-in": TYPE_IN}
