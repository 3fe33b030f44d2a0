"""`deck init`: the files of a new deck, each teaching what goes in it.

A new deck is a folder with `cards.yaml` (one card of each type, each with its syntax explained in
comments), the schema editors check it with, a `.gitignore` for what a build makes, and a
pre-commit configuration running deck's own hooks. Nothing is written over an existing file.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from pydantic import ValidationError

from deck import ids, schema
from deck.cards import DeckInfo
from deck.files import write_atomically


class StartError(Exception):
    """The deck cannot be started as asked; nothing was written."""


CARDS = """\
# yaml-language-server: $schema=cards.schema.json
# A deck for `deck`: check it with `deck validate` (and `deck lint`), see it with `deck preview`,
# and turn it into an Anki package with `deck build`. Every value is text, as typed. Put a value
# in quotes when it holds ': ' or begins with one of  [ { * & ` > | @ % ! ? -  (Markdown often
# does), and always for cloze text: "{{c1::...}}".
deck:
  id: {deck_id}   # never change it once the deck is shared: every card's identity in Anki derives from it
  name: {name}   # may change; '::' makes subdecks, like "Psychology::Memory"
  description: "What this deck is for, shown on its overview screen in Anki. Fields are **Markdown**."

# Optional: what the cards are from. A card cites one with `source:`; the citation, with its link,
# is shown on the card's back. Only `title` is required.
sources:
  ebbinghaus-1885:
    title: "Memory: A Contribution to Experimental Psychology"
    author: Hermann Ebbinghaus
    date: 1885
    url: https://psychclassics.yorku.ca/Ebbinghaus/index.htm

cards:
  # A basic card (the default type): the question on the front, the answer on the back.
  # `id` is the card's identity in Anki: lowercase letters, digits and '-', unique, never reused.
  # Leave it out while writing, and `deck ids` makes one from the question.
  - id: forgetting-curve
    question: Who first measured the forgetting curve?
    answer: Hermann Ebbinghaus
    extra: He was his own test subject.   # optional, shown on the back below the answer
    tags: [history]                       # optional; no spaces; '::' for levels, like history::memory
    source: ebbinghaus-1885               # optional; a key of `sources` above
    # Also on any card: `deck: Subdeck` (a subdeck under the deck's name), a picture in any text,
    # "![what it shows](images/curve.png)", and sound on the back: `audio: sounds/word.mp3`
    # (paths relative to this file).

  # type: reversed makes two cards: question -> answer, and answer -> question.
  - id: savings
    type: reversed
    question: Savings (Ebbinghaus)
    answer: How much less effort relearning takes than first learning
    source: ebbinghaus-1885

  # type: cloze hides each {{c1::...}} in `text`, one card per number (c1, c2 ...);
  # {{c1::answer::hint}} shows the hint in the gap. Cloze text must be in quotes.
  - id: nonsense-syllables
    type: cloze
    text: "Ebbinghaus memorised lists of {{c1::nonsense syllables::what kind of words?}}."
    source: ebbinghaus-1885

  # type: type-in: the student types the answer, and Anki compares it letter by letter,
  # so keep the answer short and plain.
  - id: memory-published
    type: type-in
    question: In which year did Ebbinghaus publish his memory experiments?
    answer: 1885
    source: ebbinghaus-1885
"""

GITIGNORE = """\
# What deck makes from cards.yaml: built again at will, so not kept. (Keep cards.lock: commit it.)
*.apkg
preview.html
.*.tmp
"""

PRE_COMMIT = """\
# pre-commit (https://pre-commit.com) runs deck's own hooks on each commit that changes a cards.yaml:
#   pip install pre-commit && pre-commit install
# They call the `deck` command installed here. To have pre-commit install deck itself instead,
# name deck's repository (its .pre-commit-hooks.yaml holds these hooks):
#   - repo: <URL of deck's repository>
#     rev: <a tag or commit>
#     hooks: [{id: deck-validate}, {id: deck-lint}]
repos:
  - repo: local
    hooks:
      - id: deck-validate
        name: deck validate
        entry: deck validate
        language: system
        files: (^|/)cards\\.ya?ml$
      - id: deck-lint
        name: deck lint
        entry: deck lint --strict
        language: system
        files: (^|/)cards\\.ya?ml$
"""


def start(folder: Path, deck_id: str | None = None, name: str | None = None) -> list[Path]:
    """Write a new deck's files into `folder` (made if it is missing, but not its parents) and
    return them. The id is made from the folder's name unless given, and so is the name. Raises
    StartError if any of the files exists or the id or name is not valid, and OSError if a file
    cannot be written; either way, having left nothing behind."""
    folder_name = folder.resolve().name
    if deck_id is None:
        deck_id = _slug(folder_name)
        if not deck_id:
            raise StartError(f"cannot make a deck id from the folder name '{folder_name}'; give one with --id")
    name = name if name is not None else _title(folder_name or deck_id)
    _check(deck_id, name)
    files = {
        "cards.yaml": CARDS.replace("{deck_id}", deck_id).replace("{name}", json.dumps(name, ensure_ascii=False)),
        "cards.schema.json": schema.dumps(),
        ".gitignore": GITIGNORE,
        ".pre-commit-config.yaml": PRE_COMMIT,
    }
    existing = [str(folder / file) for file in files if os.path.lexists(folder / file)]  # a link too
    if existing:
        raise StartError(f"{', '.join(existing)} already exist{'s' if len(existing) == 1 else ''}; "
                         "deck init never overwrites a file, and wrote nothing")
    if not folder.exists() and not folder.parent.is_dir():
        raise StartError(f"cannot make {folder}: {folder.parent} is not a folder")
    made = not folder.exists()
    folder.mkdir(exist_ok=True)
    written: list[Path] = []
    try:
        for file, text in files.items():
            write_atomically(folder / file, text.encode("utf-8"))
            written.append(folder / file)
    except BaseException:  # a deck is started whole or not at all
        for path in written:
            path.unlink()
        if made:
            folder.rmdir()
        raise
    return written


def _check(deck_id: str, name: str) -> None:
    try:
        DeckInfo(id=deck_id, name=name)
    except ValidationError as error:
        field = error.errors()[0]["loc"][0]
        if field == "id":
            raise StartError(f"'{deck_id}' cannot be a deck id; use lowercase letters, digits and single '-' "
                             "(like 'french-verbs')") from error
        raise StartError(f"'{name}' cannot be a deck name; write names between the '::' of subdecks") from error


def _slug(text: str) -> str:
    """'Français: verbes' -> 'francais-verbes'."""
    return "-".join(ids.ascii_words(text))


def _title(folder_name: str) -> str:
    """'french-verbs' -> 'French verbs'."""
    words = re.sub(r"[-_]+", " ", folder_name).strip()
    return words[:1].upper() + words[1:]
