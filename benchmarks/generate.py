"""Write a synthetic, valid deck of N cards: tags, Markdown, and a few cloze and reversed cards.

    python benchmarks/generate.py 30000 /tmp/deck-30k.yaml
    python benchmarks/generate.py 30000 /tmp/wrong-30k.yaml --wrong 10   # one card in 10 with an error
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

WORDS = (
    "scar collagen dermis punch excision graft laser acid skin pore acne session week treatment "
    "needle device heal fiber layer deep narrow wide surface depth result swelling bruise"
).split()


# One error each, taken in turn by the cards made wrong: a misspelt key, a tag with a space, an
# unknown key, as (a line to add, a tag to add).
MISTAKES = (("    answr: {}\n", ""), ("", "two words, "), ("    hint: {}\n", ""))


def card(number: int, rng: random.Random, wrong: int | None = None) -> str:
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
    return (f"  - id: card-{number}\n{kind}    question: What is the {emphasis}{words(3)}{emphasis} of {words(5)}?\n"
            f"    answer: The {emphasis * 2}{words(2)}{emphasis * 2} of {words(3)}\n    extra: {words(8)}\n"
            f"{mistake}    tags: {tags}\n")


def generate(count: int, seed: int = 1, wrong_every: int | None = None) -> str:
    """The deck; with `wrong_every`, one card in each run of that many has one error (see MISTAKES)."""
    rng = random.Random(seed)
    head = "deck:\n  id: bench\n  name: Benchmark\ncards:\n"
    return head + "".join(
        card(number, rng, number // wrong_every if wrong_every and _wrong(number, wrong_every) else None)
        for number in range(count))


def _wrong(number: int, every: int) -> bool:
    """The first card of the first run, the second of the next, and so on: cards of every kind."""
    return number % every == (number // every) % every


def wrong_cards(count: int, wrong_every: int) -> int:
    """How many cards `generate(count, wrong_every=...)` makes wrong: one error each."""
    return sum(_wrong(number, wrong_every) for number in range(count))


if __name__ == "__main__":
    wrong = int(sys.argv[4]) if sys.argv[3:4] == ["--wrong"] else None
    out = Path(sys.argv[2])
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(generate(int(sys.argv[1]), wrong_every=wrong), encoding="utf-8")
