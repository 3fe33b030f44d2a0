"""The `deck` command as a user runs it: exit codes and the exact lines it prints."""

from __future__ import annotations

import gc
import os
import pty
import re
import shlex
import subprocess
import sys
from pathlib import Path

import yaml

import pytest

from deck import __version__, pipeline
from deck.pipeline import PROGRESS_MIN_BYTES, PROGRESS_MIN_CARDS, PROGRESS_MIN_FAST_BYTES
from tests.conftest import deck_file

ROOT = Path(__file__).resolve().parent.parent

VALID = """\
deck: {id: scars, name: Scars}
cards:
  - {id: width, question: How wide?, answer: Less than 2 mm}
  - {id: cross, type: reversed, question: CROSS, answer: Chemical reconstruction of skin scars}
  - {id: tca, type: cloze, text: "About {{c1::25%}} after {{c2::one}} session"}
"""

INVALID = """\
deck: {id: scars, name: Scars}
cards:
  - id: tca-sessions
    question: How many sessions?
  - id: width
    question: How wide?
    anwser: 2 mm
"""


def test_validate_a_valid_deck(run, tmp_path: Path) -> None:
    deck_file(tmp_path, VALID)
    result = run("validate")
    assert result.exit_code == 0
    assert result.stdout == "cards.yaml: 3 notes (1 basic, 1 reversed, 1 cloze), 5 cards, no problems\n"
    assert result.stderr == ""


def test_validate_reports_every_problem_and_exits_1(run, tmp_path: Path) -> None:
    deck_file(tmp_path, INVALID, "deck.yaml")
    result = run("validate", "deck.yaml")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "deck.yaml:3:5: error: card 'tca-sessions': 'answer' is required",
        "deck.yaml:5:5: error: card 'width': 'answer' is required",
        "deck.yaml:7:5: error: card 'width': unknown key 'anwser'; did you mean 'answer'?",
        "deck.yaml: 3 errors",
    ]


def test_validate_a_missing_file_is_wrong_usage(run) -> None:
    result = run("validate", "nowhere.yaml")
    assert result.exit_code == 2
    assert "'nowhere.yaml' does not exist" in result.stderr


def test_an_unknown_option_is_wrong_usage(run) -> None:
    assert run("build", "--colour").exit_code == 2


def test_build_writes_the_package_named_after_the_deck(run, tmp_path: Path) -> None:
    deck_file(tmp_path, VALID)
    result = run("build")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "wrote scars.apkg: 3 notes (1 basic, 1 reversed, 1 cloze), 5 cards",
        "first build: recorded every card in cards.lock; commit it with the deck",
    ]
    assert (tmp_path / "scars.apkg").is_file()


def test_build_to_a_chosen_path_in_another_folder(run, tmp_path: Path) -> None:
    deck_file(tmp_path, VALID, "deck.yaml")
    (tmp_path / "dist").mkdir()
    result = run("build", "deck.yaml", "-o", "dist/my.apkg")
    assert result.exit_code == 0
    assert result.stdout.startswith("wrote dist/my.apkg: ")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["deck.lock", "deck.yaml", "dist"]
    assert [path.name for path in (tmp_path / "dist").iterdir()] == ["my.apkg"]


def test_build_with_problems_writes_nothing_and_exits_1(run, tmp_path: Path) -> None:
    deck_file(tmp_path, INVALID)
    result = run("build")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == "cards.yaml: 3 errors"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["cards.yaml"]


def test_build_where_no_folder_can_be_is_wrong_usage(run, tmp_path: Path) -> None:
    deck_file(tmp_path, VALID)
    result = run("build", "-o", "cards.yaml/out.apkg")  # under a file
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == ("Error: Invalid value for '-o' / '--output': cannot write "
                                              "cards.yaml/out.apkg: cards.yaml is not a folder")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["cards.yaml"]  # no lock for a package not written


def test_a_bad_source_date_epoch_is_an_error(run, tmp_path: Path, monkeypatch) -> None:
    deck_file(tmp_path, VALID)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    result = run("build")
    assert result.exit_code == 1
    assert "SOURCE_DATE_EPOCH must be a whole number of seconds" in result.stderr


def test_version(run) -> None:
    result = run("--version")
    assert (result.exit_code, result.stdout) == (0, f"deck, version {__version__}\n")


def test_help_shows_examples(run) -> None:
    result = run("build", "--help")
    assert result.exit_code == 0
    assert "$ deck build cards.yaml -o dist/ice-pick-scars.apkg" in result.stdout


@pytest.mark.parametrize(("deck", "args"), [(INVALID, ["validate"]), (VALID, ["build"]), (VALID, ["bogus"]),
                                          (VALID, ["lint"]), (VALID, ["--version"])])
def test_python_dash_m_deck_runs_the_same_command(run, tmp_path: Path, deck: str, args: list[str]) -> None:
    """`python -m deck`, like the installed `deck`, ends the process itself once its output is out:
    the same status and every line, as the command run in this process gives."""
    deck_file(tmp_path, deck)
    expected = run(*args)
    (tmp_path / "cards.lock").unlink(missing_ok=True)
    result = subprocess.run([sys.executable, "-m", "deck", *args], cwd=tmp_path, capture_output=True, text=True)
    stderr = result.stderr.replace("python -m deck", "main")  # the name usage help gives the command
    assert (result.returncode, result.stdout, stderr) == (expected.exit_code, expected.stdout, expected.stderr)
    assert result.stdout or result.stderr


@pytest.mark.parametrize("closed", [">&-", "2>&-"])
def test_a_closed_output_is_no_failure(tmp_path: Path, closed: str) -> None:
    deck_file(tmp_path, VALID)
    command = f"{shlex.quote(sys.executable)} -m deck validate {closed}"
    assert subprocess.run(command, shell=True, cwd=tmp_path).returncode == 0


@pytest.mark.parametrize("command", [["validate"], ["lint"], ["build"], ["ids"], ["preview"], ["export", "--csv", "x.csv"]])
def test_every_command_without_a_file_and_no_cards_yaml_says_so_alike(run, command: list[str]) -> None:
    result = run(*command)
    assert result.exit_code == 2
    assert result.stderr.endswith("Error: no FILE given and there is no cards.yaml here; give a deck file or folder, "
                                  "or start one with 'deck init'\n")
    assert result.stdout == ""


def test_the_pre_commit_hooks_run_deck_on_each_deck_file(run, tmp_path: Path) -> None:
    hooks = {hook["id"]: hook for hook in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    assert set(hooks) == {"deck-validate", "deck-lint"}
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    deck_file(tmp_path / "a", VALID)
    deck_file(tmp_path / "b", INVALID)
    files = ["a/cards.yaml", "b/cards.yaml"]
    assert all(re.search(hooks["deck-validate"]["files"], name) for name in files)
    for hook in hooks.values():
        # pre-commit runs the entry with the matching files appended.
        command, *options = shlex.split(hook["entry"])
        assert command == "deck"
        result = run(*options, *files)
        assert result.exit_code == 1
        assert "b/cards.yaml:3:5: error: card 'tca-sessions': 'answer' is required" in result.stderr
        assert result.stdout.startswith("a/cards.yaml: 3 notes")


def test_export_and_import_commands_round_trip(run, tmp_path: Path) -> None:
    deck_file(tmp_path, VALID)
    result = run("export", "--csv", "deck.csv")
    assert (result.exit_code, result.stdout) == (0, "wrote deck.csv: 3 notes\n")
    assert (tmp_path / "deck.csv").read_text().startswith("#separator:tab\n#html:true\n")
    assert run("build").exit_code == 0
    result = run("import", "scars.apkg", "-o", "imported.yaml")
    assert (result.exit_code, result.stdout) == (0, "wrote imported.yaml: 3 cards\n")
    assert run("validate", "imported.yaml").exit_code == 0
    refused = run("import", "scars.apkg", "-o", "imported.yaml")
    assert refused.exit_code == 1 and "Error: " in refused.stderr and "Traceback" not in refused.stderr


def test_export_of_an_invalid_deck_writes_nothing(run, tmp_path: Path) -> None:
    deck_file(tmp_path, INVALID)
    result = run("export", "--csv", "deck.csv")
    assert result.exit_code == 1
    assert not (tmp_path / "deck.csv").exists()


def _big_deck(tmp_path: Path, size: int = PROGRESS_MIN_BYTES) -> Path:
    """A deck big enough for progress bars over its cards and over reading it with positions, of
    at least `size` bytes."""
    extra = "x" * (size // PROGRESS_MIN_CARDS)
    cards = "".join(f"  - {{id: c{n}, question: Question {n}?, answer: Answer {n}, extra: {extra}}}\n"
                    for n in range(PROGRESS_MIN_CARDS))
    return deck_file(tmp_path, "deck: {id: big, name: Big}\ncards:\n" + cards)


def _on_a_terminal(folder: Path, *args: str) -> tuple[int, bytes]:
    """Run `deck ARGS` with a pseudo-terminal for its output: (exit status, what it wrote)."""
    controller, terminal = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "deck", *args], cwd=folder, stdin=subprocess.DEVNULL,
                               stdout=terminal, stderr=terminal)
    os.close(terminal)
    output = bytearray()
    while True:
        try:
            data = os.read(controller, 65536)
        except OSError:  # the terminal closed: the process has exited
            break
        if not data:
            break
        output.extend(data)
    os.close(controller)
    return process.wait(), bytes(output).replace(b"\r", b"")


def test_a_big_deck_shows_progress_on_a_terminal(tmp_path: Path) -> None:
    _big_deck(tmp_path)
    status, output = _on_a_terminal(tmp_path, "validate")
    assert status == 0
    assert b"checking cards" in output and b"with positions" not in output
    assert b"reading cards.yaml" not in output  # read in a moment
    n = PROGRESS_MIN_CARDS
    assert f"cards.yaml: {n} notes ({n} basic), {n} cards, no problems".encode() in output


def test_a_deck_long_to_read_shows_its_reading_first(tmp_path: Path) -> None:
    _big_deck(tmp_path, PROGRESS_MIN_FAST_BYTES)
    status, output = _on_a_terminal(tmp_path, "validate")
    assert status == 0
    assert output.index(b"reading cards.yaml") < output.index(b"checking cards")
    assert b"with positions" not in output


def test_a_big_build_shows_its_rendering_and_then_its_writing(tmp_path: Path) -> None:
    _big_deck(tmp_path)
    status, output = _on_a_terminal(tmp_path, "build")
    assert status == 0
    assert output.index(b"rendering cards") < output.index(b"writing big.apkg and cards.lock")


def test_a_problem_found_late_shows_the_second_pass_as_such(tmp_path: Path) -> None:
    path = _big_deck(tmp_path)
    path.write_text(path.read_text().replace("answer: Answer 7990,", "answer: <script>x</script>,"))
    status, output = _on_a_terminal(tmp_path, "validate")
    assert status == 1
    assert b"checking cards" in output and b"checking again, with positions" in output
    assert b"reading cards.yaml again, with positions" in output
    assert b"HTML tag <script> is not allowed" in output


def test_lint_shows_the_reading_that_places_its_warnings(tmp_path: Path) -> None:
    path = _big_deck(tmp_path)
    path.write_text(path.read_text().replace("question: Question 7990?", "question: Is it Question 7990?"))
    status, output = _on_a_terminal(tmp_path, "lint")
    assert status == 0
    assert b"reading cards.yaml again, with positions" in output
    assert b"checking card quality again, with positions" in output
    assert b"card 'c7990': yes/no question" in output


def test_progress_stays_quiet_when_output_is_not_a_terminal(tmp_path: Path) -> None:
    _big_deck(tmp_path)
    result = subprocess.run([sys.executable, "-m", "deck", "validate"], cwd=tmp_path, capture_output=True, text=True)
    assert (result.returncode, result.stderr) == (0, "")
    n = PROGRESS_MIN_CARDS
    assert result.stdout == f"cards.yaml: {n} notes ({n} basic), {n} cards, no problems\n"


@pytest.mark.parametrize("command", [["build", "-o", "cards.yaml"], ["build", "-o", "cards.lock"],
                                     ["export", "--csv", "cards.yaml"], ["preview", "-o", "cards.yaml"]])
def test_an_output_never_replaces_the_deck_file_or_its_lock(run, tmp_path: Path, command: list[str]) -> None:
    deck_file(tmp_path, VALID)
    run("build")
    before = {name: (tmp_path / name).read_bytes() for name in ("cards.yaml", "cards.lock")}
    result = run(*command)
    assert result.exit_code == 2
    what = "one of the deck's files" if command[-1] == "cards.yaml" else "the deck's lock file"
    assert result.stderr.splitlines()[-1] == f"Error: {command[-1]} is {what}; choose another output"
    assert {name: (tmp_path / name).read_bytes() for name in before} == before


@pytest.mark.parametrize("command", [["build", "-o", "-"], ["export", "--csv", "-"], ["preview", "-o", "-"],
                                     ["import", "deck.csv", "-o", "-"]])
def test_a_dash_for_an_output_is_wrong_usage_not_a_file_named_dash(run, tmp_path: Path, command: list[str]) -> None:
    deck_file(tmp_path, VALID)
    (tmp_path / "deck.csv").write_text("#separator:comma\nfront,back\n")
    result = run(*command)
    assert result.exit_code == 2
    assert "writing to standard output ('-') is not supported; give a file name" in result.stderr
    assert not (tmp_path / "-").exists()


def test_a_command_leaves_the_cycle_collector_as_it_found_it(run, tmp_path: Path) -> None:
    deck_file(tmp_path, VALID)
    assert gc.isenabled()
    assert run("validate").exit_code == 0
    assert gc.isenabled()


def test_a_file_named_dash_can_still_be_asked_for_with_a_path(run, tmp_path: Path) -> None:
    deck_file(tmp_path, VALID)
    assert run("build", "-o", "./-").exit_code == 0
    assert (tmp_path / "-").stat().st_size > 0


# A card id (double-quoted YAML, whose escapes make any character) carrying what could forge a
# problem line of its own, or drive the terminal: issue 16, item 5.
FORGING_IDS = {  # name: (as written in YAML, as it must be shown)
    "escape and bell": (r"a\e]0;pwned\a", r"a\x1b]0;pwned\x07"),
    "line feed": (r"a\nfake.yaml:1:1: error: x", r"a\nfake.yaml:1:1: error: x"),
    "carriage return": (r"a\rfake.yaml:1:1: error: x", r"a\rfake.yaml:1:1: error: x"),
    "next line (U+0085)": (r"a\Nfake.yaml:1:1: error: x", r"a\x85fake.yaml:1:1: error: x"),
    "line separator (U+2028)": (r"a\Lfake.yaml:1:1: error: x", r"a\u2028fake.yaml:1:1: error: x"),
    "paragraph separator (U+2029)": (r"a\Pfake.yaml:1:1: error: x", r"a\u2029fake.yaml:1:1: error: x"),
    "right-to-left override": (r"a\u202Eyaml.ekaf", r"a\u202eyaml.ekaf"),
    "first strong isolate": (r"a\u2068x\u2069", r"a\u2068x\u2069"),
    "tab, delete, a C1 control": (r"a\t\x7f\x9b", r"a\t\x7f\x9b"),
}
# What no line of output may hold: a control character, a line break of any kind, a bidi control.
_RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _problem_lines(stderr: str, path: str, file: str | None = None) -> list[str]:
    """The problems printed about the deck at `path`, after checking that each is one line at a real
    place in its `file` (`path` itself, unless it is a folder), and that the last line counts them."""
    assert not _RAW.search(stderr)
    lines = stderr.split("\n")
    assert lines.pop() == "" and stderr.splitlines() == lines
    *problems, summary = lines
    assert summary == f"{path}: {len(problems)} error{'s' if len(problems) > 1 else ''}"
    for line in problems:
        assert re.match(rf"{re.escape(file or path)}:\d+:\d+: error: ", line), line
    return problems


@pytest.mark.parametrize(("card_id", "shown"), FORGING_IDS.values(), ids=FORGING_IDS.keys())
def test_a_deck_text_cannot_forge_a_problem_or_drive_the_terminal(tmp_path: Path, card_id: str, shown: str) -> None:
    deck_file(tmp_path, f'deck: {{id: d, name: D}}\ncards:\n  - {{id: "{card_id}", question: Q, answer: A}}\n')
    result = subprocess.run([sys.executable, "-m", "deck", "validate"], cwd=tmp_path, capture_output=True,
                            text=True)
    assert (result.returncode, result.stdout) == (1, "")
    problems = _problem_lines(result.stderr, "cards.yaml")
    assert problems[0].startswith(f"cards.yaml:3:10: error: card '{shown}': 'id' value '{shown}' is not valid; ")


def test_a_file_name_cannot_forge_a_problem(tmp_path: Path) -> None:
    """A deck kept in a folder names its files in its problems: a line break in a name is shown escaped."""
    folder = tmp_path / "scars"  # (a folder named deck would be the package `python -m deck` runs)
    folder.mkdir()
    deck_file(folder, "deck: {id: d, name: D}\ncards:\n  - {id: a, question: Q}\n",
              "a\nfake.yaml:1:1: error: x\u2028.yaml")
    result = subprocess.run([sys.executable, "-m", "deck", "validate", "scars"], cwd=tmp_path, capture_output=True,
                            text=True)
    assert result.returncode == 1
    assert _problem_lines(result.stderr, "scars", "scars/a\\nfake.yaml:1:1: error: x\\u2028.yaml") == [
        "scars/a\\nfake.yaml:1:1: error: x\\u2028.yaml:3:5: error: card 'a': 'answer' is required"]


def _without_answers(count: int) -> str:
    return "deck: {id: d, name: D}\ncards:\n" + "".join(f"  - {{id: c{n}, question: Q}}\n" for n in range(count))


@pytest.mark.parametrize("command", [["validate"], ["lint"], ["build"], ["export", "--csv", "out.csv"]])
def test_errors_past_max_errors_are_counted_not_printed(run, tmp_path: Path, command: list[str]) -> None:
    deck_file(tmp_path, _without_answers(5))
    result = run(*command, "--max-errors", "2")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "cards.yaml:3:5: error: card 'c0': 'answer' is required",
        "cards.yaml:4:5: error: card 'c1': 'answer' is required",
        "cards.yaml: 3 more errors not reported (--max-errors 2; 0 reports all)",
        "cards.yaml: 5 errors",
    ]
    assert len(run(*command, "--max-errors", "0").stderr.splitlines()) == 6
    assert run(*command, "--max-errors", "-1").exit_code == 2


def test_checking_stops_explaining_errors_past_max_errors_and_still_counts_them(run, tmp_path: Path) -> None:
    deck_file(tmp_path, "deck: {id: d, name: D}\ncards:\n" + "".join(f"  - {{id: c{n}, question: Q, answr: A}}\n"
                                                                     for n in range(5)))
    result = run("validate", "--max-errors", "3")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[3:] == ["cards.yaml: 7 more errors not reported (--max-errors 3; 0 reports all)",
                                              "cards.yaml: 10 errors"]
    checked = pipeline.check(str(tmp_path / "cards.yaml"), notes=False, max_errors=3)
    assert (len(checked.problems), checked.unreported) == (3, 7)  # three explained, seven only counted


def test_a_thousand_errors_are_printed_by_default(run, tmp_path: Path) -> None:
    deck_file(tmp_path, _without_answers(1001))
    lines = run("validate").stderr.splitlines()
    assert len(lines) == 1002
    assert lines[-3:] == ["cards.yaml:1002:5: error: card 'c999': 'answer' is required",
                          "cards.yaml: 1 more error not reported (--max-errors 1000; 0 reports all)",
                          "cards.yaml: 1001 errors"]


def test_a_build_changing_many_cards_names_the_first_few(run, tmp_path: Path, monkeypatch) -> None:
    cards = "".join(f"  - {{id: c{n}, question: Q{n}, answer: A}}\n" for n in range(12))
    deck_file(tmp_path, "deck: {id: d, name: D}\ncards:\n" + cards)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert run("build").exit_code == 0
    deck_file(tmp_path, "deck: {id: d, name: D}\ncards:\n" + cards.replace("answer: A", "answer: B"))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700086400")
    result = run("build")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[1] == "changed (12): c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, ... and 2 more"


WORDS = "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima".split()


def test_ids_for_many_cards_names_the_first_few(run, tmp_path: Path) -> None:
    deck_file(tmp_path, "deck: {id: d, name: D}\ncards:\n" + "".join(
        f"  - {{question: {word}, answer: A}}\n" for word in WORDS))
    result = run("ids")
    assert result.exit_code == 0
    assert result.stdout == f"cards.yaml: added 12 ids: {', '.join(WORDS[:10])}, ... and 2 more\n"
