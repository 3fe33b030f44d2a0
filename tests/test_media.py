"""Pictures, sound and typed answers: packed safely, and seen by Anki exactly as referenced."""

from __future__ import annotations

import os
import unicodedata
import zipfile
from pathlib import Path

import pytest

from click.testing import CliRunner

from deck import media, pipeline
from deck.cli import main
from tests.conftest import deck_file, import_package, shown

# Just enough of each format for the content checks (Anki itself does not decode them).
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>\n'
MP3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\x00" * 32

DECK = """\
deck: {id: pictures, name: Pictures}
cards:
  - id: shape
    question: "What shape is this scar? ![cross-section](images/v-shaped-scar.svg)"
    answer: A narrow, deep V
    extra: "Compare: ![photo](images/dot.png)"
    audio: sounds/ice-pick.mp3
  - id: again
    type: cloze
    text: "The same picture twice ![again](images/dot.png) is {{c1::packed once}}."
  - id: term
    type: type-in
    question: What is the acid used in TCA CROSS?
    answer: trichloroacetic acid
"""


def media_folder(tmp_path: Path) -> Path:
    for relative, data in (("images/v-shaped-scar.svg", SVG), ("images/dot.png", PNG),
                           ("sounds/ice-pick.mp3", MP3), ("images/unused.png", PNG)):
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_bytes(data)
    return tmp_path


def build(tmp_path: Path, text: str = DECK) -> Path:
    media_folder(tmp_path)
    checked, built = pipeline.build(str(deck_file(tmp_path, text)), tmp_path / "out.apkg")
    assert built is not None, [problem.format() for problem in checked.problems]
    return built.out


def test_media_land_in_anki_with_their_names_and_bytes(tmp_path: Path, collection) -> None:
    package = build(tmp_path)
    with zipfile.ZipFile(package) as archive:
        assert sorted(archive.namelist()) == ["0", "1", "2", "collection.anki2", "media"]
    import_package(collection, package)

    folder = Path(collection.media.dir())
    assert sorted(path.name for path in folder.iterdir()) == ["dot.png", "ice-pick.mp3", "v-shaped-scar.svg"]
    assert (folder / "v-shaped-scar.svg").read_bytes() == SVG
    assert (folder / "dot.png").read_bytes() == PNG
    assert (folder / "ice-pick.mp3").read_bytes() == MP3
    report = collection.media.check()
    assert (list(report.missing), list(report.unused)) == ([], [])


def test_cards_reference_the_packed_media(tmp_path: Path, collection) -> None:
    import_package(collection, build(tmp_path))
    [shape_card] = collection.find_cards("note:deck-basic")
    card = collection.get_card(shape_card)
    assert '<img src="v-shaped-scar.svg" alt="cross-section">' in card.question()
    assert '<img src="dot.png" alt="photo">' in card.answer()
    assert [tag.filename for tag in card.answer_av_tags()] == ["ice-pick.mp3"]
    assert card.question_av_tags() == []


def test_a_type_in_card_shows_anki_typing_box(tmp_path: Path, collection) -> None:
    import_package(collection, build(tmp_path))
    [card_id] = collection.find_cards("note:deck-type-in")
    card = collection.get_card(card_id)
    # Anki's renderer leaves this marker; its reviewer puts the typing box there, and on the back
    # the comparison of what was typed with the answer.
    assert '<div class="type-in">[[type:Back]]</div>' in card.question()
    assert '<div class="type-in">[[type:Back]]</div>' in card.answer()
    assert "What is the acid used in TCA CROSS?" in shown(card.question())
    assert card.note()["Back"] == "trichloroacetic acid"


def problems(tmp_path: Path, text: str) -> list[tuple[int, int, str, str]]:
    media_folder(tmp_path)
    checked = pipeline.check(str(deck_file(tmp_path, text)))
    return [(p.line, p.column, p.code, p.message) for p in checked.problems]


def one_card(field: str) -> str:
    return f"deck: {{id: t, name: T}}\ncards:\n  - id: a\n    question: q\n    answer: a\n    {field}\n"


@pytest.mark.parametrize(
    ("field", "column", "words"),
    [
        ('extra: "![x](../outside.png)"', 18, "leaves the deck file's folder"),
        ('extra: "![x](/etc/hostname)"', 18, "absolute path"),
        ('extra: "![x](C:/Windows/win.ini)"', 18, "absolute path"),
        ('extra: "![x](images/missing.png)"', 18, "does not exist"),
        ('extra: "![x](images)"', 18, "is not a regular file"),
        ('extra: "![x](images/notes.txt)"', 18, "is not an image file"),
        ('extra: "![x](images/fake.png)"', 18, "does not contain PNG data"),
        ('extra: "![x](images/con.png)"', 18, "reserved on Windows"),
        ('extra: "![x](images/what?.png)"', 18, "characters Anki does not allow"),
        ("audio: images/dot.png", 12, "is not a sound file"),
        ('extra: "![x](https://example.org/a.png)"', 18, "remote image"),
        ("extra: '<img src=\"images/dot.png\">'", 23, "show images with Markdown"),
    ],
)
def test_unsafe_media_references_are_errors_at_their_position(tmp_path: Path, field: str, column: int,
                                                               words: str) -> None:
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "notes.txt").write_text("text")
    (tmp_path / "images" / "fake.png").write_text("not a picture")
    (tmp_path / "images" / "con.png").write_bytes(PNG)
    (tmp_path / "images" / "what?.png").write_bytes(PNG)
    [(line, col, code, message)] = problems(tmp_path, one_card(field))
    assert (line, col) == (6, column)
    assert words in message


def test_a_symlink_that_leads_outside_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside.png"
    outside.write_bytes(PNG)
    deck = tmp_path / "deck"
    (deck / "images").mkdir(parents=True)
    os.symlink(outside, deck / "images" / "link.png")
    [(line, column, code, message)] = problems(deck, one_card('extra: "![x](images/link.png)"'))
    assert (line, column, code) == (6, 18, "media")
    assert "leads outside the deck's folder" in message


def test_a_file_over_the_size_cap_is_refused(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(media, "MAX_MEDIA_BYTES", len(PNG) - 1)
    [(line, column, code, message)] = problems(tmp_path, one_card('extra: "![x](images/dot.png)"'))
    assert (line, column, code) == (6, 18, "media")
    assert "limit for one file" in message


def test_a_name_too_long_for_anki_is_refused(tmp_path: Path) -> None:
    name = "a" * 118 + ".png"
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / name).write_bytes(PNG)
    [(_, _, _, message)] = problems(tmp_path, one_card(f'extra: "![x](images/{name})"'))
    assert "longer than Anki's 120 bytes" in message


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("images/Scar.png", "other/scar.png"),  # one file on macOS and Windows disks
        ("images/" + unicodedata.normalize("NFD", "é.png"), "other/" + unicodedata.normalize("NFC", "é.png")),
    ],
)
def test_two_files_that_anki_would_name_alike_are_refused(tmp_path: Path, first: str, second: str) -> None:
    for relative in (first, second):
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_bytes(PNG + relative.encode())
    text = one_card(f'extra: "![x]({first}) ![y]({second})"')
    [(line, column, code, message)] = problems(tmp_path, text)
    assert (line, code) == (6, "media")
    assert "rename one of the files" in message
    assert f"'{second}' and '{first}' would be one file" in message


def test_only_referenced_files_are_packed(tmp_path: Path) -> None:
    package = build(tmp_path)
    with zipfile.ZipFile(package) as archive:
        import json

        names = json.loads(archive.read("media"))
    assert sorted(names.values()) == ["dot.png", "ice-pick.mp3", "v-shaped-scar.svg"]


def test_unreadable_paths_are_media_problems_not_crashes(tmp_path: Path) -> None:
    (tmp_path / "images").mkdir()
    os.symlink(tmp_path / "images" / "loop.png", tmp_path / "images" / "loop.png")
    text = one_card('extra: "![x](images/loop.png) ![y](images/' + "n" * 300 + '.png)"')
    found = problems(tmp_path, text)
    assert [(line, code) for line, _, code, _ in found] == [(6, "media"), (6, "media")]


def deck_command(deck: Path, *args: str) -> tuple[int, list[str]]:
    """`deck ARGS` run in the folder `deck`: its exit status and its lines on standard error."""
    cwd = Path.cwd()
    os.chdir(deck)
    try:
        result = CliRunner().invoke(main, list(args))
    finally:
        os.chdir(cwd)
    print(result.stdout, result.stderr)
    return result.exit_code, result.stderr.splitlines()


LEADS_OUT = "leads outside the deck's folder (through a symbolic link); copy the file into the deck's folder instead"


@pytest.mark.parametrize(
    ("link", "reference"),
    [
        ("../outside", "images/dot.png"),  # the folder leads out, the file is there
        ("../outside", "images/gone.png"),  # the folder leads out, the file is not there either
        ("../nowhere", "images/dot.png"),  # the folder leads out, to nothing
    ],
)
def test_a_linked_folder_leading_outside_is_named_so_not_missing(tmp_path: Path, link: str, reference: str) -> None:
    deck = tmp_path / "deck"
    deck.mkdir()
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "dot.png").write_bytes(PNG)
    os.symlink(link, deck / "images")
    deck_file(deck, one_card(f'extra: "![x]({reference})"'))
    assert deck_command(deck, "build") == (1, [f"cards.yaml:6:18: error: card 'a': '{reference}' {LEADS_OUT}",
                                               "cards.yaml: 1 error"])
    assert sorted(path.name for path in deck.iterdir()) == ["cards.yaml", "images"]


def test_a_media_file_with_another_hard_link_is_refused(tmp_path: Path) -> None:
    deck = tmp_path / "deck"
    (deck / "images").mkdir(parents=True)
    (tmp_path / "secret.png").write_bytes(PNG)
    os.link(tmp_path / "secret.png", deck / "images" / "linked.png")  # the same file, outside the folder too
    deck_file(deck, one_card('extra: "![x](images/linked.png)"'))
    assert deck_command(deck, "build") == (1, [
        "cards.yaml:6:18: error: card 'a': 'images/linked.png' has more than one hard link, so it may be a file "
        "outside the deck's folder; copy the file into the deck's folder",
        "cards.yaml: 1 error"])
    assert sorted(path.name for path in deck.iterdir()) == ["cards.yaml", "images"]
    # As asked: a copy in the folder, its only name, is packed.
    (deck / "images" / "linked.png").unlink()
    (deck / "images" / "linked.png").write_bytes(PNG)
    assert deck_command(deck, "build", "-o", "out.apkg")[0] == 0
