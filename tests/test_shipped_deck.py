"""The shipped deck, cards.yaml: valid, cited, organised, original, and complete in real Anki."""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from deck import lint, pipeline
from tests.conftest import import_package

ROOT = Path(__file__).resolve().parent.parent
CARDS = ROOT / "cards.yaml"
ARTICLE = ROOT.parent / "shared" / "source" / "ice-pick-scars-article.txt"
CHROMIUM = Path("/usr/bin/chromium")
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
        card[key] for card in raw["cards"] for key in ("question", "answer", "text", "header", "extra") if key in card
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
        else len(_asked_together(card)) if card.get("type") == "image-occlusion"
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


def _asked_together(card: dict) -> list[set[tuple[float, float]]]:
    """An image occlusion card's masks as the file groups them, each by its (left, top): the masks
    of one `card:` number are asked together, and a mask without one is asked alone."""
    numbered: dict[str, set[tuple[float, float]]] = {}
    alone = []
    for mask in card["masks"]:
        place = (float(mask["left"]), float(mask["top"]))
        if "card" in mask:
            numbered.setdefault(mask["card"], set()).add(place)
        else:
            alone.append({place})
    return [*numbered.values(), *alone]


def test_each_picture_card_asks_its_labels_masks_in_anki(raw: dict, built: pipeline.Built, collection) -> None:
    import_package(collection, built.out)
    pictures = [card for card in raw["cards"] if card.get("type") == "image-occlusion"]
    assert len(pictures) == 3
    shape = re.compile(r'<div class="(cloze|cloze-inactive)" data-ordinal="\d+" data-shape="rect" '
                       r'data-left="([.\d]+)" data-top="([.\d]+)"')
    notes = {collection.get_note(note_id)["Image"]: collection.get_note(note_id)
             for note_id in collection.find_notes('"note:deck-image-occlusion"')}
    assert len(notes) == len(pictures)
    for picture in pictures:
        image = f'<img src="{Path(picture["image"]).name}">'
        asked = []
        for card in notes[image].cards():
            question = card.question()
            masks = shape.findall(question)
            assert len(masks) == len(picture["masks"])  # every label covered on every card (hide: all)
            asked.append({(float(left), float(top)) for kind, left, top in masks if kind == "cloze"})
            assert image in question and f"<div>{picture['header']}</div>" in question
            assert "anki.imageOcclusion.setup()" in question
            assert "medicalnewstoday.com" in card.answer()
        assert sorted(asked, key=sorted) == sorted(_asked_together(picture), key=sorted)


# Each label on the pictures, and the article's words that say it.
LABELS = {
    "ice pick scar": "ice pick scars are deep",
    "usually < 2 mm wide": "usually less than 2 millimeters wide",
    "deep": "deep v shaped scars",
    "skin": "penetrate the skin deeply",
    "underlying tissues": "the skin and the underlying tissues",
    "punch tool": "using a punch tool",
    "remove skin": "after removing the skin over the scar",
    "stitches": "will use stitches to close",
    "thin scar": "leave behind a thin scar",
    "behind the ear": "such from behind the ear",
    "skin graft": "replacing it with a skin graft",
    "stretch": "stretches the affected skin",
    "TCA": "applies a small amount of high concentration tca",
    "epithelial layer": "the epithelial layer of skin",
    "new collagen fibers": "new collagen fibers form inside the scar",
}


def _labels(picture: Path) -> list[str]:
    return [html.unescape(text) for text in re.findall(r'<text id="label-[^"]*"[^>]*>([^<]*)</text>',
                                                        picture.read_text(encoding="utf-8"))]


@pytest.mark.skipif(not ARTICLE.exists(), reason="the source article lives in shared/ beside the checkout")
def test_every_label_the_picture_cards_hide_is_something_the_article_says(raw: dict) -> None:
    article = " ".join(_words(ARTICLE.read_text(encoding="utf-8")))
    labels = [label for card in raw["cards"] if card.get("type") == "image-occlusion"
              for label in _labels(ROOT / card["image"])]
    assert sorted(labels) == sorted([*LABELS, "remove skin"])  # (punch excision's and punch grafting's step)
    assert [words for words in LABELS.values() if words not in article] == []


# Run in Chromium over the pictures, each in a <div id="CARD-ID">: each label's box, in fractions of its picture.
MEASURE_LABELS = """
<pre id="boxes"></pre><script>
const boxes = {};
for (const div of document.querySelectorAll("div")) {
  const view = div.querySelector("svg").viewBox.baseVal;
  boxes[div.id] = [...div.querySelectorAll('text[id^="label-"]')].map(text => {
    const box = text.getBBox();
    return [box.x / view.width, box.y / view.height,
            (box.x + box.width) / view.width, (box.y + box.height) / view.height];
  });
}
document.getElementById("boxes").textContent = JSON.stringify(boxes);
</script>"""


@pytest.mark.skipif(not CHROMIUM.exists(), reason=f"needs {CHROMIUM} (apt-get install chromium) to measure the labels")
def test_the_masks_cover_every_label_and_each_mask_covers_a_label(raw: dict, tmp_path: Path) -> None:
    """Measured by Chromium as it lays the pictures out: each label's box lies inside a mask."""
    pictures = [card for card in raw["cards"] if card.get("type") == "image-occlusion"]
    svgs = {card["id"]: (ROOT / card["image"]).read_text(encoding="utf-8").split("?>", 1)[1] for card in pictures}
    page = tmp_path / "labels.html"
    page.write_text("".join(f'<div id="{card_id}">{svg}</div>' for card_id, svg in svgs.items()) + MEASURE_LABELS,
                    encoding="utf-8")
    shown = subprocess.run([str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", page.as_uri()],
                           capture_output=True, text=True, timeout=120, check=True).stdout
    measured = json.loads(html.unescape(re.search(r'<pre id="boxes">(.*?)</pre>', shown)[1]))

    def inside(label: list[float], mask: tuple[float, float, float, float]) -> bool:
        return mask[0] <= label[0] and mask[1] <= label[1] and label[2] <= mask[2] and label[3] <= mask[3]
    for card in pictures:
        masks = [(float(mask["left"]), float(mask["top"]), float(mask["left"]) + float(mask["width"]),
                  float(mask["top"]) + float(mask["height"])) for mask in card["masks"]]
        labels = measured[card["id"]]
        assert len(labels) == len(masks) == len(_labels(ROOT / card["image"]))
        assert [label for label in labels if not any(inside(label, mask) for mask in masks)] == [], card["id"]
        assert [mask for mask in masks if not any(inside(label, mask) for label in labels)] == [], card["id"]
