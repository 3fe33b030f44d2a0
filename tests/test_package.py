"""Built packages imported into a real Anki collection: what a student sees."""

from __future__ import annotations

import html
import json
import os
import re
import resource
import signal
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import genanki
import pytest
from hypothesis import given
from hypothesis import strategies as st

from deck import pipeline
from deck.package import anki_deck_id, note_guid
from tests.conftest import EXAMPLE_DECK as DECK
from tests.conftest import build, deck_file, import_package, shown


def cards_by_template(col) -> dict[tuple[str, int], object]:
    cards = {}
    for card_id in col.find_cards(""):
        card = col.get_card(card_id)
        cards[(card.note().note_type()["name"], card.ord)] = card
    return cards


def test_notes_cards_decks_and_tags_as_anki_sees_them(tmp_path: Path, collection) -> None:
    log = import_package(collection, build(tmp_path, DECK))
    assert (len(log.new), len(log.updated), len(log.duplicate)) == (3, 0, 0)
    assert collection.note_count() == 3
    # A reversed note makes two cards; a cloze note one per distinct deletion number.
    assert collection.card_count() == 1 + 2 + 2
    assert {name: len(collection.find_notes(f"note:{name}")) for name in ("deck-basic", "deck-reversed", "deck-cloze")} \
        == {"deck-basic": 1, "deck-reversed": 1, "deck-cloze": 1}
    names = {deck.name for deck in collection.decks.all_names_and_ids()}
    assert {"Dermatology::Scars", "Dermatology::Scars::Definition", "Dermatology::Scars::Treatments"} <= names
    top = collection.decks.get(collection.decks.id_for_name("Dermatology::Scars"))
    assert top["desc"] == "Cards about <strong>scars</strong>."

    cards = cards_by_template(collection)
    width = cards[("deck-basic", 0)]
    assert collection.decks.name(width.did) == "Dermatology::Scars::Definition"
    assert sorted(width.note().tags) == ["morphology", "scars::ice-pick"]
    assert width.note()["Front"] == "How wide is a typical ice pick scar?"
    assert width.note()["Back"] == "Less than 2 mm"
    assert width.note()["Extra"] == "Narrow but <em>deep</em>."
    assert "Jennifer Huizen" in width.note()["Source"]
    assert collection.decks.name(cards[("deck-cloze", 1)].did) == "Dermatology::Scars::Treatments"


def test_rendered_question_and_answer_of_each_card_type(tmp_path: Path, collection) -> None:
    import_package(collection, build(tmp_path, DECK))
    cards = cards_by_template(collection)

    basic = cards[("deck-basic", 0)]
    assert shown(basic.question()) == '<div class="prompt">How wide is a typical ice pick scar?</div>'
    answer = shown(basic.answer())
    assert answer.startswith(shown(basic.question()))
    assert '<div class="answer">Less than 2 mm</div>' in answer
    assert '<div class="extra">Narrow but <em>deep</em>.</div>' in answer
    assert '<a href="https://www.medicalnewstoday.com/articles/325285.php">' in answer

    forward, backward = cards[("deck-reversed", 0)], cards[("deck-reversed", 1)]
    assert shown(forward.question()) == '<div class="prompt">CROSS</div>'
    assert '<div class="answer">Chemical reconstruction of skin scars</div>' in shown(forward.answer())
    assert shown(backward.question()) == '<div class="prompt">Chemical reconstruction of skin scars</div>'
    assert '<div class="answer">CROSS</div>' in shown(backward.answer())

    first, second = cards[("deck-cloze", 0)], cards[("deck-cloze", 1)]
    assert "[...]" in first.question() and "25%" not in shown(first.question())
    assert "2-4 weeks" in shown(first.question())
    assert "[interval]" in second.question() and "2-4 weeks" not in shown(second.question())
    assert re.search(r'<span class="cloze"[^>]*>25%</span>', first.answer())
    assert '<div class="extra">From a 2015 review.</div>' in first.answer()


def test_plain_text_shows_exactly_as_typed(tmp_path: Path, collection) -> None:
    text = """\
    deck: {id: literal, name: Literal}
    cards:
      - id: symbols
        question: "Width <2 mm, a & b, {{ not a template }}"
        answer: "x > y"
    """
    import_package(collection, build(tmp_path, text))
    [card_id] = collection.find_cards("")
    card = collection.get_card(card_id)
    visible = html.unescape(re.sub(r"<[^>]+>", "", shown(card.question())))
    assert visible == "Width <2 mm, a & b, {{ not a template }}"
    assert html.unescape(re.sub(r"<[^>]+>", "", shown(card.answer()))).endswith("x > y")


def test_editing_text_or_renaming_the_deck_keeps_each_note(tmp_path: Path, collection, monkeypatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    import_package(collection, build(tmp_path, DECK, "v1.apkg"))
    before = {collection.get_note(note_id).guid: note_id for note_id in collection.find_notes("")}

    edited = DECK.replace("Less than 2 mm", "Under 2 mm").replace('name: "Dermatology::Scars"', "name: Scars")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000100")
    log = import_package(collection, build(tmp_path, edited, "v2.apkg"))
    assert len(log.new) == 0
    after = {collection.get_note(note_id).guid: note_id for note_id in collection.find_notes("")}
    assert after == before
    assert collection.find_notes('"Back:Under 2 mm"')


def test_the_same_card_id_in_two_decks_makes_two_notes(tmp_path: Path, collection) -> None:
    first = "deck: {id: one, name: One}\ncards:\n  - {id: width, question: q, answer: a}\n"
    second = first.replace("id: one, name: One", "id: two, name: Two")
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    import_package(collection, build(tmp_path / "one", first))
    log = import_package(collection, build(tmp_path / "two", second))
    assert len(log.new) == 1
    assert collection.note_count() == 2


@given(st.text(), st.text())
def test_a_note_guid_is_the_one_genanki_derives(deck_slug: str, card_id: str) -> None:
    assert note_guid(deck_slug, card_id) == genanki.guid_for(deck_slug, card_id)


def test_a_note_guid_is_the_one_genanki_derives_whatever_its_length() -> None:
    # About one id in forty hashes to fewer than ten digits (a leading zero digit, dropped).
    guids = {card_id: genanki.guid_for("scars", card_id) for card_id in map(str, range(20_000))}
    assert {len(guid) for guid in guids.values()} >= {9, 10}
    assert all(note_guid("scars", card_id) == guid for card_id, guid in guids.items())


def test_note_type_and_deck_ids_do_not_depend_on_the_build(tmp_path: Path, monkeypatch) -> None:
    seen = []
    for epoch in ("1600000000", "1700000000"):
        monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
        package = build(tmp_path, DECK, f"{epoch}.apkg")
        with zipfile.ZipFile(package) as archive:
            (tmp_path / f"{epoch}.anki2").write_bytes(archive.read("collection.anki2"))
        with sqlite3.connect(tmp_path / f"{epoch}.anki2") as db:
            models, decks = db.execute("select models, decks from col").fetchone()
        seen.append((sorted(json.loads(models)), sorted(json.loads(decks))))
    assert seen[0] == seen[1]
    assert str(anki_deck_id("scars", "Definition")) in seen[0][1]


def leftovers(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir() if path.name not in ("cards.yaml", "cards.lock", "out.apkg"))


def test_a_refused_build_leaves_the_previous_package_untouched(tmp_path: Path) -> None:
    previous = build(tmp_path, DECK).read_bytes()
    path = deck_file(tmp_path, DECK.replace("answer: Less than 2 mm", "anwser: Less than 2 mm"))
    checked, built = pipeline.build(str(path), tmp_path / "out.apkg")
    assert built is None and checked.problems
    assert (tmp_path / "out.apkg").read_bytes() == previous
    assert leftovers(tmp_path) == []


def test_a_failed_write_leaves_the_previous_package_and_no_temporary_file(tmp_path: Path, monkeypatch) -> None:
    previous = build(tmp_path, DECK).read_bytes()

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(zipfile.ZipFile, "writestr", disk_full)
    path = deck_file(tmp_path, DECK.replace("Less than", "Under"))
    with pytest.raises(pipeline.BuildError, match="No space left on device"):
        pipeline.build(str(path), tmp_path / "out.apkg")
    assert (tmp_path / "out.apkg").read_bytes() == previous
    assert leftovers(tmp_path) == []


def _small_files() -> None:
    """In the child: no file written past 200 kB, a write beyond failing (EFBIG) as on a full disk."""
    resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, 200_000))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


def test_a_full_disk_while_the_database_is_written_is_one_error_and_writes_nothing(tmp_path: Path) -> None:
    deck_file(tmp_path, "deck: {id: d, name: D}\ncards:\n" + "".join(
        f"  - {{id: c{n}, question: Question {n}, answer: Answer {n}}}\n" for n in range(3000)))
    result = subprocess.run([sys.executable, "-m", "deck", "build", "cards.yaml", "-o", "out.apkg"], cwd=tmp_path,
                            capture_output=True, text=True, preexec_fn=_small_files)
    assert result.returncode == 1
    [line] = result.stderr.splitlines()
    assert line.startswith("Error: cannot write the package's database in the temporary folder ")
    assert "(TMPDIR chooses another): " in line  # then SQLite's words: 'disk I/O error' here
    assert sorted(os.listdir(tmp_path)) == ["cards.yaml"]  # no package, no lock, no temporary file
