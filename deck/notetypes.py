"""Note types as data: one model (`NoteType`), of which deck's four built-in types are four
declarations and a deck file's own `note-types:` are more (`from_spec`).

Anki cannot change a note type's fields on re-import without stranding the notes that students
already have, so the built-in field lists below must never change: a later feature that needs a new
field adds a new note type instead. Templates and CSS may change; a re-import updates them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from deck import htmlfields, templates
from deck.cards import Deck, ImageOcclusionCard, NoteCard, NoteTypeSpec

# Fixed ids, chosen once at random: Anki matches note types by id, on every machine and build.
BASIC_ID = 1_794_201_560
REVERSED_ID = 1_794_201_561
CLOZE_ID = 1_794_201_562
TYPE_IN_ID = 1_794_201_563
IMAGE_OCCLUSION_ID = 1_794_201_564

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


# The LaTeX around a field's [latex]...[/latex] when a note type gives none (genanki's default).
LATEX_PRE = ("\\documentclass[12pt]{article}\n\\special{papersize=3in,5in}\n\\usepackage[utf8]{inputenc}\n"
             "\\usepackage{amssymb,amsmath}\n\\pagestyle{empty}\n\\setlength{\\parindent}{0in}\n"
             "\\begin{document}\n")
LATEX_POST = "\\end{document}"


@dataclass(frozen=True)
class NoteType:
    """What Anki needs of a note type, and what it matches on re-import: the id, then the field and
    template names (rslib's `equal_schema`); a changed name of either makes students' notes conflict."""

    id: int
    name: str
    fields: tuple[str, ...]
    templates: tuple[tuple[str, str, str], ...]  # (name, question format, answer format)
    css: str = CSS
    cloze: bool = False
    sort_field: int = 0  # the field Anki's browser sorts and searches first, by position
    html_fields: frozenset[str] = frozenset()  # fields written as HTML in the deck file, not Markdown
    latex_pre: str = LATEX_PRE
    latex_post: str = LATEX_POST
    stock_kind: int = 0  # Anki's originalStockKind: which of its stock types this is a copy of (0: none)
    field_tags: tuple[int, ...] = ()  # Anki's `tag` of each field, by which its editor finds a stock kind's fields


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

# Anki's own image occlusion type, as `Collection.add_image_occlusion_note` makes it
# (rslib/src/image_occlusion/notetype.rs): its fields, found by their tags, and its templates, whose
# one script is Anki's own call that draws the masks (no deck text is in a template). The back adds
# the card's source, kept in Comments. Anki's editor edits these notes' masks as its own.
IMAGE_OCCLUSION_FIELDS = ("Occlusion", "Image", "Header", "Back Extra", "Comments")
STOCK_KIND_IMAGE_OCCLUSION = 6
_OCCLUSION_FRONT = """\
{{#Header}}<div>{{Header}}</div>{{/Header}}
<div style="display: none">{{cloze:Occlusion}}</div>
<div id="err"></div>
<div id="image-occlusion-container">
    {{Image}}
    <canvas id="image-occlusion-canvas"></canvas>
</div>
<script>
try {
    anki.imageOcclusion.setup();
} catch (exc) {
    document.getElementById("err").innerHTML = `Error loading image occlusion. Is your Anki version up to date?<br><br>${exc}`;
}
</script>
"""
_OCCLUSION_BACK = f"""\
{_OCCLUSION_FRONT}
<div><button id="toggle">Toggle Masks</button></div>
{{{{#Back Extra}}}}<div class="extra">{{{{Back Extra}}}}</div>{{{{/Back Extra}}}}
{{{{#Comments}}}}<div class="source">{{{{Comments}}}}</div>{{{{/Comments}}}}"""
_OCCLUSION_CSS = """\
#image-occlusion-canvas {
    --inactive-shape-color: #ffeba2;
    --active-shape-color: #ff8e8e;
    --inactive-shape-border: 1px #212121;
    --active-shape-border: 1px #212121;
    --highlight-shape-color: #ff8e8e00;
    --highlight-shape-border: 1px #ff8e8e;
}
"""
IMAGE_OCCLUSION = NoteType(IMAGE_OCCLUSION_ID, "deck-image-occlusion", IMAGE_OCCLUSION_FIELDS,
                           (("Image Occlusion", _OCCLUSION_FRONT, _OCCLUSION_BACK),), css=_OCCLUSION_CSS + CSS,
                           cloze=True, stock_kind=STOCK_KIND_IMAGE_OCCLUSION, field_tags=(0, 1, 2, 3, 4))

# The built-in types, by the `type` a card gives; a deck's own types join them by name.
NOTE_TYPES = {"basic": BASIC, "reversed": REVERSED, "cloze": CLOZE, "type-in": TYPE_IN,
              "image-occlusion": IMAGE_OCCLUSION}

BUILT_IN_NAMES = frozenset(NOTE_TYPES) | {note_type.name for note_type in NOTE_TYPES.values()}  # keys, Anki names
BUILT_IN_IDS = frozenset(note_type.id for note_type in NOTE_TYPES.values())


def declared(specs: dict[str, NoteTypeSpec]) -> dict[str, NoteType]:
    """Every note type a deck's cards may use, by the `type` they give: the built-in ones and the
    deck's own (valid ones: see `problems`)."""
    return NOTE_TYPES | {name: from_spec(name, spec) for name, spec in specs.items()}


def all_valid(deck: Deck) -> bool:
    """Whether `deck.validate` would find nothing wrong with the deck's own note types and the cards
    of them: each type as Anki takes it, no two with one id, each card's `type` one of them and its
    fields theirs, each picture card's `note-type` one of kind image-occlusion (the fast check asks;
    the located one explains)."""
    specs = deck.note_types
    return (all(not problems(name, spec) for name, spec in specs.items())
            and len({spec.id for spec in specs.values()}) == len(specs)
            and all(card.type in specs and set(card.fields) <= set(specs[card.type].field_names())
                    for card in deck.cards if isinstance(card, NoteCard))
            and all(occlusion_type_problem(card.note_type, specs) is None
                    for card in deck.cards if isinstance(card, ImageOcclusionCard) and card.note_type is not None))


def occlusion_type_problem(key: str, specs: dict[str, NoteTypeSpec]) -> str | None:
    """What is wrong with `note-type: KEY` on an image occlusion card, or None: it must name a note
    type the deck declares with `kind: image-occlusion`."""
    kinds = [name for name, spec in specs.items() if spec.kind == "image-occlusion"]
    if key in kinds:
        return None
    what = f"note type '{key}' is not of kind image-occlusion" if key in specs else f"no note type '{key}' is declared"
    return (f"{what}; 'note-type' names one of the deck's note types of kind image-occlusion"
            + (f": {', '.join(kinds)}" if kinds else "") + ", or is left out for deck's own")


def from_spec(name: str, spec: NoteTypeSpec) -> NoteType:
    fields = spec.field_names()
    occlusion = spec.kind == "image-occlusion"
    return NoteType(
        int(spec.id), spec.name or name, tuple(fields),
        tuple((template.name, template.front, template.back) for template in spec.templates),
        css=spec.css, cloze=spec.kind != "standard",
        stock_kind=STOCK_KIND_IMAGE_OCCLUSION if occlusion else 0,
        field_tags=IMAGE_OCCLUSION.field_tags if occlusion else (),
        sort_field=fields.index(spec.sort_field) if spec.sort_field in fields else 0,
        html_fields=frozenset(item.name for item in spec.fields if not isinstance(item, str) and item.format == "html"),
        latex_pre=spec.latex_pre or LATEX_PRE, latex_post=spec.latex_post or LATEX_POST,
    )



Where = tuple[str | int, ...]  # a path inside a note type's declaration, as pydantic gives one


def problems(name: str, spec: NoteTypeSpec) -> list[tuple[Where, str]]:
    """What Anki would refuse or misread in a declared note type, each with the place in it.

    Bad: a template naming a field the type does not have; a front naming none (``<b>Q</b>``); two
    templates of one front (without ``{{Card}}``); a cloze type without ``{{cloze:...}}`` on both
    sides; two fields of one name; the name or id of a built-in type; a script in a template of a
    type that does not say ``scripts: yes``.
    """
    found: list[tuple[Where, str]] = []
    if name in NOTE_TYPES:
        found.append(((), f"'{name}' is a built-in card type; give the note type another key (its name in Anki "
                          "can stay, under 'name')"))
    if (spec.name or name) in BUILT_IN_NAMES - set(NOTE_TYPES):
        found.append((("name",) if spec.name else (), f"'{spec.name or name}' is the name of one of deck's built-in "
                                                      "note types; choose another"))
    if int(spec.id) in BUILT_IN_IDS:
        found.append((("id",), f"id {spec.id} is a built-in note type's; choose another (Anki matches note types by id)"))
    fields = spec.field_names()
    seen: set[str] = set()
    for number, field in enumerate(fields):
        if field.casefold() in seen:
            found.append((("fields", number), f"field '{field}' is named twice; Anki needs each name once"))
        seen.add(field.casefold())
    if spec.sort_field is not None and spec.sort_field not in fields:
        found.append((("sort-field",), f"sort field '{spec.sort_field}' is not one of the fields: {', '.join(fields)}"))
    if spec.kind != "standard" and len(spec.templates) > 1:
        found.append((("templates",), "a cloze note type has one template; Anki makes one card per deletion"))
    if spec.kind == "image-occlusion" and len(fields) != len(IMAGE_OCCLUSION_FIELDS):
        found.append((("fields",), f"an image occlusion note type has {len(IMAGE_OCCLUSION_FIELDS)} fields, as Anki's: "
                                   f"{', '.join(IMAGE_OCCLUSION_FIELDS)} (in that order; named as you like), "
                                   f"not {len(fields)}"))
    names: set[str] = set()
    for number, template in enumerate(spec.templates):
        if template.name in names:
            found.append((("templates", number, "name"), f"template '{template.name}' is named twice"))
        names.add(template.name)
        # As Anki refuses a note type ("The front side is identical to card template 1"), unless {{Card}}
        # (the template's name) makes the fronts differ (notetype/mod.rs, ensure_template_fronts_unique).
        same = next((other.name for other in spec.templates[:number] if other.front == template.front
                     and not templates.names_card(template.front)), None)
        if same is not None:
            found.append((("templates", number, "front"), f"template '{template.name}', front: identical to "
                                                          f"template '{same}''s front; Anki refuses such a note type: "
                                                          "make them differ"))
        for side in ("front", "back"):
            text = getattr(template, side)
            found += [(("templates", number, side), message)
                      for message in _template_problems(template.name, side, text, fields, spec.kind != "standard")]
            found += [(("templates", number, side), f"template '{template.name}', {side}: {finding.message}, or "
                                                    "say 'scripts: yes' on the note type if it must run")
                      for finding in htmlfields.findings(text) if spec.scripts == "no" and finding.code == "html-script"]
    return found


def _template_problems(template: str, side: str, text: str, fields: list[str], cloze: bool) -> list[str]:
    label = f"template '{template}', {side}"
    try:
        nodes = templates.parse(text)
    except templates.TemplateError as error:
        return [f"{label}: {error}"]
    found = [f"{label}: names field '{field}', which the note type does not have; its fields: {', '.join(fields)}"
             for field in dict.fromkeys(templates.field_names(nodes)) if field not in fields]
    if side == "front" and not templates.references(nodes):
        found.append(f"{label}: names no field, and Anki refuses a front without one; add one, like "
                     f"'{{{{{fields[0]}}}}}'")
    if cloze and not templates.has_cloze(nodes):
        found.append(f"{label}: a cloze note type shows its deletions with '{{{{cloze:Field}}}}'; add one")
    return found


def card_ords(note_type: NoteType, fields: tuple[str, ...], tags: tuple[str, ...],
              cloze_numbers: set[int]) -> tuple[int, ...]:
    """The cards Anki makes of a note of `note_type`, as template numbers from 0 (cardgen.rs): each
    template whose front shows a filled field; for a cloze type, one per deletion number in any
    field (`cloze_numbers`); and the first, when that makes none, so that every note has a card."""
    if note_type.cloze:
        made = tuple(sorted(min(number, 500) - 1 for number in cloze_numbers))
    else:
        filled = {name for name, text in zip(note_type.fields, fields) if templates.nonempty(text)}
        filled |= {special for special in templates.SPECIAL_FIELDS - set(note_type.fields) - {"FrontSide"}
                   if special != "Tags" or tags}
        made = tuple(number for number, (_, front, _) in enumerate(note_type.templates)
                     if templates.renders(_parsed_front(front), filled))
    return made or (0,)


@cache
def _parsed_front(template: str) -> list[templates.Node]:
    """A front template's nodes, read once for all the notes of its type (read only, by `card_ords`)."""
    return templates.parse(template)
