"""`deck lint`: card quality, from the rules for formulating knowledge (minimum information).

Each rule is a small function with a stable id (the ids are part of the file format, in
`deck.cards.LINT_RULES`, so files can turn rules off) and a docstring with a good and a bad
example. Rules yield (node, snippet, message) for what they find; `run` locates them as warnings.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from functools import lru_cache

from deck import cloze, occlusion, pipeline, render
from deck.cards import LINT_RULES, BuiltInCard, ClozeCard, ImageOcclusionCard, Mask
from deck.nodes import Mapping, Node, Sequence, Unlocated
from deck.pipeline import Checked
from deck.problems import Problem

MAX_ANSWER_WORDS = 12
MAX_CLOZE_WORDS = 5
MIN_ENUMERATION = 3
# Two cards whose content words overlap this much (Jaccard) ask the same thing.
NEAR_DUPLICATE = 0.75
# A word on more cards than this links too many pairs to be worth comparing through.
COMMON_WORD = 50

_YES_NO = re.compile(r"^(is|are|was|were|do|does|did|can|could|will|would|should|shall|has|have|had|may|might|must)\b",
                     re.IGNORECASE)
_STOPWORDS = frozenset("a an and are as at be by for from in is it its of on or the to with".split())

Finding = tuple[Node, str | None, str]
CardRule = Callable[[BuiltInCard, Mapping, Checked], Iterator[Finding]]
OcclusionRule = Callable[[ImageOcclusionCard, Mapping, Checked], Iterator[Finding]]
Linted = BuiltInCard | ImageOcclusionCard


# A Markdown link or image: what it shows is its text, not its address or file name. (Neither part
# may hold a bracket, so each try ends at the next one: linear in the text, whatever it holds.)
_LINK = re.compile(r"!?\[([^\[\]]*)\]\([^()]*\)")


@lru_cache(maxsize=1024)  # several rules read the same field, one card after another
def _plain(text: str) -> str:
    return render.plain_text(_LINK.sub(r"\1", text))


@lru_cache(maxsize=1024)
def _words(text: str) -> tuple[str, ...]:
    return tuple(re.findall(r"[a-z0-9%]+", _plain(text).lower()))


def _content(text: str) -> set[str]:
    return {word for word in _words(text) if word not in _STOPWORDS}


def _field(node: Mapping, name: str) -> Node:
    return node.pairs[name][1]


def answer_too_long(card: BuiltInCard, node: Mapping, checked: Checked) -> Iterator[Finding]:
    """Answers are a few words; context goes in `extra`.

    Good: ``answer: Less than 2 mm``.
    Bad: ``answer: They are usually less than two millimetres wide and look like a puncture ...``.
    """
    if not isinstance(card, ClozeCard) and len(words := _words(card.answer)) > MAX_ANSWER_WORDS:
        yield (_field(node, "answer"), None,
               f"answer has {len(words)} words; keep it to a few and move context to 'extra', or split the card")


def enumeration(card: BuiltInCard, node: Mapping, checked: Checked) -> Iterator[Finding]:
    """One fact per card: a list of several items is hard to recall as one answer.

    Good: one card per treatment, or ``text: "Treatments include {{c1::punch excision}} and {{c2::...}}"``.
    Bad: ``answer: punch excision, punch grafting, TCA CROSS and microneedling``.
    """
    if isinstance(card, ClozeCard):
        return
    text = _plain(card.answer)
    items = [item for item in re.split(r",|;|\band\b|\bor\b", text) if item.strip()]
    # "a, b and c" or "a; b; c" is a list; "a deep, narrow, V-shaped scar" is not.
    joined = re.search(r"\b(and|or)\b|;", text) and all(len(item.split()) <= 4 for item in items)
    listed = len(re.findall(r"^\s*(?:[-*+]|\d+[.)])\s", card.answer, re.MULTILINE))
    count = max(listed, len(items) if joined else 0)
    if count >= MIN_ENUMERATION:
        yield (_field(node, "answer"), None,
               f"answer lists {count} items; make one card per item or a cloze card with one deletion each")


def question_gives_answer(card: BuiltInCard, node: Mapping, checked: Checked) -> Iterator[Finding]:
    """The question must not contain its answer.

    Good: ``question: How wide is an ice pick scar?`` / ``answer: Less than 2 mm``.
    Bad: ``question: What is a narrow, deep scar called, an ice pick scar?`` / ``answer: Ice pick scar``.
    """
    if isinstance(card, ClozeCard):
        return
    answer = _content(card.answer)
    if answer and len(answer & _content(card.question)) / len(answer) >= 0.75:
        yield _field(node, "question"), None, "the question contains most of its answer; rephrase it"


def yes_no_question(card: BuiltInCard, node: Mapping, checked: Checked) -> Iterator[Finding]:
    """Yes/no questions are guessed, not recalled: ask for the fact itself.

    Good: ``question: Which treatment suits deeper ice pick scars?``.
    Bad: ``question: Is punch grafting used for deeper scars?``.
    """
    if not isinstance(card, ClozeCard) and _YES_NO.match(_plain(card.question)):
        yield _field(node, "question"), None, "yes/no question; ask for the fact itself (what, which, how ...)"


def cloze_too_long(card: BuiltInCard, node: Mapping, checked: Checked) -> Iterator[Finding]:
    """A deletion hides a few words: a long one is a recitation, not a recall.

    Good: ``about {{c1::25%}}``. Bad: ``{{c1::stretches the skin and applies a small amount of acid}}``.
    """
    if isinstance(card, ClozeCard):
        for match in cloze.CLOZE.finditer(card.text):
            if len(_words(match.group(2))) > MAX_CLOZE_WORDS:
                yield (_field(node, "text"), match.group(0),
                       f"cloze deletion c{match.group(1)} hides {len(_words(match.group(2)))} words; "
                       f"hide at most {MAX_CLOZE_WORDS} or split it")


def cloze_gap(card: BuiltInCard, node: Mapping, checked: Checked) -> Iterator[Finding]:
    """Deletions are numbered c1, c2, c3 ... without gaps (a gap is usually a typo).

    Good: ``{{c1::a}} {{c2::b}}``. Bad: ``{{c1::a}} {{c3::b}}``.
    """
    if isinstance(card, ClozeCard):
        numbers = cloze.cloze_numbers(card.text)
        missing = sorted(set(range(1, max(numbers) + 1)) - numbers)
        if missing:
            yield (_field(node, "text"), None,
                   f"cloze numbers skip {', '.join(f'c{n}' for n in missing)}; renumber them without gaps")


def missing_source(card: Linted, node: Mapping, checked: Checked) -> Iterator[Finding]:
    """In a deck with a bibliography, every card says where its fact comes from.

    Good: ``source: huizen-2019``. Bad: no `source` while `sources:` lists works.
    """
    if checked.deck is not None and checked.deck.sources and card.source is None:
        yield node, None, "card has no 'source' though the deck has a bibliography; cite one of 'sources'"


def dangling_markdown(card: Linted, node: Mapping, checked: Checked) -> Iterator[Finding]:
    """Emphasis and code must be closed, or the '*', '_' or '`' shows on the card.

    Good: ``a *deep* scar``. Bad: ``a *deep scar``.
    """
    for name in ("question", "answer", "text", "header", "extra"):
        text = getattr(card, name, None)
        if text and (stray := render.dangling_markup(text)):
            yield _field(node, name), stray, f"'{stray}' is not closed and will show as is; close it or escape it as \\{stray}"


CARD_RULES: dict[str, CardRule] = {
    "answer-too-long": answer_too_long,
    "enumeration": enumeration,
    "question-gives-answer": question_gives_answer,
    "yes-no-question": yes_no_question,
    "cloze-too-long": cloze_too_long,
    "cloze-gap": cloze_gap,
    "missing-source": missing_source,
    "dangling-markdown": dangling_markdown,
}


def mask_overlap(card: ImageOcclusionCard, node: Mapping, checked: Checked) -> Iterator[Finding]:
    """Masks asked on different cards do not cover one place: a student could not tell which is asked.

    Good: two labels' masks side by side. Bad: two masks, asked apart, of which one covers more than
    half of the other (measured by their boxes; a polygon's box holds its corners).
    """
    boxes = [_box(mask) for mask in card.masks]
    numbers = occlusion.numbers(card)
    masks = _field(node, "masks")
    for second in range(len(boxes)):
        for first in range(second):
            if numbers[first] != numbers[second] and _overlap(boxes[first], boxes[second]) > 0.5:
                yield (masks.items[second] if isinstance(masks, Sequence) else masks), None, (
                    f"mask {second + 1} overlaps more than half of mask {first + 1}, asked on another card; "
                    "move one, or give both one 'card' number")
                break


def single_mask(card: ImageOcclusionCard, node: Mapping, checked: Checked) -> Iterator[Finding]:
    """A picture card hides several parts: with one, the picture gives nothing to tell apart.

    Good: three masks over three labels. Bad: a single mask, which a basic card with the picture asks as well.
    """
    if len(card.masks) == 1:
        yield _field(node, "masks"), None, ("one mask makes one card that shows nothing to choose between; "
                                            "cover the picture's other labels too, or ask it as a basic card")


def _box(mask: Mask) -> tuple[float, float, float, float]:
    """left, top, right, bottom"""
    if mask.points is not None:
        xs, ys = [x for x, _ in mask.points], [y for _, y in mask.points]
        return min(xs), min(ys), max(xs), max(ys)
    left, top, width, height = mask.box()
    return left, top, left + width, top + height


def _overlap(one: tuple[float, float, float, float], other: tuple[float, float, float, float]) -> float:
    """The share of the smaller box that the other covers."""
    width = min(one[2], other[2]) - max(one[0], other[0])
    height = min(one[3], other[3]) - max(one[1], other[1])
    smaller = min((box[2] - box[0]) * (box[3] - box[1]) for box in (one, other))
    return max(width, 0) * max(height, 0) / smaller if smaller > 0 else 0.0


OCCLUSION_RULES: dict[str, OcclusionRule] = {
    "mask-overlap": mask_overlap,
    "single-mask": single_mask,
    "missing-source": missing_source,
    "dangling-markdown": dangling_markdown,
}
assert set(CARD_RULES) | set(OCCLUSION_RULES) | {"near-duplicate"} == set(LINT_RULES), \
    "deck.cards.LINT_RULES and the rules differ"


def near_duplicates(cards: list[tuple[BuiltInCard, Mapping]]) -> Iterator[tuple[Mapping, BuiltInCard, BuiltInCard]]:
    """Cards that ask nearly the same thing (normalised word sets overlap >= NEAR_DUPLICATE).

    Good: one card per fact. Bad: ``How wide is an ice pick scar?`` and ``How wide are ice pick scars?``.
    Only pairs sharing a rare word are compared, so thousands of cards are checked quickly.
    """
    words = [_content(_card_text(card)) for card, _ in cards]
    holders: dict[str, list[int]] = defaultdict(list)
    for index, card_words in enumerate(words):
        for word in card_words:
            holders[word].append(index)
    # Near-duplicates share most words, so they share their rarest ones: pair cards only through
    # each card's three rarest words, and never through a word on more than COMMON_WORD cards.
    candidates: set[tuple[int, int]] = set()
    for index, card_words in enumerate(words):
        rarest = sorted(card_words, key=lambda word: len(holders[word]))[:3]
        for word in rarest:
            if len(holders[word]) <= COMMON_WORD:
                candidates.update((min(index, other), max(index, other)) for other in holders[word] if other != index)
    for first, second in sorted(candidates):
        union = words[first] | words[second]
        if union and len(words[first] & words[second]) / len(union) >= NEAR_DUPLICATE:
            yield cards[second][1], cards[first][0], cards[second][0]


def _card_text(card: BuiltInCard) -> str:
    if isinstance(card, ClozeCard):
        return cloze.CLOZE.sub(r"\2", card.text)
    return f"{card.question} {card.answer}"


def run(checked: Checked, progress: pipeline.Progress = pipeline.quiet) -> list[Problem]:
    """Every warning for a valid deck, sorted by position, minus the rules the file turns off."""
    try:
        return _warnings(checked, progress, "checking card quality")
    except Unlocated:  # the deck was read without positions: place the cards, then warn
        placed = pipeline.with_positions(checked, progress)
        return _warnings(placed, progress, "checking card quality again, with positions")


def _warnings(checked: Checked, progress: pipeline.Progress, label: str) -> list[Problem]:
    assert checked.deck is not None
    deck_off = set(checked.deck.deck.lint.disable)
    document = checked.document
    warnings = []

    def warn(node: Node, snippet: str | None, rule: str, message: str, card: Linted) -> None:
        line, column = document.locate(node, snippet)
        warnings.append(document.problem(line, column, rule, f"card '{card.id}': {message}", "warning"))

    def off(card: Linted) -> set[str]:
        return deck_off | set(card.lint.disable) if card.lint else deck_off

    # The rules are about questions and answers: a deck's own note types' fields are not known to be either.
    cards = [(card, node) for card, node in checked.cards if isinstance(card, BuiltInCard)]
    for card, node in pipeline.each_card(cards, progress, label):
        for rule, check in CARD_RULES.items():
            if rule not in off(card):
                for target, snippet, message in check(card, node, checked):
                    warn(target, snippet, rule, message, card)
    for picture, node in ((card, node) for card, node in checked.cards if isinstance(card, ImageOcclusionCard)):
        for rule, occlusion_check in OCCLUSION_RULES.items():
            if rule not in off(picture):
                for target, snippet, message in occlusion_check(picture, node, checked):
                    warn(target, snippet, rule, message, picture)
    for node, first, second in near_duplicates(cards):
        if "near-duplicate" not in off(first) | off(second):
            warn(node, None, "near-duplicate", f"asks nearly the same as card '{first.id}'; merge them or make "
                 "each ask something different", second)
    return sorted(warnings)

