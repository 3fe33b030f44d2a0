"""Updates that keep every student's review history, and byte-for-byte reproducible builds.

Each test imports successive builds into one real Anki collection with Anki's default options,
as a student does, and checks what the import changed.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import time
import zipfile
from pathlib import Path

import pytest
from anki.scheduler.v3 import CardAnswer
from hypothesis import given
from hypothesis import strategies as st
from click.testing import CliRunner

from deck import lock, notetypes, pipeline
from deck.cli import main
from tests.conftest import deck_file, import_package, shown

V1 = """\
deck: {id: scars, name: Scars}
cards:
  - {id: width, question: How wide is an ice pick scar?, answer: Less than 2 mm}
  - {id: shape, question: What shape is an ice pick scar in section?, answer: A V}
  - {id: tca, type: cloze, text: "One TCA CROSS session improves scars by about {{c1::25%}}."}
"""


@pytest.fixture
def release(tmp_path: Path, monkeypatch):
    """release(text, epoch) -> (package, Built): build a new version of the deck at a given time."""
    versions = iter(range(1, 100))

    def make(text: str, epoch: int):
        monkeypatch.setenv("SOURCE_DATE_EPOCH", str(epoch))
        path = deck_file(tmp_path, text)
        checked, built = pipeline.build(str(path), tmp_path / f"v{next(versions)}.apkg")
        assert built is not None, [problem.format() for problem in checked.problems]
        return built

    return make


def counts(log) -> tuple[int, int]:
    return len(log.new), len(log.updated)


def study(collection, card_id: int) -> tuple[int, int, int]:
    """Answer a card once, as a student would; returns (reviews logged, interval, due)."""
    card = collection.get_card(card_id)
    collection.decks.select(card.did)
    queued = {entry.card.id: entry for entry in collection.sched.get_queued_cards(fetch_limit=50).cards}
    card.start_timer()
    collection.sched.answer_card(
        collection.sched.build_answer(card=card, states=queued[card_id].states, rating=CardAnswer.EASY))
    return history(collection, card_id)


def history(collection, card_id: int) -> tuple[int, int, int]:
    card = collection.get_card(card_id)
    return collection.db.scalar("select count() from revlog where cid = ?", card_id), card.ivl, card.due


def note_of(collection, text: str):
    [note_id] = collection.find_notes(f'"{text}"')
    return collection.get_note(note_id)


def test_a_rebuild_without_changes_updates_nothing(release, collection) -> None:
    import_package(collection, release(V1, 1_700_000_000).out)
    second = release(V1, 1_700_086_400)  # a day later
    assert (second.changes.added, second.changes.changed, list(second.changes.removed)) == ([], [], [])
    assert counts(import_package(collection, second.out)) == (0, 0)


def test_an_edited_answer_updates_that_note_in_place_and_keeps_its_history(release, collection) -> None:
    import_package(collection, release(V1, 1_700_000_000).out)
    width = note_of(collection, "Back:Less than 2 mm")
    [card_id] = width.card_ids()
    studied = study(collection, card_id)
    assert studied[0] == 1

    edited = release(V1.replace("Less than 2 mm", "Under 2 mm"), 1_700_086_400)
    assert edited.changes.changed == ["width"]
    log = import_package(collection, edited.out)
    assert counts(log) == (0, 1)
    assert [entry.id.nid for entry in log.updated] == [width.id]
    assert collection.get_note(width.id)["Back"] == "Under 2 mm"
    assert width.card_ids() == [card_id]
    assert history(collection, card_id) == studied


def test_an_added_card_is_new_and_a_removed_card_is_reported_and_findable(release, collection) -> None:
    import_package(collection, release(V1, 1_700_000_000).out)
    added = V1 + "  - {id: depth, question: How deep is an ice pick scar?, answer: Deep}\n"
    second = release(added, 1_700_086_400)
    assert second.changes.added == ["depth"]
    assert counts(import_package(collection, second.out)) == (1, 0)

    removed = added.replace("  - {id: shape, question: What shape is an ice pick scar in section?, answer: A V}\n", "")
    third = release(removed, 1_700_172_800)
    assert list(third.changes.removed) == ["shape"]
    assert counts(import_package(collection, third.out)) == (0, 0)
    assert collection.note_count() == 4  # an import never deletes

    search = lock.removed_search("Scars", [(entry.kind, entry.prompt) for entry in third.changes.removed.values()])
    assert [collection.get_note(nid)["Front"] for nid in collection.find_notes(search)] == [
        "What shape is an ice pick scar in section?"]


def test_the_search_for_removed_cards_finds_only_them(release, collection) -> None:
    deck = V1 + ("  - {id: grafting, type: reversed, question: Punch grafting, answer: Replacing the scar's skin}\n"
                 "  - {id: deeper, question: Which procedure suits deeper scars?, answer: Punch grafting}\n"
                 "  - {id: donor, question: Where does the skin for punch grafting come from?, answer: Behind the ear}\n")
    import_package(collection, release(deck, 1_700_000_000).out)
    removal = release(deck.replace("  - {id: grafting, type: reversed, question: Punch grafting, "
                                   "answer: Replacing the scar's skin}\n", ""), 1_700_086_400)
    assert list(removal.changes.removed) == ["grafting"]
    search = lock.removed_search("Scars", [(entry.kind, entry.prompt) for entry in removal.changes.removed.values()])
    assert [collection.get_note(nid)["Front"] for nid in collection.find_notes(search)] == ["Punch grafting"]


def test_the_search_for_removed_cards_handles_cloze_and_special_characters(release, collection) -> None:
    tricky = V1 + '  - {id: odd, question: "What does *x* mean: a_b \\"c\\" <i>&</i> \\\\ d?", answer: y}\n'
    import_package(collection, release(tricky, 1_700_000_000).out)
    remaining = "deck: {id: scars, name: Scars}\ncards:\n  - {id: new, question: q, answer: a}\n"
    removal = release(remaining, 1_700_086_400)
    assert sorted(removal.changes.removed) == ["odd", "shape", "tca", "width"]
    search = lock.removed_search("Scars", [(entry.kind, entry.prompt) for entry in removal.changes.removed.values()])
    assert len(collection.find_notes(search)) == 4


def test_the_search_for_removed_cards_finds_one_whose_question_has_several_lines(release, collection) -> None:
    listed = V1 + '  - {id: list, question: "Which are ice pick scars?\\n\\n- narrow\\n- deep", answer: both}\n'
    import_package(collection, release(listed, 1_700_000_000).out)
    removal = release(V1, 1_700_086_400)
    assert list(removal.changes.removed) == ["list"]
    search = lock.removed_search("Scars", [(entry.kind, entry.prompt) for entry in removal.changes.removed.values()])
    assert "\n" not in search  # one line, to paste into Anki's search bar
    assert [collection.get_note(nid)["Front"] for nid in collection.find_notes(search)] == [
        removal.changes.removed["list"].prompt]


def test_a_removed_card_that_begins_like_a_kept_one_is_left_out_of_the_search(tmp_path: Path, collection,
                                                                              monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    twin = "  - {id: twin, question: How wide is an ice pick scar?, answer: Under 2 mm across}\n"
    deck_file(tmp_path, V1 + twin)
    assert CliRunner().invoke(main, ["build", "-o", "v1.apkg"]).exit_code == 0
    import_package(collection, tmp_path / "v1.apkg")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700086400")
    deck_file(tmp_path, V1.replace(
        "  - {id: shape, question: What shape is an ice pick scar in section?, answer: A V}\n", ""))
    result = CliRunner().invoke(main, ["build", "-o", "v2.apkg"])
    assert "removed (2): shape, twin" in result.stdout
    assert ("removed card 'twin' is not in a search: card 'width', which stays, begins the same way; "
            "tell students how to find it by its back") in result.stdout
    search = result.stdout.split("this search in Anki's browser finds them:\n  ")[1].splitlines()[0]
    assert [collection.get_note(nid)["Front"] for nid in collection.find_notes(search)] == [
        "What shape is an ice pick scar in section?"]


def test_a_removed_card_of_several_lines_is_told_from_a_kept_one_of_one(release, collection) -> None:
    both = V1 + ('  - {id: two-lines, question: "Line one\\nline two?", answer: a}\n'
                 '  - {id: one-line, question: "Line one line two?", answer: b}\n')
    import_package(collection, release(both, 1_700_000_000).out)
    removal = release(both.replace('  - {id: two-lines, question: "Line one\\nline two?", answer: a}\n', ""),
                      1_700_086_400)
    twins = lock.search_twins(removal.changes.removed, [("one-line", "basic", "Line one line two?")])
    assert twins == {"two-lines": "one-line"}
    search = lock.removed_search("Scars", [(entry.kind, entry.prompt) for entry in removal.changes.removed.values()])
    assert len(collection.find_notes(search)) == 2  # which is why it is left out of the search


def test_a_card_that_looks_renamed_is_pointed_out(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    deck_file(tmp_path, V1)
    assert CliRunner().invoke(main, ["build"]).exit_code == 0
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700086400")
    deck_file(tmp_path, V1.replace("{id: width,", "{id: wide,"))
    result = CliRunner().invoke(main, ["build"])
    assert "added (1): wide\nremoved (1): width\n" in result.stdout
    assert ("card 'wide' is new but begins like removed card 'width': if it is that card renamed, students will keep "
            "the old note and get a second one.") in result.stdout


def test_a_students_own_edit_to_an_unchanged_card_survives_the_next_version(release, collection) -> None:
    import_package(collection, release(V1, 1_700_000_000).out)
    shape = note_of(collection, "Back:A V")
    shape["Extra"] = "my own mnemonic"
    collection.update_note(shape)

    log = import_package(collection, release(V1.replace("Less than 2 mm", "Under 2 mm"), 1_700_086_400).out)
    assert counts(log) == (0, 1)
    assert collection.get_note(shape.id)["Extra"] == "my own mnemonic"


def test_changed_css_reaches_students_without_stranding_notes(release, collection, monkeypatch) -> None:
    import_package(collection, release(V1, 1_700_000_000).out)
    before = {nid: collection.get_note(nid).mid for nid in collection.find_notes("")}

    restyled = dataclasses.replace(notetypes.BASIC, css=notetypes.BASIC.css + "\n.answer { color: teal; }\n")
    monkeypatch.setitem(notetypes.NOTE_TYPES, "basic", restyled)
    second = release(V1, 1_700_086_400)
    assert (second.changes.added, second.changes.changed, second.changes.note_types) == ([], [], ["basic"])
    assert counts(import_package(collection, second.out)) == (0, 0)

    assert collection.models.get(notetypes.BASIC_ID)["css"].endswith(".answer { color: teal; }\n")
    assert {nid: collection.get_note(nid).mid for nid in collection.find_notes("")} == before
    [card_id] = note_of(collection, "Back:A V").card_ids()
    assert ".answer { color: teal; }" in collection.get_card(card_id).answer()
    assert "A V" in shown(collection.get_card(card_id).answer())


def test_the_same_inputs_build_the_same_bytes(release, tmp_path: Path) -> None:
    first = release(V1, 1_700_000_000).out.read_bytes()
    lock_file = (tmp_path / "cards.lock").read_bytes()
    (tmp_path / "cards.lock").unlink()
    again = release(V1, 1_700_000_000).out.read_bytes()
    assert hashlib.sha256(again).hexdigest() == hashlib.sha256(first).hexdigest()
    assert (tmp_path / "cards.lock").read_bytes() == lock_file
    # With the lock in place, a later clock changes nothing either.
    later = release(V1, 1_750_000_000).out.read_bytes()
    assert hashlib.sha256(later).hexdigest() == hashlib.sha256(first).hexdigest()


def test_every_timestamp_follows_source_date_epoch(release, tmp_path: Path) -> None:
    package = release(V1, 1_700_000_000).out
    with zipfile.ZipFile(package) as archive:
        entries = archive.infolist()
        (tmp_path / "collection.anki2").write_bytes(archive.read("collection.anki2"))
    assert {entry.date_time for entry in entries} == {(2023, 11, 14, 22, 13, 20)}
    assert {entry.external_attr >> 16 for entry in entries} == {0o644}
    import sqlite3

    with sqlite3.connect(tmp_path / "collection.anki2") as db:
        assert {mod for (mod,) in db.execute("select mod from notes")} == {1_700_000_000}
        models = json.loads(db.execute("select models from col").fetchone()[0])
    assert {model["mod"] for model in models.values()} == {1_700_000_000}


def test_the_lock_file_lists_one_card_per_line_in_id_order(release, tmp_path: Path) -> None:
    release(V1, 1_700_000_000)
    lines = (tmp_path / "cards.lock").read_text().splitlines()
    card_lines = [line.strip() for line in lines if '"prompt"' in line]
    assert [line.split('"')[1] for line in card_lines] == ["shape", "tca", "width"]
    assert json.loads((tmp_path / "cards.lock").read_text())["deck"] == "scars"


# Any text, control characters, quotes, backslashes and astral characters included.
texts = st.lists(st.text(), max_size=4)


@given(st.text(), texts, texts, texts)
def test_a_cards_hash_is_the_hash_of_its_content_as_json(kind: str, fields: list[str], tags: list[str],
                                                         media: list[str]) -> None:
    assert lock.card_hash(kind, fields, tags, media, as_written=True) == lock.content_hash(kind, fields, tags, media)
    tags_as_seen = sorted({tag.casefold() for tag in tags})
    assert lock.card_hash(kind, fields, tags, media) == lock.content_hash(kind, fields, tags_as_seen, media)


@given(st.text(), st.text(), st.sampled_from(sorted(notetypes.NOTE_TYPES)), st.text(), st.integers(0, lock.LATEST_TIME))
def test_each_card_line_of_the_lock_is_its_entry_as_sorted_json(card_id: str, guid: str, kind: str, prompt: str,
                                                                 mod: int) -> None:
    entry = {"hash": "0123456789abcdef", "mod": mod, "kind": kind, "guid": guid, "prompt": prompt}
    written = io.BytesIO()
    lock.dump(lock.Lock.model_construct(deck="d", cards={card_id: lock.CardStamp(**entry)}), written)
    expected = f"    {json.dumps(card_id, ensure_ascii=False)}: {json.dumps(entry, ensure_ascii=False, sort_keys=True)}"
    lines = written.getvalue().decode().split("\n")
    assert lines[lines.index('  "cards": {') + 1] == expected
    assert json.loads(written.getvalue())["cards"] == {card_id: entry}


def test_a_clock_behind_the_last_build_still_makes_changes_newer(release) -> None:
    release(V1, 1_700_000_000)
    behind = release(V1.replace("A V", "V-shaped"), 1_600_000_000)
    assert lock.read(behind.lock_path)[0].cards["shape"].mod == 1_700_000_001


def test_a_damaged_lock_is_reported_not_ignored(release, tmp_path: Path) -> None:
    release(V1, 1_700_000_000)
    (tmp_path / "cards.lock").write_text('{"format": 1, "deck": ')
    checked = pipeline.check(str(tmp_path / "cards.yaml"))
    [problem] = checked.problems
    assert problem.path.endswith("cards.lock") and problem.code == "bad-lock"
    assert "restore it from version control, or delete it" in problem.message


def test_a_lock_left_with_a_trailing_comma_is_reported_where_it_is(release, tmp_path: Path) -> None:
    release(V1, 1_700_000_000)
    release(V1.replace("  - {id: shape,", "  - {id: shape2,").replace("  - {id: tca,", "  - {id: tca2,"), 1_700_000_100)
    path = tmp_path / "cards.lock"
    lines = path.read_text().splitlines(keepends=True)
    last_removed = max(number for number, text in enumerate(lines) if text.startswith('    "tca"'))
    path.write_text("".join(lines[:last_removed] + lines[last_removed + 1:]))  # the comma before it stays
    [problem] = pipeline.check(str(tmp_path / "cards.yaml")).problems
    assert (problem.line, problem.code) == (last_removed + 1, "bad-lock")
    assert problem.message.startswith("cards.lock is not valid JSON (trailing comma); mend it here, or restore")


@pytest.mark.parametrize(("text", "place"), [("", (1, 1)), ('{"deck": "ééééé" x}', (1, 18))])
def test_a_lock_not_json_is_reported_at_the_character_where_it_breaks(release, tmp_path: Path, text: str,
                                                                        place: tuple[int, int]) -> None:
    release(V1, 1_700_000_000)
    (tmp_path / "cards.lock").write_text(text, encoding="utf-8")
    [problem] = pipeline.check(str(tmp_path / "cards.yaml")).problems
    assert ((problem.line, problem.column), problem.code) == (place, "bad-lock")


def test_changing_the_deck_id_is_refused(release, tmp_path: Path) -> None:
    release(V1, 1_700_000_000)
    deck_file(tmp_path, V1.replace("id: scars", "id: acne-scars"))
    [problem] = pipeline.check(str(tmp_path / "cards.yaml")).problems
    assert (problem.line, problem.column, problem.code) == (1, 12, "deck-id-changed")


def test_a_removed_cards_id_cannot_be_given_to_a_new_card(release, tmp_path: Path) -> None:
    release(V1, 1_700_000_000)
    release(V1.replace("  - {id: shape, question: What shape is an ice pick scar in section?, answer: A V}\n", ""),
            1_700_000_100)
    deck_file(tmp_path, V1.replace("id: shape, question: What shape is an ice pick scar in section?",
                                   "id: shape, question: Where do ice pick scars form?"))
    [problem] = pipeline.check(str(tmp_path / "cards.yaml")).problems
    assert (problem.line, problem.column, problem.code) == (4, 10, "removed-id")
    assert "What shape is an ice pick scar in section?" in problem.message


@pytest.mark.parametrize(
    ("damage", "words"),
    [
        (lambda path: path.write_text("[]"), "is not a lock file"),
        (lambda path: (path.unlink(), path.mkdir()), "cannot read cards.lock"),
    ],
)
def test_a_lock_that_is_not_one_is_reported_at_the_lock(release, tmp_path: Path, damage, words: str) -> None:
    release(V1, 1_700_000_000)
    damage(tmp_path / "cards.lock")
    [problem] = pipeline.check(str(tmp_path / "cards.yaml")).problems
    assert problem.path.endswith("cards.lock") and words in problem.message


def test_source_date_epoch_out_of_range_is_refused(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "99999999999999999999")
    with pytest.raises(pipeline.BuildError, match="up to 253402300799"):
        pipeline.build(str(deck_file(tmp_path, V1)), tmp_path / "out.apkg")


def test_a_changed_picture_updates_its_card(release, tmp_path: Path, collection) -> None:
    (tmp_path / "scar.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"><rect width="1" height="1"/></svg>')
    deck = V1 + '  - {id: pic, question: "What shows here? ![s](scar.svg)", answer: A square}\n'
    import_package(collection, release(deck, 1_700_000_000).out)
    (tmp_path / "scar.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"><circle r="1"/></svg>')
    second = release(deck, 1_700_086_400)
    assert second.changes.changed == ["pic"]
    assert counts(import_package(collection, second.out)) == (0, 1)


KEPT_GUID = V1.replace("{id: width,", "{id: width, guid: abc123,")  # as `deck import` keeps a note's GUID


TAGGED = V1.replace("{id: width, question: How wide is an ice pick scar?, answer: Less than 2 mm}",
                    "{id: width, guid: abc123, question: How wide is an ice pick scar?, answer: Less than 2 mm, "
                    "tags: [size, Morphology]}")


def no_change(built) -> bool:
    return (built.changes.added, built.changes.changed, built.changes.removed) == ([], [], {})


def test_tags_reordered_or_recased_are_no_change_as_students_see_none(release, collection) -> None:
    import_package(collection, release(TAGGED, 1_700_000_000).out)
    for epoch, tags in ((1_700_086_400, "[Morphology, size]"), (1_700_172_800, "[size, morphology, size]")):
        same = release(TAGGED.replace("[size, Morphology]", tags), epoch)
        assert no_change(same)
        assert counts(import_package(collection, same.out)) == (0, 0)
    retagged = release(TAGGED.replace("[size, Morphology]", "[size, shape]"), 1_700_259_200)
    assert retagged.changes.changed == ["width"]
    assert counts(import_package(collection, retagged.out)) == (0, 1)


@pytest.mark.parametrize("edit", [
    lambda text: text,
    lambda text: text.replace("{id: width,", "{id: wide,"),  # the guid kept: the same note
])
def test_a_lock_that_hashed_tags_as_written_still_counts(release, monkeypatch, edit) -> None:
    # (Tags reordered in the same build as the one that first reads such a lock count as a change, once:
    # the order they had is not recorded.)
    with monkeypatch.context() as before:  # the lock as builds before 2026-11-30 wrote it
        before.setattr(lock, "card_hash", lambda kind, fields, tags, media, as_written=False: lock.content_hash(
            kind, fields, tags, media))
        first = release(TAGGED, 1_700_000_000)
    mods = lock.read(first.lock_path)[0].newest()
    again = release(edit(TAGGED), 1_700_086_400)
    assert no_change(again)
    assert lock.read(again.lock_path)[0].newest() == mods
    reordered_later = release(edit(TAGGED).replace("[size, Morphology]", "[Morphology, size]"), 1_700_172_800)
    assert no_change(reordered_later)


def test_changing_a_cards_guid_is_refused(release, tmp_path: Path) -> None:
    release(V1, 1_700_000_000)
    deck_file(tmp_path, KEPT_GUID)
    [problem] = pipeline.check(str(tmp_path / "cards.yaml")).problems
    assert (problem.line, problem.code) == (3, "guid-changed")


def test_changing_a_cards_type_is_refused(release, tmp_path: Path) -> None:
    release(V1, 1_700_000_000)
    deck_file(tmp_path, V1.replace("{id: shape,", "{id: shape, type: reversed,"))
    [problem] = pipeline.check(str(tmp_path / "cards.yaml")).problems
    assert (problem.line, problem.column, problem.code) == (4, 23, "type-changed")
    assert "its type changed since the last build (was basic, now reversed)" in problem.message


def test_a_card_renamed_with_its_guid_kept_is_the_same_note(release, collection) -> None:
    import_package(collection, release(KEPT_GUID, 1_700_000_000).out)
    renamed = release(KEPT_GUID.replace("{id: width,", "{id: wide,").replace("Less than 2 mm", "Under 2 mm"),
                      1_700_086_400)
    assert (renamed.changes.added, renamed.changes.changed, renamed.changes.removed) == ([], ["wide"], {})
    assert counts(import_package(collection, renamed.out)) == (0, 1)


def test_a_type_change_under_a_new_id_with_the_guid_kept_is_refused(release, tmp_path: Path) -> None:
    release(KEPT_GUID, 1_700_000_000)
    deck_file(tmp_path, KEPT_GUID.replace("{id: width,", "{id: wide, type: reversed,"))
    [problem] = pipeline.check(str(tmp_path / "cards.yaml")).problems
    assert (problem.line, problem.code) == (3, "type-changed")
    assert problem.message.endswith("or give the card a new id and no 'guid' to make it a new note")


def test_a_guid_equal_to_another_cards_derived_guid_is_refused(tmp_path: Path) -> None:
    from deck.package import note_guid

    deck_file(tmp_path, V1.replace("{id: width,", f"{{id: width, guid: '{note_guid('scars', 'shape')}',"))
    [problem] = pipeline.check(str(tmp_path / "cards.yaml")).problems
    assert (problem.line, problem.code) == (4, "duplicate-guid")


def test_the_last_accepted_time_still_builds(release, monkeypatch) -> None:
    monkeypatch.setattr(time, "time", lambda: lock.LATEST_TIME)  # on the last day of year 9999
    assert release(V1, lock.LATEST_TIME).out.stat().st_size > 0


def test_source_date_epoch_in_the_future_is_refused(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(time.time()) + 2 * 86_400))
    with pytest.raises(pipeline.BuildError, match="in the future: cards dated then would overwrite students' own"):
        pipeline.build(str(deck_file(tmp_path, V1)), tmp_path / "out.apkg")
    assert not (tmp_path / "out.apkg").exists() and not (tmp_path / "cards.lock").exists()


@pytest.mark.parametrize("edit", [
    lambda text: text.replace('"format": 1', '"format": 99'),
    lambda text: text.replace('"kind": "basic"', '"kind": " "', 1),
    lambda text: text.replace('"mod": 1700000000', '"mod": 99999999999999999999', 1),
])
def test_a_hand_edited_lock_is_reported(release, tmp_path: Path, edit) -> None:
    release(V1, 1_700_000_000)
    (tmp_path / "cards.lock").write_text(edit((tmp_path / "cards.lock").read_text()))
    [problem] = pipeline.check(str(tmp_path / "cards.yaml")).problems
    assert problem.code == "bad-lock"


def test_a_lock_at_the_last_time_refuses_a_change_and_keeps_what_is_on_disk(release, tmp_path: Path,
                                                                            monkeypatch) -> None:
    release(V1, 1_700_000_000)
    lock_file = tmp_path / "cards.lock"
    lock_file.write_text(lock_file.read_text().replace('"mod": 1700000000', f'"mod": {lock.LATEST_TIME}', 1))
    before = lock_file.read_bytes()
    deck_file(tmp_path, V1.replace("Less than 2 mm", "Under 2 mm"))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700086400")
    with pytest.raises(pipeline.BuildError, match="dates a card at the end of year 9999"):
        pipeline.build(str(tmp_path / "cards.yaml"), tmp_path / "next.apkg")
    assert lock_file.read_bytes() == before and not (tmp_path / "next.apkg").exists()
