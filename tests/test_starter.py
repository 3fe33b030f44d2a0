"""`deck init`: a new deck that validates, lints clean, builds and imports into Anki as it is."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
from pathlib import Path

import jsonschema
import pytest
import yaml

from tests.conftest import import_package, shown

ROOT = Path(__file__).resolve().parent.parent
FILES = ["cards.yaml", "cards.schema.json", ".gitignore", ".pre-commit-config.yaml"]


def test_a_new_deck_validates_lints_clean_and_builds_into_anki(run, tmp_path: Path, monkeypatch, collection) -> None:
    result = run("init", "french-verbs")
    assert (result.exit_code, result.stdout) == (0, (
        "wrote french-verbs/cards.yaml, cards.schema.json, .gitignore, .pre-commit-config.yaml\n"
        "next: cd french-verbs, then replace the example cards in cards.yaml with yours, and run 'deck build'\n"))
    assert sorted(path.name for path in (tmp_path / "french-verbs").iterdir()) == sorted(FILES)
    monkeypatch.chdir(tmp_path / "french-verbs")
    counts = "4 notes (1 basic, 1 reversed, 1 cloze, 1 type-in), 5 cards"
    assert (run("validate").exit_code, run("validate").stdout) == (0, f"cards.yaml: {counts}, no problems\n")
    assert (run("lint", "--strict").exit_code, run("lint", "--strict").stderr) == (0, "")
    built = run("build")
    assert (built.exit_code, built.stdout.splitlines()[0]) == (0, f"wrote french-verbs.apkg: {counts}")

    import_package(collection, tmp_path / "french-verbs" / "french-verbs.apkg")
    assert collection.decks.all_names_and_ids(skip_empty_default=True)[0].name == "French verbs"
    cards = {collection.get_card(card_id).note().note_type()["name"]: collection.get_card(card_id)
             for card_id in collection.find_cards("")}
    assert len(collection.find_cards("")) == 5
    basic = cards["deck-basic"]
    assert shown(basic.question()) == '<div class="prompt">Who first measured the forgetting curve?</div>'
    assert "Hermann Ebbinghaus" in shown(basic.answer()) and "He was his own test subject." in basic.answer()
    assert "Memory: A Contribution to Experimental Psychology" in basic.answer()  # the source's citation
    assert "[what kind of words?]" in shown(cards["deck-cloze"].question())
    assert "typeans" in cards["deck-type-in"].question()


def test_the_deck_file_starts_with_the_schema_it_is_written_beside_and_meets_it(run, tmp_path: Path) -> None:
    assert run("init").exit_code == 0
    text = (tmp_path / "cards.yaml").read_text()
    assert text.splitlines()[0] == "# yaml-language-server: $schema=cards.schema.json"
    assert (tmp_path / "cards.schema.json").read_text() == run("schema").stdout
    schema = json.loads((tmp_path / "cards.schema.json").read_text())
    jsonschema.validate(yaml.load(text, Loader=yaml.BaseLoader), schema)  # what an editor checks while typing


@pytest.mark.parametrize(
    ("args", "folder", "deck_id", "name"),
    [
        (["init", "Français Verbes"], "Français Verbes", "francais-verbes", "Français Verbes"),
        (["init", "ice_pick-scars"], "ice_pick-scars", "ice-pick-scars", "Ice pick scars"),
        (["init", "x", "--id", "latin", "--name", 'Languages::Latin: "verbs"'], "x", "latin",
         'Languages::Latin: "verbs"'),
    ],
)
def test_id_and_name_come_from_the_folder_unless_given(run, tmp_path: Path, args: list[str], folder: str,
                                                       deck_id: str, name: str) -> None:
    assert run(*args).exit_code == 0
    deck = yaml.load((tmp_path / folder / "cards.yaml").read_text(), Loader=yaml.BaseLoader)["deck"]
    assert (deck["id"], deck["name"]) == (deck_id, name)
    assert run("validate", f"{folder}/cards.yaml").exit_code == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["init", "日本語"], "cannot make a deck id from the folder name '日本語'; give one with --id"),
        (["init", "x", "--id", "Latin"],
         "'Latin' cannot be a deck id; use lowercase letters, digits and single '-' (like 'french-verbs')"),
        (["init", "x", "--name", "Languages::"],
         "'Languages::' cannot be a deck name; write names between the '::' of subdecks"),
        (["init", "missing/x"], "cannot make missing/x: missing is not a folder"),
    ],
)
def test_a_deck_that_cannot_be_started_is_wrong_usage_and_writes_nothing(run, tmp_path: Path, args: list[str],
                                                                        message: str) -> None:
    result = run(*args)
    assert result.exit_code == 2
    assert result.stderr.endswith(f"Error: {message}\n")
    assert list(tmp_path.iterdir()) == []


def test_no_file_is_overwritten_and_nothing_is_written_beside_one(run, tmp_path: Path) -> None:
    (tmp_path / ".gitignore").write_text("notes/\n")
    result = run("init")
    assert result.exit_code == 2
    assert result.stderr.endswith(
        "Error: .gitignore already exists; deck init never overwrites a file, and wrote nothing\n")
    assert [path.name for path in tmp_path.iterdir()] == [".gitignore"]
    assert (tmp_path / ".gitignore").read_text() == "notes/\n"


def test_the_pre_commit_configuration_runs_this_projects_hooks(run, tmp_path: Path) -> None:
    assert run("init").exit_code == 0
    [repo] = yaml.safe_load((tmp_path / ".pre-commit-config.yaml").read_text())["repos"]
    ours = {hook["id"]: hook for hook in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    assert [hook["id"] for hook in repo["hooks"]] == list(ours)
    for hook in repo["hooks"]:
        assert {key: hook[key] for key in ("name", "entry", "files")} == {
            key: ours[hook["id"]][key] for key in ("name", "entry", "files")}
        assert re.search(hook["files"], "cards.yaml")
        command, *options = shlex.split(hook["entry"])  # run as pre-commit does: the files appended
        assert (command, run(*options, "cards.yaml").exit_code) == ("deck", 0)


def test_git_keeps_the_deck_and_its_lock_but_not_what_a_build_makes(run, tmp_path: Path) -> None:
    assert run("init", "--id", "memory").exit_code == 0
    assert run("build").exit_code == 0
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=tmp_path, check=True,
                            capture_output=True, text=True).stdout
    assert sorted(line[3:] for line in status.splitlines()) == sorted([*FILES, "cards.lock"])
    assert (tmp_path / "memory.apkg").is_file()


def test_help_lists_init_with_an_example(run) -> None:
    assert "deck init french-verbs" in run("--help").stdout
    assert "$ deck init french-verbs" in run("init", "--help").stdout


def test_a_failed_write_leaves_nothing_behind(run, tmp_path: Path, monkeypatch) -> None:
    replace = os.replace

    def fail_on_the_third(source, target):
        if Path(target).name == ".gitignore":
            raise OSError(28, "No space left on device")
        replace(source, target)

    monkeypatch.setattr(os, "replace", fail_on_the_third)
    result = run("init", "new")
    assert result.exit_code == 1
    assert "No space left on device" in result.stderr
    assert list(tmp_path.iterdir()) == []
