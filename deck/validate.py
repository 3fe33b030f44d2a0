"""Located nodes -> a validated `Deck`, and a located problem for everything wrong with it.

pydantic checks shapes and patterns (`deck.cards` is the single definition of the format); this
module turns each of its errors into a message at the right line and column, then runs the checks
that span several places (duplicate ids, unknown sources). Every card is validated on its own, so
one bad card never hides the problems of another.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from deck import fastread, notetypes
from deck.cards import (CARD_TYPES, LINT_RULES, SLUG_PATTERN, Card, Deck, DeckInfo, ImageOcclusionCard, Mask, NoteCard,
                        NoteTypeSpec, Source)
from deck.nodes import UNPLACED, Document, Mapping, Node, Scalar, Sequence
from deck.problems import Problem

TOP_LEVEL_KEYS = ("deck", "sources", "note-types", "cards", "include")
# Said of a file without 'deck', which may be one of a deck's several files.
PART_OF_A_DECK = "a file holding part of a deck is checked with the rest: give its folder, or the file that includes it"

Model = TypeVar("Model", bound=BaseModel)
Kind = TypeVar("Kind", Scalar, Mapping, Sequence)


@dataclass
class Validated:
    """The deck when the whole file is valid; in any case every card that is valid on its own,
    with its node, so that later checks can look into it and point into the file."""

    deck: Deck | None
    cards: list[tuple[Card, Mapping]]
    problems: list[Problem]
    unchecked: list[tuple[str, Mapping]]  # (label, node) of each card that is not valid
    note_types: dict[str, NoteTypeSpec]  # the deck's own that are valid, which valid cards may use
    unreported: int = 0  # errors past `max_errors`, counted but not made into problems


def validate(document: Document, max_errors: int = 0) -> Validated:
    """Check a read document against the format; collect every problem rather than stop at one.
    Past `max_errors` errors (0: no limit), the rest are only counted: explaining and locating
    1.6 million of them, never printed, was three quarters of the time of checking 800,000 cards."""
    if document.fast:
        read_fast = fastread.deck(document)
        return Validated(read_fast, [(card, UNPLACED) for card in read_fast.cards], [], [], read_fast.note_types)
    checker = _Checker(document, max_errors)
    return Validated(checker.run(), checker.cards, checker.problems, checker.unchecked, checker.valid_note_types,
                     checker.unreported)


def to_data(node: Node) -> object:
    """Nodes -> plain dicts, lists and strings (nesting is bounded by `reading.MAX_DEPTH`)."""
    if isinstance(node, Scalar):
        return node.value
    if isinstance(node, Sequence):
        return [to_data(item) for item in node.items]
    return {key: to_data(value) for key, (_, value) in node.pairs.items()}


_KIND_NAMES = {Scalar: "text", Sequence: "a list", Mapping: "a mapping"}


def _kind_of(node: Node) -> str:
    return _KIND_NAMES[type(node)]


def _suggestion(word: str, choices: list[str] | tuple[str, ...]) -> str:
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    if close:
        return f"did you mean '{close[0]}'?"
    return "expected one of: " + ", ".join(choices)


class _Checker:
    def __init__(self, document: Document, max_errors: int = 0) -> None:
        self.document = document
        self.problems: list[Problem] = list(document.problems)
        self.max_errors = max_errors
        self.errors = sum(problem.severity == "error" for problem in self.problems)
        self.unreported = 0
        self.cards: list[tuple[Card, Mapping]] = []
        self.unchecked: list[tuple[str, Mapping]] = []
        self.note_types: dict[str, NoteTypeSpec] | None = {}  # None: not all of them valid
        self.valid_note_types: dict[str, NoteTypeSpec] = {}

    def full(self) -> bool:
        """Whether `max_errors` errors are collected: any more are only counted."""
        return 0 < self.max_errors <= self.errors

    def report(self, node: Node, code: str, message: str, snippet: str | None = None) -> None:
        if self.full():
            self.unreported += 1
            return
        line, column = self.document.locate(node, snippet)
        self.problems.append(self.document.problem(line, column, code, message))
        self.errors += 1

    def run(self) -> Deck | None:
        root = self.document.root
        if root is None:
            if not self.document.problems:
                self.problems.append(self.document.problem(
                    1, 1, "empty-file", "the file is empty; start it with 'deck:' and 'cards:'"))
            return None
        if not isinstance(root, Mapping):
            self.report(root, "wrong-type",
                        f"the file must be a mapping with 'deck' and 'cards', not {_kind_of(root)}")
            return None
        for key, (key_node, _) in root.pairs.items():
            if key not in TOP_LEVEL_KEYS:
                self.report(key_node, "unknown-key",
                            f"unknown key '{key}'; {_suggestion(key, TOP_LEVEL_KEYS)}")
        info = self._deck_info(root)
        # One file without 'deck' and 'sources' is likely a part of a deck checked alone: its cards'
        # sources are in the file with the deck, so none is reported missing here.
        alone = not self.document.parts and "deck" not in root.pairs and "sources" not in root.pairs
        sources = None if alone else self._sources(root)
        self.note_types = self._note_types(root)
        self._cards(root, sources)
        if info is None or sources is None or self.note_types is None or self.problems:
            return None
        return Deck(deck=info, sources=sources, cards=[card for card, _ in self.cards],
                    **{"note-types": self.note_types})

    def _required(self, root: Mapping, key: str, kind: type[Kind]) -> Kind | None:
        if key not in root.pairs:
            set_aside = key == "cards" and any(problem.code == "syntax" for problem in self.document.problems)
            if self.document.unread or set_aside:
                return None  # it may be in a file not read, or its cards set aside (deck.recovery): that is the report
            if self.document.parts:  # a deck of several files
                message = f"'{key}' is required in one of the deck's files"
            else:
                message = f"'{key}' is required at the top of the file" + (
                    f"; {PART_OF_A_DECK}" if key == "deck" else "")
            self.report(root, "missing-field", message)
            return None
        node = root.pairs[key][1]
        if not isinstance(node, kind):
            self.report(node, "wrong-type", f"'{key}' must be {_KIND_NAMES[kind]}, not {_kind_of(node)}")
            return None
        return node

    def _deck_info(self, root: Mapping) -> DeckInfo | None:
        node = self._required(root, "deck", Mapping)
        return self._model(DeckInfo, node, "deck") if node else None

    def _sources(self, root: Mapping) -> dict[str, Source] | None:
        if "sources" not in root.pairs:
            return {}
        node = root.pairs["sources"][1]
        if not isinstance(node, Mapping):
            self.report(node, "wrong-type", f"'sources' must be a mapping of keys to sources, not {_kind_of(node)}")
            return None
        sources: dict[str, Source] | None = {}
        for key, (key_node, value) in node.pairs.items():
            label = f"source '{key}'"
            if not re.fullmatch(SLUG_PATTERN, key):
                self.report(key_node, "bad-id",
                            f"{label}: key is not valid; use lowercase letters, digits and '-' (like 'huizen-2019')")
            source = self._model(Source, value, label) if isinstance(value, Mapping) else None
            if not isinstance(value, Mapping):
                self.report(value, "wrong-type", f"{label} must be a mapping with a 'title', not {_kind_of(value)}")
            if source is None or sources is None:
                sources = None
            else:
                sources[key] = source
        return sources

    def _note_types(self, root: Mapping) -> dict[str, NoteTypeSpec] | None:
        """The deck's own note types, each checked as Anki would take it (`notetypes.problems`),
        and no two with one id (Anki matches note types by id: the second would replace the first)."""
        if "note-types" not in root.pairs:
            return {}
        node = root.pairs["note-types"][1]
        if not isinstance(node, Mapping):
            self.report(node, "wrong-type", f"'note-types' must be a mapping of names to note types, not {_kind_of(node)}")
            return None
        specs: dict[str, NoteTypeSpec] | None = {}
        ids: dict[str, str] = {}
        for name, (key_node, value) in node.pairs.items():
            label = f"note type '{name}'"
            spec = self._model(NoteTypeSpec, value, label) if isinstance(value, Mapping) else None
            if not isinstance(value, Mapping):
                self.report(value, "wrong-type", f"{label} must be a mapping with 'id', 'fields' and 'templates', "
                                                 f"not {_kind_of(value)}")
            if spec is None:
                specs = None
                continue
            assert isinstance(value, Mapping)
            found = notetypes.problems(name, spec)
            for where, message in found:
                self.report(_walk(value, where) if where else key_node, "bad-note-type", f"{label}: {message}")
            if found:
                specs = None
                continue
            self.valid_note_types[name] = spec
            if ids.setdefault(spec.id, name) != name:
                self.report(value.pairs["id"][1], "duplicate-note-type-id",
                            f"{label}: id {spec.id} is also note type '{ids[spec.id]}''s; Anki matches note types by "
                            "id, so give each its own")
            if specs is not None:
                specs[name] = spec
        return specs

    def _cards(self, root: Mapping, sources: dict[str, Source] | None) -> None:
        node = self._required(root, "cards", Sequence)
        if node is None:
            return
        if not node.items:
            self.report(node, "empty-deck", "'cards' is empty; add at least one card")
        self._unique_ids(node)
        for number, item in enumerate(node.items, start=1):
            card = self._card(item, number)
            if not isinstance(item, Mapping):
                continue  # (reported as such by _card)
            self._known_source(item, number, sources)
            if card is not None:
                self.cards.append((card, item))
            else:
                self.unchecked.append((_label(item, number), item))
        self._subdecks_differ_in_more_than_case(self.cards)

    def _known_source(self, card: Mapping, number: int, sources: dict[str, Source] | None) -> None:
        """A card's `source` names a key of `sources`.

        Good: ``source: huizen-2019`` with ``sources: {huizen-2019: ...}``. Bad: ``source: huizen``.
        """
        node = card.pairs.get("source", (None, None))[1]
        if sources is None or not isinstance(node, Scalar) or node.value in sources or self.document.unread:
            return  # (a source of a file not read is not known to be missing)
        fix = _suggestion(node.value, sorted(sources)) if sources else "add it under 'sources'"
        self.report(node, "unknown-source",
                    f"{_label(card, number)}: source '{node.value}' is not in 'sources'; {fix}")

    def _unique_ids(self, cards: Sequence) -> None:
        """Ids (and guids, where given) are unique in the deck, whether or not the rest of each
        card is valid.

        Good: ``[{id: width, ...}, {id: depth, ...}]``. Bad: ``[{id: width, ...}, {id: width, ...}]``.
        """
        for key in ("id", "guid"):
            first_use: dict[str, Scalar] = {}
            for number, item in enumerate(cards.items, start=1):
                if not isinstance(item, Mapping):
                    continue
                node = item.pairs.get(key, (None, None))[1]
                if not isinstance(node, Scalar):
                    continue
                first = first_use.setdefault(node.value, node)
                if first is not node:
                    self.report(node, f"duplicate-{key}",
                                f"{_label(item, number)}: {key} is already used by the card at "
                                f"{self.document.line_of(first)}; "
                                f"{key}s must be unique")

    def _subdecks_differ_in_more_than_case(self, cards: list[tuple[Card, Mapping]]) -> None:
        """Anki treats deck names that differ only in case as one name, and splits them oddly.

        Good: ``deck: Definition`` on every card of that subdeck. Bad: ``deck: Definition`` and ``deck: definition``.
        """
        first: dict[str, str] = {}
        for card, node in cards:
            if card.deck is not None and first.setdefault(card.deck.casefold(), card.deck) != card.deck:
                self.report(node.pairs["deck"][1], "deck-case",
                            f"card '{card.id}': subdeck '{card.deck}' differs from '{first[card.deck.casefold()]}' "
                            "only in case, which Anki treats as one deck; write it the same way")

    def _card(self, node: Node, number: int) -> Card | None:
        if not isinstance(node, Mapping):
            self.report(node, "wrong-type", f"card #{number} must be a mapping with 'id' and fields, not {_kind_of(node)}")
            return None
        label = _label(node, number)
        type_node = node.pairs.get("type", (None, None))[1]
        declared = self.valid_note_types  # (a card of one with problems is not checked: they are reported)
        if type_node is None or (isinstance(type_node, Scalar) and type_node.value in CARD_TYPES):
            built = self._model(CARD_TYPES[type_node.value if type_node else "basic"], node, label)
            if isinstance(built, ImageOcclusionCard) and built.note_type is not None and self.note_types is not None:
                if (wrong := notetypes.occlusion_type_problem(built.note_type, declared)) is not None:
                    self.report(node.pairs["note-type"][1], "unknown-type", f"{label}: {wrong}")
                    return None
            return built
        if isinstance(type_node, Scalar) and (type_node.value in declared or self.note_types is None):
            card = self._model(NoteCard, node, label)
            return self._declared_fields(card, node, label, declared.get(type_node.value)) if card else None
        shown = type_node.value if isinstance(type_node, Scalar) else _kind_of(type_node)
        suggestion = _suggestion(shown, (*CARD_TYPES, *declared))
        self.report(type_node, "unknown-type", f"{label}: unknown card type '{shown}'; {suggestion}")
        # Check the rest as the type it most likely means, so one run still shows every problem.
        likely = next((kind for kind in (*CARD_TYPES, *declared) if f"'{kind}'" in suggestion), "basic")
        if likely in declared:
            self._model(NoteCard, node, label, as_type=likely)
        else:
            self._model(CARD_TYPES[likely], node, label, as_type=likely)
        return None

    def _declared_fields(self, card: NoteCard, node: Mapping, label: str, spec: NoteTypeSpec | None) -> NoteCard | None:
        """A card of a deck's own note type names only fields of that type.

        Good: ``fields: {Front: ..., Back: ...}`` for a type with those fields. Bad: ``fields: {Frnt: ...}``.
        """
        if spec is None:  # its note type is not valid, and reported
            return None
        names = spec.field_names()
        fields = node.pairs["fields"][1]
        assert isinstance(fields, Mapping)  # (the card is valid)
        unknown = [name for name in card.fields if name not in names]
        for name in unknown:
            self.report(fields.pairs[name][0], "unknown-field",
                        f"{label}: note type '{card.type}' has no field '{name}'; {_suggestion(name, names)}")
        return None if unknown else card

    def _model(self, model: type[Model], node: Mapping, label: str, as_type: str | None = None) -> Model | None:
        data = to_data(node)
        assert isinstance(data, dict)
        if as_type is not None:  # the card's own type is unknown, and already reported
            data["type"] = as_type
        try:
            return model.model_validate(data)
        except ValidationError as error:
            if self.full():  # (each of its errors is one problem: see `_explain`)
                self.unreported += error.error_count()
                return None
            for detail in error.errors():
                self._explain(model, node, label, detail)
            return None

    def _explain(self, model: type[BaseModel], node: Mapping, label: str, detail: ErrorDetails) -> None:
        """One pydantic error -> one problem at the node it is about, with what to do."""
        loc, kind, value = detail["loc"], detail["type"], detail["input"]
        field = str(loc[0])
        target = _walk(node, loc)
        if len(loc) > 1 and field == "lint" and kind != "literal_error":  # inside `lint: {disable: [...]}`
            self._explain_lint(_walk(node, loc[:1]), label, detail)
            return
        if field == "masks" and kind != "missing":
            self._explain_mask(node, label, detail)
            return
        if kind == "missing" and field == "id" and model in (*CARD_TYPES.values(), NoteCard):
            self.report(node, "missing-id",
                        f"{label}: 'id' is required; run 'deck ids' to give every card without one a readable id")
        elif kind == "missing":
            self.report(node, "missing-field", f"{label}: '{field}' is required")
        elif kind == "extra_forbidden":
            key_node = node.pairs[field][0]
            self.report(key_node, "unknown-key", f"{label}: {_unknown_key(model, field)}")
        elif kind in ("string_type", "list_type"):
            wanted = "a list, like [a, b]" if kind == "list_type" else "text"
            self.report(target, "wrong-type", f"{label}: '{field}' must be {wanted}, not {_kind_of(target)}")
        elif kind == "string_pattern_mismatch" and not str(value).strip() and field == "templates" and len(loc) == 3:
            name = _walk(node, (*loc[:2], "name"))
            template = f"'{name.value}'" if isinstance(name, Scalar) else str(int(loc[1]) + 1)
            self.report(target, "empty-text", f"{label}: template {template}, {loc[2]}: is empty; write it")
        elif kind == "string_pattern_mismatch" and not str(value).strip():
            self.report(target, "empty-text", f"{label}: '{field}' is empty; write the text or remove the key")
        elif kind == "literal_error" and field == "lint":
            self.report(target, "unknown-rule",
                        f"{label}: unknown lint rule '{value}'; {_suggestion(str(value), LINT_RULES)}")
        elif kind == "string_pattern_mismatch" and model is NoteTypeSpec and field == "id":
            self.report(target, "bad-note-type-id",
                        f"{label}: id '{value}' is not valid; use the whole number Anki has for the note type")
        elif kind == "string_pattern_mismatch" and model is NoteTypeSpec:
            self.report(target, "bad-field-name",
                        f"{label}: '{value}' is not a field name Anki accepts; leave out ':', '{{', '}}' and '\"', "
                        "and start with a letter or digit")
        elif kind == "string_pattern_mismatch" and field == "guid":
            self.report(target, "bad-guid",
                        f"{label}: guid '{value}' is not valid; use up to 64 printable characters without spaces")
        elif kind == "string_pattern_mismatch" and field == "tags":
            why = ("has a space (Anki splits tags on spaces)" if re.search(r"\s", value)
                   else "has a '\"' or a control character, which Anki drops" if re.search(r'["\x00-\x1f\x7f]', value)
                   else "has an empty level")
            self.report(target, "bad-tag",
                        f"{label}: tag '{value}' {why}; join words with '-' and levels with '::'")
        elif kind == "string_pattern_mismatch":
            self.report(target, "bad-id",
                        f"{label}: '{field}' value '{value}' is not valid; use lowercase letters, digits and "
                        "single '-' (like 'tca-sessions')")
        elif kind == "value_error" and field == "url":  # (deck.urls says why, and what to write)
            self.report(target, "bad-url", f"{label}: url: {detail.get('ctx', {}).get('error')}")
        elif kind == "value_error":
            self.report(target, "bad-deck-name",
                        f"{label}: deck name '{value}' has a blank level; write names between the '::'")
        else:  # a shape the messages above do not know yet: still located, with pydantic's words
            self.report(target, "invalid", f"{label}: '{field}': {detail['msg']}")


    def _explain_mask(self, node: Mapping, label: str, detail: ErrorDetails) -> None:
        """An image occlusion card's `masks`: a list of shapes, each placed in fractions of the picture."""
        loc, kind, value = detail["loc"], detail["type"], detail["input"]
        target = _walk(node, loc)
        if len(loc) == 1:
            wanted = ("'masks' is empty" if kind == "too_short" else f"'masks' must be a list, not {_kind_of(target)}")
            self.report(target, "bad-mask", f"{label}: {wanted}; give one or more masks, like "
                                            "- {shape: rect, left: 0.1, top: 0.2, width: 0.3, height: 0.1}")
            return
        where = f"{label}: mask {int(loc[1]) + 1}"
        key = str(loc[2]) if len(loc) > 2 else None
        if kind == "value_error":  # (Mask's own check says what is wrong, and what it needs)
            message = str(detail.get("ctx", {}).get("error"))
        elif kind == "extra_forbidden":
            mapping = _walk(node, loc[:2])
            target = mapping.pairs[key][0] if isinstance(mapping, Mapping) and key in mapping.pairs else target
            message = f"unknown key '{key}'; {_suggestion(str(key), list(Mask.model_fields))}"
        elif key is None:
            message = f"must be a mapping, like {{shape: rect, left: 0.1, top: 0.2, width: 0.3, height: 0.1}}, not {_kind_of(target)}"
        elif key == "shape":
            message = f"unknown shape '{value}'; use rect, ellipse or polygon" if kind == "literal_error" else \
                "needs 'shape': rect, ellipse or polygon"
        elif key == "card":
            message = f"card '{value}' is not a card number; write a whole number from 1 to 500"
        elif key == "points" and len(loc) == 4 or kind in ("list_type", "tuple_type", "too_short", "too_long"):
            message = "each point is [x, y]: two fractions of the picture's width and height, from 0 to 1"
        else:
            what = f"point {int(loc[3]) + 1}" if key == "points" else f"'{key}'"
            message = f"{what} is '{value}', not a fraction of the picture; write a number from 0 to 1"
        self.report(target, "bad-mask", f"{where}: {message}")

    def _explain_lint(self, settings: Node, label: str, detail: ErrorDetails) -> None:
        """`lint:` holds one key, `disable`, with a list of rule ids."""
        loc = detail["loc"]
        if detail["type"] == "extra_forbidden" and isinstance(settings, Mapping):
            key = str(loc[-1])
            self.report(settings.pairs[key][0], "unknown-key",
                        f"{label}: unknown key '{key}' in 'lint'; {_suggestion(key, ('disable',))}")
        else:
            self.report(_walk(settings, loc[1:]), "wrong-type",
                        f"{label}: 'lint' takes a list of rules to turn off, like {{disable: [yes-no-question]}}")


def _label(card: Mapping, number: int) -> str:
    """How messages name a card: by its id when it has one, else by its place in the list."""
    id_node = card.pairs.get("id", (None, None))[1]
    return f"card '{id_node.value}'" if isinstance(id_node, Scalar) and id_node.value else f"card #{number}"


def _walk(node: Node, loc: tuple) -> Node:
    for step in loc:
        if isinstance(node, Mapping) and step in node.pairs:
            node = node.pairs[step][1]
        elif isinstance(node, Sequence) and isinstance(step, int) and step < len(node.items):
            node = node.items[step]
    return node


def _unknown_key(model: type[BaseModel], key: str) -> str:
    fields = list(model.model_fields)
    others = [name for name, other in CARD_TYPES.items() if key in other.model_fields and other is not model]
    if others and model in CARD_TYPES.values():
        this = next(name for name, card_model in CARD_TYPES.items() if card_model is model)
        fix = "set 'type: cloze'" if key == "text" else "use 'text' with {{c1::...}} deletions"
        kinds = ", ".join(others[:-1]) + " and " + others[-1] if len(others) > 1 else others[0]
        return f"'{key}' belongs to {kinds} cards, but this card is {this}; {fix}"
    return f"unknown key '{key}'; {_suggestion(key, fields)}"
