"""Writing a file so that it is either the old version or the new one, never a mix or a stub."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomically(path: Path, data: bytes) -> None:
    """Write `data` to a temporary file beside `path`, then rename it over `path`.

    A failure at any point leaves `path` byte-for-byte as it was and removes the temporary file.
    An existing file keeps its permissions; a new one gets the usual ones (0666 less the umask).
    A missing folder is made, as `-o dist/deck.apkg` asks for one.
    """
    if not path.parent.exists():  # (one that is a file is for the writing below to refuse: "Not a directory")
        path.parent.mkdir(parents=True)
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o666 & ~_umask()
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
