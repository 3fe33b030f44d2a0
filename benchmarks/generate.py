"""Write a synthetic, valid deck of N cards: tags, Markdown, and a few cloze and reversed cards.

    python benchmarks/generate.py 30000 /tmp/deck-30k.yaml
    python benchmarks/generate.py 30000 /tmp/wrong-30k.yaml --wrong 10   # one card in 10 with an error
    python benchmarks/generate.py 30000 /tmp/heavy-30k.yaml --heavy      # longer cards, an extra on each
    python benchmarks/generate.py 800000 /tmp/tiny.yaml --tiny           # one-letter cards, 30 MB
    python benchmarks/generate.py 800000 /tmp/tiny-wrong.yaml --tiny --misspelt  # 'answr:' on each

The reference deck is the performance issue's: about 4 MB at 30,000 cards (4.6 MB here), short
questions and answers, an extra on one card in ten. The heavy deck is the one benchmarked before
2026-11-30: every card has an extra of eight words and longer text, 7.2 MB at 30,000 cards. The
tiny deck packs as many cards as the 32 MB limit of a file allows, for measuring peak memory: 800,000
cards of one letter each way, in 30 MB; misspelt, each has `answr:` for `answer:`, two errors a card.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path
from typing import NamedTuple

WORDS = (
    "scar collagen dermis punch excision graft laser acid skin pore acne session week treatment "
    "needle device heal fiber layer deep narrow wide surface depth result swelling bruise"
).split()


# One error each, taken in turn by the cards made wrong: a misspelt key, a tag with a space, an
# unknown key, as (a line to add, a tag to add).
MISTAKES = (("    answr: {}\n", ""), ("", "two words, "), ("    hint: {}\n", ""))


class Shape(NamedTuple):
    """How long a deck's cards are: words in the two parts of a question and of an answer, and an
    extra (of eight words) on one card in `extra_every`."""

    question: tuple[int, int]
    answer: tuple[int, int]
    extra_every: int


REFERENCE = Shape(question=(1, 3), answer=(1, 2), extra_every=10)
HEAVY = Shape(question=(3, 5), answer=(2, 3), extra_every=1)


def card(number: int, rng: random.Random, shape: Shape, wrong: int | None = None) -> str:
    words = lambda count: " ".join(rng.choice(WORDS) for _ in range(count))  # noqa: E731
    line, tag = MISTAKES[wrong % len(MISTAKES)] if wrong is not None else ("", "")
    mistake = line.format(words(2)) if line else ""
    tags = f"[{tag}topic-{number % 50}, level::{number % 5}]"
    if number % 10 == 0:
        return (f"  - id: card-{number}\n    type: cloze\n"
                f'    text: "About {{{{c1::{rng.randint(1, 99)}%}}}} of {words(6)} after {{{{c2::{words(2)}}}}}."\n'
                f"{mistake}    tags: {tags}\n")
    kind = "    type: reversed\n" if number % 10 == 1 else ""
    emphasis = "*" if number % 5 == 2 else ""  # Markdown on one card in five
    question = f"What is the {emphasis}{words(shape.question[0])}{emphasis} of {words(shape.question[1])}?"
    answer = f"The {emphasis * 2}{words(shape.answer[0])}{emphasis * 2} of {words(shape.answer[1])}"
    extra = f"    extra: {words(8)}\n" if number % shape.extra_every == shape.extra_every - 1 else ""
    return (f"  - id: card-{number}\n{kind}    question: {question}\n    answer: {answer}\n{extra}"
            f"{mistake}    tags: {tags}\n")


def generate(count: int, seed: int = 1, wrong_every: int | None = None, shape: Shape = REFERENCE) -> str:
    """The deck; with `wrong_every`, one card in each run of that many has one error (see MISTAKES)."""
    rng = random.Random(seed)
    head = "deck:\n  id: bench\n  name: Benchmark\ncards:\n"
    return head + "".join(
        card(number, rng, shape, number // wrong_every if wrong_every and _wrong(number, wrong_every) else None)
        for number in range(count))


def tiny(count: int, misspelt: bool = False) -> str:
    """The tiny deck: `count` cards of 40 bytes, `- {id: c123456, question: q, answer: a}`."""
    answer = "answr" if misspelt else "answer"
    return "deck:\n  id: tiny\n  name: Tiny\ncards:\n" + "".join(
        f"- {{id: c{number}, question: q, {answer}: a}}\n" for number in range(count))


def _wrong(number: int, every: int) -> bool:
    """The first card of the first run, the second of the next, and so on: cards of every kind."""
    return number % every == (number // every) % every


def wrong_cards(count: int, wrong_every: int) -> int:
    """How many cards `generate(count, wrong_every=...)` makes wrong: one error each."""
    return sum(_wrong(number, wrong_every) for number in range(count))


if __name__ == "__main__":
    options = sys.argv[3:]
    wrong = int(options[options.index("--wrong") + 1]) if "--wrong" in options else None
    out = Path(sys.argv[2])
    out.parent.mkdir(parents=True, exist_ok=True)
    if "--tiny" in options:
        out.write_text(tiny(int(sys.argv[1]), misspelt="--misspelt" in options), encoding="utf-8")
    else:
        out.write_text(generate(int(sys.argv[1]), wrong_every=wrong, shape=HEAVY if "--heavy" in options else REFERENCE),
                       encoding="utf-8")
