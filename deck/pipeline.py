"""The whole compiler in two calls: `check` a deck file, `build` it into a package.

Each stage collects problems and hands on what is valid, so one run reports everything:
source (bytes -> nodes) -> validate (nodes -> cards) -> render (cards -> HTML fields) -> package.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from deck import render, source, validate
from deck.cards import Card, ClozeCard, Deck, Source
from deck.notetypes import NOTE_TYPES
from deck.package import DeckTree, Note, write
from deck.problems import Problem, has_errors


@dataclass
class Checked:
    """A checked deck file: its notes, ready to package, when `problems` holds no error."""

    deck: Deck | None
    notes: list[Note] = field(default_factory=list)
    description: str = ""
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.deck is not None and not has_errors(self.problems)

    def counts(self) -> str:
        """'3 notes (2 basic, 1 cloze), 4 cards'."""
        kinds = Counter(note.kind for note in self.notes)
        by_kind = ", ".join(f"{kinds[kind]} {kind}" for kind in NOTE_TYPES if kinds[kind])
        cards = sum(note.card_count for note in self.notes)
        return f"{_count(len(self.notes), 'note')} ({by_kind}), {_count(cards, 'card')}"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


class BuildError(Exception):
    """The package could not be written; nothing on disk was changed."""


def check(path: str) -> Checked:
    """Read, validate and render the deck file at `path`, collecting every problem."""
    document = source.read(path, Path(path).read_bytes())
    validated = validate.validate(document)
    checked = Checked(validated.deck, problems=validated.problems)
    root = document.root
    if validated.deck is not None and validated.deck.deck.description and isinstance(root, source.Mapping):
        checked.description = _field(document, checked.problems, "deck", root.pairs["deck"][1], "description",
                                     validated.deck.deck.description)
    # Cards are checked even when the deck is not, so that one run reports every problem.
    sources = validated.deck.sources if validated.deck else {}
    for card, node in validated.cards:
        checked.notes.append(_note(document, checked.problems, card, node, sources))
    checked.problems.sort()
    return checked


def build(path: str, out: Path | None = None) -> tuple[Checked, Path | None]:
    """Check, then write the package; nothing is written while any error exists."""
    checked = check(path)
    if not checked.ok:
        return checked, None
    assert checked.deck is not None
    info = checked.deck.deck
    out = out or Path(f"{info.id}.apkg")
    tree = DeckTree(info.id, info.name, checked.description)
    try:
        write(tree, checked.notes, out, build_time())
    except OSError as error:
        raise BuildError(f"cannot write {out}: {error.strerror or error}") from error
    return checked, out


def build_time() -> int:
    """Seconds since the epoch: SOURCE_DATE_EPOCH when set (reproducible builds), else now."""
    value = os.environ.get("SOURCE_DATE_EPOCH")
    if value is None:
        return int(time.time())
    if not value.isdigit():
        raise BuildError(f"SOURCE_DATE_EPOCH must be a whole number of seconds, not {value!r}")
    return int(value)


def _note(document: source.Document, problems: list[Problem], card: Card, node: source.Mapping,
          sources: dict[str, Source]) -> Note:
    label = f"card '{card.id}'"
    rendered = {
        name: _field(document, problems, label, node, name, getattr(card, name))
        for name in ("question", "answer", "text", "extra")
        if getattr(card, name, None)
    }
    cited = sources.get(card.source) if card.source else None
    citation = render.citation(cited.title, cited.author, cited.publisher, cited.date, cited.url) if cited else ""
    back_matter = (rendered.get("extra", ""), citation, "")
    if isinstance(card, ClozeCard):
        fields = (rendered["text"], *back_matter)
        card_count = len(render.cloze_numbers(card.text))
    else:
        fields = (rendered["question"], rendered["answer"], *back_matter)
        card_count = len(NOTE_TYPES[card.type].templates)
    return Note(
        card_id=card.id,
        kind=card.type,
        fields=fields,
        tags=tuple(card.tags),
        subdeck=card.deck,
        card_count=card_count,
    )


def _field(document: source.Document, problems: list[Problem], label: str, node: source.Mapping,
           name: str, text: str) -> str:
    """Render one field to HTML, reporting what it holds that Anki must not see, where it is."""
    html, findings = render.to_html(text)
    findings += render.check_cloze(text) if name == "text" else render.check_not_cloze(text, name)
    value = node.pairs[name][1]
    for finding in findings:
        line, column = document.locate(value, finding.snippet)
        problems.append(document.problem(line, column, finding.code, f"{label}: {finding.message}"))
    return html
