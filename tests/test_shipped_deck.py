"""The shipped deck, cards.yaml: valid, cited, organised, original, and complete in real Anki."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
import yaml

from deck import lint, pipeline
from tests.conftest import import_package

ROOT = Path(__file__).resolve().parent.parent
CARDS = ROOT / "cards.yaml"
ARTICLE = ROOT.parent / "shared" / "source" / "ice-pick-scars-article.txt"
SUBDECKS = {"Definition", "Treatments", "Causes and prevention"}
PATIENT_TAG = "patient-friendly"


@pytest.fixture(scope="module")
def raw() -> dict:
    """The file read independently of deck's own reader: every value as text."""
    return yaml.load(CARDS.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)


def test_it_validates_cleanly() -> None:
    checked = pipeline.check(str(CARDS))
    assert [problem.format() for problem in checked.problems] == []
    assert checked.ok


def test_every_card_cites_a_known_source(raw: dict) -> None:
    assert "huizen-2019" in raw["sources"]
    assert [card["id"] for card in raw["cards"] if card.get("source") not in raw["sources"]] == []


def test_ids_are_unique(raw: dict) -> None:
    ids = [card["id"] for card in raw["cards"]]
    assert len(ids) == len(set(ids))


def test_each_subdeck_and_the_patient_tag_have_cards(raw: dict) -> None:
    used = {card.get("deck") for card in raw["cards"]}
    assert used == SUBDECKS
    assert any(PATIENT_TAG in card.get("tags", []) for card in raw["cards"])


def test_the_description_cites_the_article_and_disclaims_advice(raw: dict) -> None:
    description = raw["deck"]["description"]
    assert "Huizen" in description and "Medical News Today" in description
    assert "not medical advice" in description


def test_no_yes_no_questions(raw: dict) -> None:
    auxiliaries = re.compile(r"^(is|are|does|do|did|can|could|should|will|would|has|have|was|were)\b", re.I)
    assert [card["id"] for card in raw["cards"] if auxiliaries.match(card.get("question", ""))] == []


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9%]+", text.lower().replace("&amp;", "&"))


@pytest.mark.skipif(not ARTICLE.exists(), reason="the source article lives in shared/ beside the checkout")
def test_no_run_of_eight_words_is_copied_from_the_article(raw: dict) -> None:
    # The body, not the reference list and citation formats after it, which a citation repeats.
    body = ARTICLE.read_text(encoding="utf-8").split("\n Acne. (2016)")[0]
    article = _words(body)
    shingles = {tuple(article[i:i + 8]) for i in range(len(article) - 7)}
    texts = [raw["deck"]["description"]] + [
        card[key] for card in raw["cards"] for key in ("question", "answer", "text", "extra") if key in card
    ]
    # The article's own title is a citation, not a copied sentence.
    title = _words("How to get rid of ice pick scars")
    copied = []
    for text in texts:
        words = _words(text)
        for i in range(len(words) - 7):
            run = tuple(words[i:i + 8])
            if run in shingles and not set(run) <= set(title) | {"huizen", "jennifer"}:
                copied.append(" ".join(run))
    assert copied == []


@pytest.fixture
def built(tmp_path: Path) -> pipeline.Built:
    """The shipped deck built from a copy, so the tests never touch the committed lock file."""
    for name in ("cards.yaml", "cards.lock"):
        shutil.copy(ROOT / name, tmp_path / name)
    shutil.copytree(ROOT / "images", tmp_path / "images")
    checked, built = pipeline.build(str(tmp_path / "cards.yaml"), tmp_path / "shipped.apkg")
    assert built is not None, [problem.format() for problem in checked.problems]
    return built


def test_the_committed_lock_file_is_up_to_date(built: pipeline.Built) -> None:
    changes = built.changes
    assert (changes.first_build, changes.added, changes.changed, list(changes.removed)) == (False, [], [], [])


def test_the_built_deck_imports_with_the_expected_counts(raw: dict, built: pipeline.Built, collection) -> None:
    log = import_package(collection, built.out)
    cards = raw["cards"]
    expected_cards = sum(
        len(set(re.findall(r"\{\{c(\d+)::", card["text"]))) if card.get("type") == "cloze"
        else 2 if card.get("type") == "reversed" else 1
        for card in cards
    )
    assert len(log.new) == len(cards)
    assert collection.note_count() == len(cards)
    assert collection.card_count() == expected_cards
    for subdeck in SUBDECKS:
        assert collection.find_cards(f'"deck:Dermatology::Acne scars::Ice pick scars::{subdeck}"')
    assert collection.find_notes(f"tag:{PATIENT_TAG}")
    assert sorted(os.listdir(collection.media.dir())) == sorted(path.name for path in (ROOT / "images").iterdir())
    report = collection.media.check()
    assert (list(report.missing), list(report.unused)) == ([], [])
    assert collection.find_notes('"Extra:*<img src=*"')
    # Every card's back says the deck is educational, not medical advice (its sources' note).
    for card_id in collection.find_cards(""):
        assert "not medical advice" in collection.get_card(card_id).answer()


def test_it_passes_lint_strictly() -> None:
    checked = pipeline.check(str(CARDS))
    assert [warning.format() for warning in lint.run(checked)] == []
