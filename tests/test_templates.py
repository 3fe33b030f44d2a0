"""deck's port of Anki's template rules (deck/templates.py, as deck/notetypes.py uses it) against
Anki itself: hypothesis draws note types and notes from a grammar of Anki's template language, and a
real collection says which note types Anki refuses and which cards it makes of a note.

Deck is stricter than Anki on purpose in two ways, which the grammar leaves out: a cloze note type
has one template (Anki keeps more, but makes a card per deletion of the first), and a template may
not hold a script unless its note type says 'scripts: yes'.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from anki.collection import Collection
from anki.models import MODEL_CLOZE, NotetypeDict
from hypothesis import given, note, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from deck import cloze, notetypes, templates
from deck.cards import NoteTypeSpec

# Field names as a deck file gives them; a field may take a special field's name ('Deck', 'Tags').
FIELD_NAMES = ("Front", "Back", "Word", "Extra Info", "Deck", "Tags")
# What a template may name besides the note's fields: no field ('Nope'), one in the wrong case
# ('front'), the fields Anki fills in itself, no name at all, and sections on a cloze number, which are
# no field (up to Rust's u32, by Anki's parse: '+' allowed, 'C1' and an overflow a field).
OTHER_NAMES = ("Nope", "front", *sorted(templates.SPECIAL_FIELDS), "", "c1", "c+2", "C1", "c4294967295",
               "c4294967296")
# Blank as Rust's trim() sees it, and not ('\x1f' is blank to Python's strip() only).
SPACES = (" ", "  ", "\n", "\t", "\xa0", "\u3000", "\x1f")
FILTERS = ("text:", "cloze:", "type:", "hint:", "tts en_US:", "type:cloze:", "nope:", ":")
TEXTS = ("x", " ", "<br>", "{", "}", "<!--", "-->", "<%", "%>", ":", "#", "/", "^")
# Braces Anki may read as a handlebar, or not.
ODD = ("{{", "}}", "{{{", "{{}}", "{{ }}", "{{!x}}", "{{#}}", "{{/}}", "{{^}}", "{{=<% %>=}}", "{{:}}")
ALTERNATIVE = "{{=<% %>=}}"


@pytest.fixture(scope="module")
def shared_collection(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Collection]:
    """One real Anki collection for every example of a test (a new one for each is slow)."""
    col = Collection(str(tmp_path_factory.mktemp("anki") / "collection.anki2"))
    yield col
    col.close()


def mostly(common: st.SearchStrategy, rare: st.SearchStrategy) -> st.SearchStrategy:
    """`common` seven times in eight, else `rare`: most note types drawn are then ones Anki adds."""
    return st.integers(0, 7).flatmap(lambda number: common if number else rare)


@st.composite
def sides(draw: st.DrawFn, fields: list[str], odd: bool, cloze: bool = False, depth: int = 0) -> str:
    """One side of a template: text, replacements (some with filters), sections, special fields,
    comments, Anki's legacy '<% %>' syntax; when `cloze`, mostly a {{cloze:...}}; and when `odd`,
    what Anki may refuse: sections closed wrongly or not at all, closings of nothing, names of no
    field, white space Anki keeps in a name, braces out of place, comments in comments."""
    def sometimes(common: st.SearchStrategy, rare: st.SearchStrategy) -> st.SearchStrategy:
        return mostly(common, rare) if odd else common

    field = st.sampled_from(fields)
    specials = sorted(templates.SPECIAL_FIELDS)
    name = mostly(field, st.sampled_from(OTHER_NAMES if odd else specials))
    section_name = mostly(field, st.sampled_from(OTHER_NAMES if odd else (*specials, "c1", "c+2")))
    space = sometimes(mostly(st.just(""), st.sampled_from(SPACES[:3])), st.sampled_from(SPACES))
    common = ("text", "field", "field", "section", "comment")
    parts = [f"{{{{cloze:{draw(field)}}}}}"] if cloze and draw(sometimes(st.just(True), st.just(False))) else []
    for number in range(draw(st.integers(0 if depth else 1, 4))):
        kind = draw(sometimes(st.sampled_from(common), st.sampled_from(("odd", "close", "comment", "legacy"))))
        if number == 0 and depth == 0 and not odd:  # a front Anki takes names a field
            kind = draw(st.sampled_from(("field", "section")))
        if kind == "text":
            parts.append(draw(st.sampled_from(TEXTS)))
        elif kind == "odd":
            parts.append(draw(st.sampled_from(ODD)))
        elif kind == "field":
            parts.append(f"{{{{{draw(mostly(st.just(''), st.just('{')))}{draw(space)}"
                         f"{draw(mostly(st.just(''), st.sampled_from(FILTERS)))}{draw(name)}{draw(space)}}}}}")
        elif kind == "section" and depth < 2:
            key = draw(section_name)
            closed = draw(sometimes(st.just(key), st.one_of(section_name, st.none())))
            parts.append(f"{{{{{draw(st.sampled_from('#^'))}{draw(space)}{key}{draw(space)}}}}}"
                         f"{draw(sides(fields, odd, depth=depth + 1))}"
                         + ("" if closed is None else f"{{{{/{draw(space)}{closed}}}}}"))
        elif kind == "close":
            parts.append(f"{{{{/{draw(name)}}}}}")
        elif kind == "comment":  # what it holds Anki ignores, unless it holds a comment's end
            inside = draw(sides(fields, odd, depth=depth + 1)) if odd else draw(st.sampled_from(TEXTS[:3]))
            parts.append(f"<!--{inside}{draw(sometimes(st.just('-->'), st.just('')))}")
        elif kind == "legacy":
            parts.append(f"<%{draw(st.sampled_from(('', '#', '^', '/')))}{draw(name)}%>")
    text = "".join(parts)
    if depth == 0 and draw(st.integers(0, 5)) == 0:  # the same in Anki's legacy syntax
        directives = draw(st.sampled_from(("", " ", "\n"))) + ALTERNATIVE * draw(st.integers(1, 2))
        text = directives + text.replace("{{", "<%").replace("}}", "%>")
    return text


@st.composite
def note_types(draw: st.DrawFn, odd: bool = True) -> dict:
    """A note type as a deck file declares it: 2-4 fields, 1-3 templates (1 for a cloze type); when
    `odd`, with some fronts the same as an earlier one's."""
    fields = draw(st.lists(st.sampled_from(FIELD_NAMES), min_size=2, max_size=4, unique=True))
    kind = draw(st.sampled_from(("standard", "standard", "cloze")))
    side = sides(fields, odd, cloze=kind == "cloze")
    fronts: list[str] = []
    for _ in range(1 if kind == "cloze" else draw(st.integers(1, 3))):
        fronts.append(draw(st.sampled_from(fronts)) if odd and fronts and draw(st.integers(0, 5)) == 0 else draw(side))
    return {"id": "1600000000999", "kind": kind, "fields": fields,
            "templates": [{"name": f"Card {number}", "front": front, "back": draw(side)}
                          for number, front in enumerate(fronts, start=1)]}


def deck_problems(declared: dict) -> list[str]:
    """What deck says is wrong with a declared note type (as `deck check` would, by its place)."""
    try:
        spec = NoteTypeSpec.model_validate(declared)
    except ValidationError as error:  # a blank front: 'empty-text'
        return [str(error)]
    return [message for _, message in notetypes.problems("Generated", spec)]


def anki_model(collection: Collection, declared: dict) -> NotetypeDict:
    """The note type as Anki's own, not yet added."""
    model = collection.models.new("Generated")
    for field in declared["fields"]:
        collection.models.add_field(model, collection.models.new_field(field))
    for declared_template in declared["templates"]:
        template = collection.models.new_template(declared_template["name"])
        template["qfmt"], template["afmt"] = declared_template["front"], declared_template["back"]
        collection.models.add_template(model, template)
    if declared["kind"] == "cloze":
        model["type"] = MODEL_CLOZE
    return model


def anki_refusal(collection: Collection, model: NotetypeDict) -> str | None:
    """Why Anki refuses to add the note type, or None when it adds it (and `model` has its id)."""
    try:
        collection.models.add(model)
    except Exception as error:  # noqa: BLE001 - CardTypeError mostly; any refusal counts
        return f"{type(error).__name__}: {error}"
    return None


@settings(max_examples=300, deadline=None, derandomize=True)
@given(declared=note_types())
def test_deck_refuses_the_note_types_anki_refuses(shared_collection: Collection, declared: dict) -> None:
    """Deck reports a problem with a declared note type exactly when Anki will not add it."""
    collection = shared_collection
    found = deck_problems(declared)
    refusal = anki_refusal(collection, anki_model(collection, declared))
    note(f"deck: {found}\nAnki: {refusal}")
    assert bool(found) == (refusal is not None)


def declaration(kind: str, *sides: tuple[str, str]) -> dict:
    return {"id": "1600000000999", "kind": kind, "fields": ["Front", "Back"],
            "templates": [{"name": f"Card {number}", "front": front, "back": back}
                          for number, (front, back) in enumerate(sides, start=1)]}


@pytest.mark.parametrize(("declared", "refused"), [
    (declaration("standard", ("{{Front}}", "{{Nope}}")), True),  # a back's unknown field too
    (declaration("standard", ("Front?", "{{Front}}")), True),  # a front that names no field
    (declaration("standard", ("<!--{{Front}}-->", "{{Front}}")), True),
    (declaration("standard", ("{{#c1}}{{/c1}}", "{{Front}}")), True),  # a deletion's number is no field
    (declaration("standard", ("{{Tags}}", "")), False),  # a special field is one
    (declaration("standard", ("{{}}", "")), False),  # and so is no name (add-ons fill it)
    (declaration("cloze", ("{{cloze:Front}}", "{{Front}}")), True),  # {{cloze:...}} on both sides
    (declaration("standard", ("{{=<% %>=}}{{=<% %>=}}<%Front%>", "")), False),  # the directive, twice
    (declaration("standard", ("{{=<% %>=}}{{=<% %>=}}", "{{Front}}")), True),
    (declaration("standard", ("{{Front}}{{#c4294967295}}{{/c4294967295}}", "")), False),  # to Rust's u32
    (declaration("standard", ("{{Front}}{{#c4294967296}}{{/c4294967296}}", "")), True),
    (declaration("standard", ("{{Front\u3000}}", "")), False),  # white space to Rust
    (declaration("standard", ("{{Front\x1f}}", "")), True),  # white space to Python only
    (declaration("standard", ("{{Card\u3000}}{{Front}}", ""), ("{{Card\u3000}}{{Front}}", "")), False),
    (declaration("standard", ("{{Card\x1f}}{{Front}}", ""), ("{{Card\x1f}}{{Front}}", "")), True),
])
def test_the_boundaries_found_are_anki_s(shared_collection: Collection, declared: dict, refused: bool) -> None:
    """Where deck and Anki once differed, and the edges next to them, each as Anki has it."""
    assert (anki_refusal(shared_collection, anki_model(shared_collection, declared)) is not None) == refused
    assert bool(deck_problems(declared)) == refused


# Field values: filled, and the blank ones Anki counts as empty (white space, <br>, empty <div>s) or not.
VALUES = ("", "x", " ", "\n", "<br>", "<BR />", "<div></div>", " <div> <br> </div>", "\xa0", "&nbsp;", "<b></b>",
          "<div>x</div>")


@st.composite
def cloze_texts(draw: st.DrawFn, depth: int = 0) -> str:
    """A field of a cloze note: text and deletions, some in others, some on two cards ('c1,2'), some
    with a hint, not closed, or numbered 0, past Anki's 500 cards or past 16 bits."""
    parts = []
    for _ in range(draw(st.integers(1 if depth == 0 else 0, 3))):
        if draw(st.booleans()):
            parts.append(draw(st.sampled_from(("x", " ", "}}", "{{", "::", "{{c", "<br>"))))
            continue
        numbers = draw(st.lists(st.sampled_from(("1", "2", "3", "0", "01", "501", "600", "65535", "65536", "")),
                                min_size=1, max_size=2))
        inside = draw(cloze_texts(depth + 1)) if depth < 2 else "x"
        end = draw(st.sampled_from(("}}", "}}", "::hint}}", "")))
        parts.append(f"{{{{c{','.join(numbers)}::{inside}{end}")
    return "".join(parts)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(declared=note_types(odd=False), data=st.data())
def test_the_cards_deck_counts_are_the_ones_anki_makes(shared_collection: Collection, declared: dict,
                                                       data: st.DataObject) -> None:
    """For a note type both accept, `card_ords` names the cards Anki makes of a note, however its
    fields are filled (for a cloze type, with deletions in any of them), with tags or without."""
    collection = shared_collection
    model = anki_model(collection, declared)
    if deck_problems(declared) or anki_refusal(collection, model):
        return
    note_type = notetypes.from_spec("Generated", NoteTypeSpec.model_validate(declared))
    value = st.one_of(st.sampled_from(VALUES), cloze_texts()) if note_type.cloze else st.sampled_from(VALUES)
    fields = tuple(data.draw(value) for _ in note_type.fields)
    tags = data.draw(st.sampled_from(((), ("t",))))
    anki_note = collection.new_note(model)
    anki_note.fields, anki_note.tags = list(fields), list(tags)
    collection.add_note(anki_note, collection.decks.id("Default"))  # type: ignore[arg-type]
    numbers = set().union(*map(cloze.cloze_numbers, fields)) if note_type.cloze else set()
    assert notetypes.card_ords(note_type, fields, tags, numbers) == tuple(sorted(c.ord for c in anki_note.cards()))
