"""Where an output may go, through the commands that write one: never over a file the deck is made
from, never into a device, a pipe or a folder that does not exist; and a build that is killed or
run twice at once leaves no temporary file and a package and a lock that each read."""

from __future__ import annotations

import json
import os
import random
import socket
import stat
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from deck.cli import main
from tests.conftest import deck_file, import_package

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32

FOLDER_DECK = {
    "cards/00-deck.yaml": "deck: {id: folder, name: Folder}\n",
    "cards/10-a.yaml": 'cards:\n  - {id: a, question: "Q ![dot](images/dot.png)", answer: A}\n',
}
INCLUDING_DECK = {
    "main.yaml": 'deck: {id: main, name: Main}\ninclude: [more/b.yaml]\n'
                 'cards:\n  - {id: m, question: "Q ![dot](images/dot.png)", answer: A}\n',
    "more/b.yaml": "cards:\n  - {id: b, question: Q?, answer: B}\n",
}
SMALL_DECK = "deck: {id: scars, name: Scars}\ncards:\n  - {id: width, question: How wide?, answer: Less than 2 mm}\n"
INVALID = "deck: {id: broken, name: Broken}\ncards:\n  - {id: a, question: Q?}\n"


@pytest.fixture
def run(monkeypatch, tmp_path: Path):
    """`deck ARGS` in tmp_path, which holds a folder deck (cards/) and a deck that includes another
    file (main.yaml), each with a picture and built once (so each has its lock)."""
    monkeypatch.chdir(tmp_path)
    for name, text in {**FOLDER_DECK, **INCLUDING_DECK}.items():
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(text)
    for folder in ("cards/images", "images"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "dot.png").write_bytes(PNG)

    def invoke(*args: str) -> Result:
        result = CliRunner().invoke(main, list(args))
        print(f"$ deck {' '.join(args)}\n[exit {result.exit_code}]\n{result.stdout}{result.stderr}")
        return result

    assert invoke("build", "cards", "-o", "folder.apkg").exit_code == 0
    assert invoke("build", "main.yaml", "-o", "main.apkg").exit_code == 0
    return invoke


def tree(folder: Path) -> dict[str, tuple[int, bytes | str]]:
    """Every file and link below `folder`: its inode and its bytes (a link: where it points)."""
    found: dict[str, tuple[int, bytes | str]] = {}
    for path in sorted(folder.rglob("*")):
        status = path.lstat()
        content = os.readlink(path) if path.is_symlink() else path.read_bytes() if path.is_file() else ""
        found[str(path.relative_to(folder))] = (status.st_ino, content)
    return found


@pytest.mark.parametrize(
    ("command", "message"),
    [
        (["build", "cards", "-o", "cards/10-a.yaml"], "cards/10-a.yaml is one of the deck's files"),
        (["build", "cards", "-o", "cards/00-deck.yaml"], "cards/00-deck.yaml is one of the deck's files"),
        (["build", "cards", "-o", "cards/images/dot.png"], "cards/images/dot.png is a media file of the deck"),
        (["build", "cards", "-o", "cards.lock"], "cards.lock is the deck's lock file"),
        (["build", "main.yaml", "-o", "main.yaml"], "main.yaml is one of the deck's files"),
        (["build", "main.yaml", "-o", "more/b.yaml"], "more/b.yaml is one of the deck's files"),
        (["build", "main.yaml", "-o", "./more/../more/b.yaml"], "more/../more/b.yaml is one of the deck's files"),
        (["build", "main.yaml", "-o", "images/dot.png"], "images/dot.png is a media file of the deck"),
        (["build", "main.yaml", "-o", "main.lock"], "main.lock is the deck's lock file"),
        (["build", "main.yaml", "-o", "hard.apkg"], "hard.apkg is more/b.yaml, one of the deck's files, by another "
                                                    "name (a link)"),
        (["build", "main.yaml", "-o", "soft.apkg"], "soft.apkg is images/dot.png, a media file of the deck, by "
                                                    "another name (a link)"),
        (["export", "cards", "--csv", "cards/10-a.yaml"], "cards/10-a.yaml is one of the deck's files"),
        (["export", "main.yaml", "--csv", "images/dot.png"], "images/dot.png is a media file of the deck"),
        (["export", "main.yaml", "--csv", "hard.apkg"], "hard.apkg is more/b.yaml, one of the deck's files, by "
                                                        "another name (a link)"),
        (["preview", "cards", "-o", "cards.lock"], "cards.lock is the deck's lock file"),
        (["preview", "main.yaml", "-o", "more/b.yaml"], "more/b.yaml is one of the deck's files"),
        (["preview", "main.yaml", "-o", "soft.apkg"], "soft.apkg is images/dot.png, a media file of the deck, by "
                                                      "another name (a link)"),
        (["handout", "main.yaml", "-o", "hard.html"], "hard.html is more/b.yaml, one of the deck's files, by "
                                                      "another name (a link)"),
        (["build", "main.yaml", "-o", ".main.lock.build"], ".main.lock.build is the file a build of the deck holds "
                                                           "while it runs"),
    ],
)
def test_no_output_replaces_a_file_the_deck_is_made_from(run, tmp_path: Path, command: list[str],
                                                         message: str) -> None:
    os.link(tmp_path / "more" / "b.yaml", tmp_path / "hard.apkg")
    os.link(tmp_path / "more" / "b.yaml", tmp_path / "hard.html")
    os.symlink("images/dot.png", tmp_path / "soft.apkg")
    before = tree(tmp_path)
    result = run(*command)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == f"Error: {message}; choose another output"
    assert tree(tmp_path) == before  # nothing replaced, nothing made


def test_import_never_replaces_the_file_it_imports(run, tmp_path: Path) -> None:
    (tmp_path / "old.csv").write_text("#separator:comma\nfront,back\n")
    before = tree(tmp_path)
    result = run("import", "old.csv", "-o", "old.csv", "--force")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == "Error: old.csv is the file being imported; choose another output"
    assert tree(tmp_path) == before


def special_file(tmp_path: Path, kind: str) -> Path:
    """A file of `kind` in tmp_path: a FIFO, a socket, a device like /dev/null (as root: the
    real one is never put at risk), or a folder."""
    path = tmp_path / f"special-{kind}"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "socket":
        with socket.socket(socket.AF_UNIX) as listening:  # (bound by its short name: the limit is 108 bytes)
            listening.bind(path.name)
    elif kind == "device":
        if os.geteuid() != 0:
            return Path("/dev/null")  # which the test cannot replace without root, whatever happens
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    else:
        path.mkdir()
    return path


@pytest.mark.parametrize(("kind", "what"), [("fifo", "a named pipe"), ("socket", "a socket"),
                                            ("device", "a device"), ("folder", "a folder")])
@pytest.mark.parametrize("command", [["build", "broken.yaml", "-o"], ["export", "broken.yaml", "--csv"],
                                     ["preview", "broken.yaml", "-o"], ["import", "old.csv", "--force", "-o"]])
def test_an_output_is_only_a_regular_file_or_a_new_path(run, tmp_path: Path, kind: str, what: str,
                                                        command: list[str]) -> None:
    (tmp_path / "old.csv").write_text("#separator:comma\nfront,back\n")
    deck_file(tmp_path, INVALID, "broken.yaml")  # refused before the deck is read: no problem reported
    path = special_file(tmp_path, kind)
    before = tree(tmp_path), os.lstat(path)
    result = run(*command, str(path))
    assert result.exit_code == 2
    option = "'--csv'" if "--csv" in command else "'-o' / '--output'"
    reason = (f"File {str(path)!r} is a directory." if kind == "folder"  # (click's own check comes first)
              else f"{path} is {what}, not a regular file; an output is only written to a regular file or a new path")
    assert result.stderr.splitlines()[-1] == f"Error: Invalid value for {option}: {reason}"
    assert (tree(tmp_path), os.lstat(path)) == before


@pytest.mark.parametrize("kind", ["folder", "fifo"])
def test_the_default_output_is_checked_too(run, tmp_path: Path, kind: str) -> None:
    deck_file(tmp_path, SMALL_DECK.replace("scars", "small"), "small.yaml")
    if kind == "folder":
        (tmp_path / "small.apkg").mkdir()
    else:
        os.mkfifo(tmp_path / "small.apkg")
    before = tree(tmp_path)
    result = run("build", "small.yaml")
    assert result.exit_code == 2
    what = "a folder" if kind == "folder" else "a named pipe"
    assert result.stderr.splitlines()[-1] == (f"Error: small.apkg is {what}, not a regular file; an output is only "
                                              "written to a regular file or a new path")
    assert tree(tmp_path) == before  # no lock either


@pytest.mark.parametrize("command", [["build", "broken.yaml", "-o"], ["export", "broken.yaml", "--csv"],
                                     ["preview", "broken.yaml", "-o"], ["import", "old.csv", "-o"]])
def test_an_output_in_a_missing_folder_makes_no_folder(run, tmp_path: Path, command: list[str]) -> None:
    (tmp_path / "old.csv").write_text("#separator:comma\nfront,back\n")
    deck_file(tmp_path, INVALID, "broken.yaml")
    before = tree(tmp_path)
    result = run(*command, "missing/dir/out.apkg")
    assert result.exit_code == 2
    option = "'--csv'" if "--csv" in command else "'-o' / '--output'"
    assert result.stderr.splitlines()[-1] == (f"Error: Invalid value for {option}: cannot write missing/dir/out.apkg: "
                                              "the folder missing/dir does not exist; make it first")
    assert tree(tmp_path) == before


def test_an_output_under_a_file_is_wrong_usage(run, tmp_path: Path) -> None:
    before = tree(tmp_path)
    result = run("build", "main.yaml", "-o", "main.yaml/sub/out.apkg")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == ("Error: Invalid value for '-o' / '--output': cannot write "
                                              "main.yaml/sub/out.apkg: main.yaml is not a folder")
    assert tree(tmp_path) == before


def test_an_output_that_is_a_link_is_written_through_it(run, tmp_path: Path) -> None:
    (tmp_path / "releases").mkdir()
    os.symlink("releases/v1.apkg", tmp_path / "latest.apkg")  # to a file that is not there yet
    assert run("build", "main.yaml", "-o", "latest.apkg").exit_code == 0
    assert os.readlink(tmp_path / "latest.apkg") == "releases/v1.apkg"
    assert (tmp_path / "releases" / "v1.apkg").read_bytes() == (tmp_path / "main.apkg").read_bytes()


# --- builds killed, and builds at once ---------------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent
HOLD = ("import fcntl, os, sys, time\n"
        "handle = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)\n"
        "fcntl.flock(handle, fcntl.LOCK_EX)\n"
        "print('held', flush=True)\n"
        "time.sleep(120)\n")


def deck_process(folder: Path, *args: str) -> subprocess.Popen:
    """`deck ARGS` started as its own process, as a user runs it, in `folder` (see `finish`)."""
    return subprocess.Popen([sys.executable, "-m", "deck", *args], cwd=folder, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


def finish(process: subprocess.Popen, timeout: float = 120) -> tuple[int, str]:
    """The exit status of a `deck_process` and what it printed, once it ends."""
    output, _ = process.communicate(timeout=timeout)
    print(f"$ {' '.join(map(str, process.args))}\n[exit {process.returncode}]\n{output}")
    return process.returncode, output


@contextmanager
def held(path: Path) -> Iterator[None]:
    """`path` held (flock) by another process, as a build that is writing it holds it."""
    with subprocess.Popen([sys.executable, "-c", HOLD, str(path)], stdout=subprocess.PIPE, text=True) as holder:
        try:
            assert holder.stdout is not None and holder.stdout.readline() == "held\n"
            yield
        finally:
            holder.kill()


def test_a_build_removes_the_temporary_files_of_killed_builds_and_no_others(tmp_path: Path) -> None:
    deck_file(tmp_path, SMALL_DECK)
    left = [".scars.apkg.k1ll3d_a.tmp", ".cards.lock.k1ll3d_b.tmp"]  # as write_atomically names them
    kept = [".scars.apkg.tmp", "notes.tmp", ".other.apkg.k1ll3d_c.tmp", ".scars.apkg.k1ll3d_d.tmp.bak"]
    for name in left + kept:
        (tmp_path / name).write_bytes(b"PK\x03\x04 half a package")
    writing = tmp_path / ".scars.apkg.wr1t1ng_.tmp"  # another build's, being written now
    writing.write_bytes(b"PK\x03\x04")
    with held(writing):
        assert finish(deck_process(tmp_path, "build"))[0] == 0
        assert sorted(path.name for path in tmp_path.iterdir()) == sorted(
            ["cards.yaml", "cards.lock", "scars.apkg", writing.name, *kept])


def test_two_builds_of_one_deck_take_turns(tmp_path: Path) -> None:
    deck_file(tmp_path, SMALL_DECK)
    with held(tmp_path / ".cards.lock.build"):  # a build of this deck under way
        waiting = deck_process(tmp_path, "build")
        with pytest.raises(subprocess.TimeoutExpired):
            waiting.wait(timeout=3)
        assert sorted(path.name for path in tmp_path.iterdir()) == [".cards.lock.build", "cards.yaml"]
    assert finish(waiting)[0] == 0
    assert sorted(path.name for path in tmp_path.iterdir()) == ["cards.lock", "cards.yaml", "scars.apkg"]
    # Two at once, without a lock yet: one makes it, and the other, after it, finds it made.
    (tmp_path / "cards.lock").unlink()
    first, second = deck_process(tmp_path, "build", "-o", "a.apkg"), deck_process(tmp_path, "build", "-o", "b.apkg")
    (first_status, first_said), (second_status, second_said) = finish(first), finish(second)
    assert (first_status, second_status) == (0, 0)
    assert sorted([first_said.splitlines()[1], second_said.splitlines()[1]]) == [
        "first build: recorded every card in cards.lock; commit it with the deck", "no card changed since the last build"]
    assert sorted(path.name for path in tmp_path.iterdir()) == ["a.apkg", "b.apkg", "cards.lock", "cards.yaml",
                                                                "scars.apkg"]


def temporaries(folder: Path, ending: tuple[str, ...] = (".tmp", ".build")) -> list[str]:
    """The temporary files of writes (.tmp) and of builds (.build) in `folder`."""
    return sorted(name for name in os.listdir(folder) if name.endswith(ending))


def test_builds_killed_at_random_moments_leave_a_package_and_a_lock_that_read(tmp_path: Path, collection) -> None:
    """SIGKILL of real builds of a 20,000-card deck: at a random moment, as soon as a temporary file
    appears (while the package or the lock is written), and as soon as the new package is in place
    (before the lock is). After each kill the package is a whole one that Anki imports and the lock
    the old one or the new one; after the next build, no temporary file is left."""
    deck = tmp_path / "deck"
    deck.mkdir()
    subprocess.run([sys.executable, ROOT / "benchmarks" / "generate.py", "20000", deck / "cards.yaml"], check=True)
    package = deck / "deck.apkg"
    started = time.monotonic()
    assert finish(deck_process(deck, "build", "-o", package.name))[0] == 0
    whole_build = time.monotonic() - started
    rng = random.Random(16)
    left_behind = new_packages = 0
    for kill in range(6):
        with (deck / "cards.yaml").open("a") as stream:  # a change, so the package and the lock change
            stream.write(f"  - {{id: added-{kill}, question: Question {kill}?, answer: Answer {kill}}}\n")
        old_package, old_lock = package.read_bytes(), (deck / "cards.lock").read_bytes()
        old_inode = package.stat().st_ino
        build = deck_process(deck, "build", "-o", package.name)
        if kill % 3 == 0:
            time.sleep(rng.uniform(0, whole_build))
        else:
            while build.poll() is None and not (temporaries(deck, (".tmp",)) if kill % 3 == 1
                                                else package.stat().st_ino != old_inode):
                pass
        build.kill()
        finish(build)
        left_behind += bool(temporaries(deck, (".tmp",)))
        if package.read_bytes() != old_package:  # the new package: whole, and Anki takes it
            new_packages += 1
            with zipfile.ZipFile(package) as archive:
                assert archive.testzip() is None
            import_package(collection, package)
            assert collection.note_count() == 20_001 + kill
        lock_text = (deck / "cards.lock").read_bytes()
        assert lock_text == old_lock or f"added-{kill}" in json.loads(lock_text)["cards"]
        assert finish(deck_process(deck, "build", "-o", package.name))[0] == 0
        assert temporaries(deck) == []
    print(f"{left_behind} kills left a temporary file, {new_packages} a new package")
    assert left_behind >= 1 and new_packages >= 1  # (the kills mid-write did leave something to clean up)
    import_package(collection, package)
    assert collection.note_count() == 20_006


def test_deck_ids_removes_the_temporary_files_of_killed_runs(tmp_path: Path) -> None:
    deck_file(tmp_path, "deck: {id: scars, name: Scars}\ncards:\n  - {question: How wide?, answer: Less than 2 mm}\n")
    left, kept = tmp_path / ".cards.yaml.k1ll3d_a.tmp", tmp_path / ".other.yaml.k1ll3d_b.tmp"
    for file in (left, kept):
        file.write_bytes(b"deck: half a deck")
    assert finish(deck_process(tmp_path, "ids"))[0] == 0
    assert "id: wide," in (tmp_path / "cards.yaml").read_text()
    assert not left.exists() and kept.exists()


@pytest.mark.parametrize("command", [["validate"], ["build"]])
def test_a_named_pipe_as_the_lock_is_refused_not_waited_on(tmp_path: Path, command: list[str]) -> None:
    deck_file(tmp_path, SMALL_DECK)
    os.mkfifo(tmp_path / "cards.lock")
    status, output = finish(deck_process(tmp_path, *command), timeout=60)
    assert status == 1
    assert output.splitlines()[0] == ("cards.lock:1:1: error: cannot read cards.lock: not a regular file (a folder, a "
                                      "device, a pipe or a socket); restore it from version control, or delete it "
                                      "(every card then counts as changed once, and the ids of removed cards are "
                                      "forgotten)")
    assert stat.S_ISFIFO(os.stat(tmp_path / "cards.lock").st_mode)  # left as it was


@pytest.mark.parametrize("command", [["build", "main.yaml", "-o"], ["export", "main.yaml", "--csv"]])
def test_no_output_is_named_as_a_temporary_file_a_later_write_would_remove(run, tmp_path: Path,
                                                                           command: list[str]) -> None:
    before = tree(tmp_path)
    result = run(*command, ".x.apkg.abcd_123.tmp")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1].endswith(
        ".x.apkg.abcd_123.tmp is named as deck's temporary files are (.NAME.XXXXXXXX.tmp), which a later write beside "
        "NAME removes; choose another output")
    assert tree(tmp_path) == before
