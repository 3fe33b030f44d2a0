"""Write a synthetic, valid deck of N cards: tags, Markdown, and a few cloze and reversed cards.

    python benchmarks/generate.py 30000 /tmp/deck-30k.yaml
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

WORDS = (
    "scar collagen dermis punch excision graft laser acid skin pore acne session week treatment "
    "needle device heal fiber layer deep narrow wide surface depth result swelling bruise"
).split()


def card(number: int, rng: random.Random) -> str:
    words = lambda count: " ".join(rng.choice(WORDS) for _ in range(count))  # noqa: E731
    tags = f"[topic-{number % 50}, level::{number % 5}]"
    if number % 10 == 0:
        return (f"  - id: card-{number}\n    type: cloze\n"
                f'    text: "About {{{{c1::{rng.randint(1, 99)}%}}}} of {words(6)} after {{{{c2::{words(2)}}}}}."\n'
                f"    tags: {tags}\n")
    kind = "    type: reversed\n" if number % 10 == 1 else ""
    emphasis = "*" if number % 5 == 2 else ""  # Markdown on one card in five
    return (f"  - id: card-{number}\n{kind}    question: What is the {emphasis}{words(3)}{emphasis} of {words(5)}?\n"
            f"    answer: The {emphasis * 2}{words(2)}{emphasis * 2} of {words(3)}\n    extra: {words(8)}\n"
            f"    tags: {tags}\n")


def generate(count: int, seed: int = 1) -> str:
    rng = random.Random(seed)
    head = "deck:\n  id: bench\n  name: Benchmark\ncards:\n"
    return head + "".join(card(number, rng) for number in range(count))


if __name__ == "__main__":
    Path(sys.argv[2]).write_text(generate(int(sys.argv[1])), encoding="utf-8")
