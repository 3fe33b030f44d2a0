"""Cloze deletions: what Anki makes cards of, and the checks of their syntax.

Anki reads `{{c1::answer}}` and `{{c1::answer::hint}}` in a cloze note's text, and makes one card
for each distinct number. The checks find what Anki would show as raw braces, or drop.
"""

from __future__ import annotations

import re

from deck.render import Finding

# Anki numbers a note's cards with 16 bits: a note with {{c70000::...}} imports as nothing at all.
MAX_CLOZE_NUMBER = 65_535

# A cloze deletion: its number, its answer and its optional hint.
CLOZE = re.compile(r"\{\{c(\d+)::(.*?)(?:::([^}]*))?\}\}", re.DOTALL)
_CLOZE_START = re.compile(r"\{\{c\d+::")


# What Anki's cloze reader (rslib/src/cloze.rs, tokenize) takes for a deletion's start and end: the
# start's numbers are digits and commas ('{{c1,2::' is one deletion on cards 1 and 2).
_CLOZE_TOKEN = re.compile(r"\{\{c([0-9,]*)::|\}\}")
_MAX_OPEN = 10  # deletions open at once; Anki ignores the start of one more (parse_text_with_clozes)


def cloze_numbers(text: str) -> set[int]:
    """The distinct N of the {{cN::...}} deletions in a text: Anki makes one card for each. Read as
    Anki reads them: deletions inside deletions count, and so does each number of '{{c1,2::'; one
    never closed, and all it holds, does not; nor does a number beyond 16 bits, or 0."""
    return _read(text)[0]


def _read(text: str) -> tuple[set[int], list[re.Match[str]]]:
    """The numbers of a text's deletions (`cloze_numbers`), and the starts of those never closed."""
    numbers: set[int] = set()
    opened: list[tuple[re.Match[str], set[int]]] = []  # each deletion still open, the innermost last
    for match in _CLOZE_TOKEN.finditer(text):
        if match.group(1) is None:  # '}}': closes the innermost deletion into the one around it
            if opened:
                closed = opened.pop()[1]
                (opened[-1][1] if opened else numbers).update(closed)
            continue
        ordinals = {int(part) for part in match.group(1).split(",")  # (u16 numbers, as Rust parses them)
                    if part and len(part.lstrip("0")) <= 5 and int(part) <= MAX_CLOZE_NUMBER}
        if ordinals and len(opened) < _MAX_OPEN:
            opened.append((match, ordinals - {0}))
    return numbers, [match for match, _ in opened]


def check_cloze(text: str) -> list[Finding]:
    """Problems with the deletions of a cloze card's `text`.

    Good: ``One session improves scars by about {{c1::25%}}.``
    Bad: ``{{c0::25%}}`` (numbers start at 1), ``{{c1::25%}`` (not closed), no deletion at all.
    """
    findings = []
    deletions = list(CLOZE.finditer(text))
    for match in deletions:
        if match.group(1).lstrip("0") == "":
            findings.append(Finding("cloze-zero", "cloze numbers start at 1; write {{c1::...}}", match.group(0)))
        elif len(match.group(1)) > 5 or int(match.group(1)) > MAX_CLOZE_NUMBER:
            findings.append(Finding("cloze-number", f"cloze numbers go up to {MAX_CLOZE_NUMBER}; renumber from c1",
                                    match.group(0)))
        if not match.group(2).strip():
            findings.append(Finding("cloze-empty", "cloze deletion is empty; put the answer after '::'", match.group(0)))
    for match in re.finditer(r"\{\{", text):
        if not _CLOZE_START.match(text, match.start()):
            findings.append(Finding("cloze-syntax", "'{{' does not start a cloze deletion; write {{c1::...}}",
                                    text[match.start():match.start() + 8]))
    unclosed = _read(text)[1]
    if text.count("{{") != text.count("}}"):
        findings.append(Finding("cloze-unbalanced",
                                f"cloze braces are unbalanced: {text.count('{{')} '{{{{' but {text.count('}}')} '}}}}'",
                                _first_unmatched(text)))
    elif unclosed:  # as many '}}' as '{{', but one before its deletion ('}} {{c1::x')
        findings.append(Finding("cloze-unbalanced", f"'{unclosed[0].group()}' is never closed, so Anki makes no "
                                                    "card of it or of any deletion after it; close it with '}}'",
                                text[unclosed[0].start():unclosed[0].start() + 8]))
    if not deletions and not (findings and _CLOZE_START.search(text)):  # (one left unclosed is reported as that)
        findings.append(Finding("cloze-missing", "cloze text has no deletion; mark the answer like {{c1::answer}}", ""))
    return findings


def _first_unmatched(text: str) -> str:
    """The text from the first '{{' never closed (or the first '}}' never opened), to point at it."""
    opened: list[int] = []
    for match in re.finditer(r"\{\{|\}\}", text):
        if match.group() == "{{":
            opened.append(match.start())
        elif opened:
            opened.pop()
        else:
            return text[match.start():match.start() + 8]
    return text[opened[0]:opened[0] + 8] if opened else ""


def check_not_cloze(text: str, field: str) -> list[Finding]:
    """A cloze deletion outside a cloze card's `text` would show as raw braces in Anki.

    Good: ``question: What does {{ mean here?`` (literal braces are fine).
    Bad: ``question: One session improves scars by {{c1::25%}}.`` on a basic card.
    """
    match = _CLOZE_START.search(text)
    if match is None:
        return []
    fix = "set 'type: cloze' and put it in 'text'" if field in ("question", "answer") else "only 'text' can hold deletions"
    return [Finding("cloze-misplaced", f"cloze deletion in '{field}'; {fix}", match.group(0))]
