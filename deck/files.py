"""Writing a file so that it is either the old version or the new one, never a mix or a stub, and
only where an output may go: a regular file or a new path, never a file the work reads.

A write goes to a temporary file beside its target, `.NAME.RANDOM.tmp`, renamed over the target
once complete. Its writer holds an advisory lock (flock) on it while writing, so a temporary file
nobody holds is one a killed process left behind: `remove_stale` removes those, and never one a
running process is writing. `exclusive` serialises whole builds of the same deck.
"""

from __future__ import annotations

import fcntl
import os
import re
import stat
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

# What an output must not be, by the kind of file already there.
_NOT_REGULAR = ((stat.S_ISDIR, "a folder"), (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"),
                (stat.S_ISFIFO, "a named pipe"), (stat.S_ISSOCK, "a socket"))


# The name of a temporary file beside NAME: mkstemp's eight random characters between.
_TEMPORARY = r"[a-z0-9_]{8}\.tmp"


class Refused(Exception):
    """An output that must not be written, found before anything is written: wrong usage."""


def check_output(path: Path, inputs: Mapping[Path, str] | None = None) -> None:
    """Raise Refused unless `path` may be written: a regular file, or a new file in a folder that
    exists (no folder is made: a typo in a path should not make folders), and none of `inputs`
    (each with what it is, for the message), by its path or as the same file by another name (a
    hard or symbolic link). Nor a name of this module's temporary files, which `remove_stale` removes."""
    if re.fullmatch(r"\..+\." + _TEMPORARY, path.name):
        raise Refused(f"{path} is named as deck's temporary files are (.NAME.XXXXXXXX.tmp), which a later write "
                      "beside NAME removes; choose another output")
    try:
        status: os.stat_result | None = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        status = None
        _check_folder(path)
    except OSError as error:  # no permission, a loop of links
        raise Refused(f"cannot write {path}: {error.strerror}") from error
    if status is not None and not stat.S_ISREG(status.st_mode):
        kind = next(name for test, name in _NOT_REGULAR if test(status.st_mode))
        raise Refused(f"{path} is {kind}, not a regular file; an output is only written to a regular file or a new "
                      "path")
    target = _target(path)
    for file, what in (inputs or {}).items():
        if _target(file) == target or (status is not None and _same(status, file)):
            if os.path.abspath(file) == os.path.abspath(path):
                raise Refused(f"{path} is {what}; choose another output")
            raise Refused(f"{path} is {_shown(file)}, {what}, by another name (a link); choose another output")


def _check_folder(path: Path) -> None:
    """The folder a new file at `path` goes into exists (through a link that points nowhere yet, the
    folder of what it points at)."""
    folder = _target(path).parent if os.path.islink(path) else path.parent
    found = next(place for place in (folder, *folder.parents) if os.path.exists(place))
    if not os.path.isdir(found):
        raise Refused(f"cannot write {path}: {found} is not a folder")
    if found != folder:
        raise Refused(f"cannot write {path}: the folder {folder} does not exist; make it first")


def _shown(file: Path) -> str:
    """`file` as a path from here, when it is below here."""
    relative = os.path.relpath(file)
    return str(file) if relative.startswith("..") else relative


def _target(path: Path) -> Path:
    """The file a write to `path` replaces: through symbolic links, so a link stays a link."""
    return Path(os.path.realpath(path))


def _same(status: os.stat_result, file: Path) -> bool:
    try:
        return os.path.samestat(status, os.stat(file))
    except OSError:  # (an input not made yet, such as the first lock)
        return False


def write_atomically(path: Path, data: bytes) -> None:
    """Write `data` to a temporary file beside `path`, then rename it over `path` (see `atomic`)."""
    write_all_atomically({path: data})


def write_all_atomically(writes: Mapping[Path, bytes]) -> None:
    """`write_atomically` for several files, so that all of them change or none does: every one is
    written whole beside its file first, and only then are they renamed over their files."""
    with _replacing(list(writes)) as streams:
        for stream, data in zip(streams, writes.values()):
            stream.write(data)


@contextmanager
def atomic(path: Path) -> Iterator[BinaryIO]:
    """A stream to a temporary file beside `path`, renamed over `path` (over the file it links to,
    for a symbolic link) when the block ends: the text of a big file can be written piece by piece.

    A failure at any point, in the block too, leaves `path` byte-for-byte as it was and removes the
    temporary file. An existing file keeps its permissions; a new one gets the usual ones (0666 less
    the umask). Raises Refused for what `check_output` refuses: no folder is made.
    """
    with _replacing([path]) as (stream,):
        yield stream


@contextmanager
def _replacing(paths: list[Path]) -> Iterator[list[BinaryIO]]:
    """`atomic` for several files at once: streams to a temporary file beside each, all renamed over
    their files only when the block ends, and none if anything failed."""
    held: list[tuple[BinaryIO, str, Path, int]] = []
    try:
        for path in paths:
            check_output(path)
        for path in paths:
            target = _target(path)
            mode = target.stat().st_mode & 0o777 if target.exists() else 0o666 & ~_umask()
            handle, temporary = _temporary(target)
            held.append((os.fdopen(handle, "wb"), temporary, target, mode))
        yield [stream for stream, _, _, _ in held]
        for stream, temporary, _, mode in held:
            stream.flush()
            os.fsync(stream.fileno())
            os.chmod(temporary, mode)
        for _, temporary, target, _ in held:
            os.replace(temporary, target)  # while the file is held, so `remove_stale` leaves it alone
    except BaseException:
        for _, temporary, _, _ in held:
            Path(temporary).unlink(missing_ok=True)
        raise
    finally:
        for stream, _, _, _ in held:
            stream.close()


def _temporary(target: Path) -> tuple[int, str]:
    """A new temporary file beside `target`, held (flock) until it is closed."""
    while True:
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        fcntl.flock(handle, fcntl.LOCK_EX)
        if os.fstat(handle).st_nlink:  # (0: `remove_stale` took it between its making and its locking)
            return handle, temporary
        os.close(handle)


def remove_stale(path: Path) -> None:
    """Remove the temporary files `write_atomically` left beside `path` when its process was killed:
    the ones no process holds. Another process's write in progress is left alone."""
    target = _target(path)
    pattern = re.compile(re.escape(f".{target.name}.") + _TEMPORARY)
    try:
        entries = [entry.path for entry in os.scandir(target.parent)
                   if pattern.fullmatch(entry.name) and entry.is_file(follow_symlinks=False)]
    except OSError:  # (a folder that cannot be listed: nothing is written there either)
        return
    for entry in entries:
        try:
            handle = os.open(entry, os.O_RDONLY | os.O_NOFOLLOW)
        except OSError:  # renamed into place meanwhile, or another user's
            continue
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            if os.path.samestat(os.fstat(handle), os.stat(entry, follow_symlinks=False)):
                os.unlink(entry)
        except OSError:  # held by its writer (BlockingIOError), or gone
            pass
        finally:
            os.close(handle)


@contextmanager
def exclusive(guard: Path) -> Iterator[None]:
    """Hold the file `guard` (made if need be, removed after) for the duration, waiting while
    another process holds it. Raises OSError when `guard` cannot be made."""
    while True:
        handle = os.open(guard, os.O_RDWR | os.O_CREAT, 0o666)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX)
            if os.path.samestat(os.fstat(handle), os.stat(guard)):
                break
        except FileNotFoundError:  # the holder before removed it as it let go: take the new one
            pass
        except BaseException:
            os.close(handle)
            raise
        os.close(handle)
    try:
        yield
    finally:
        Path(guard).unlink(missing_ok=True)
        os.close(handle)


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
