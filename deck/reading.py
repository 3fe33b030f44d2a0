"""A deck file's bytes and text, before any YAML: a regular file within a size limit, UTF-8,
without the characters a deck may not hold. Each problem is located; nothing here raises for bad
input. Both readings of a deck start here (`deck.fastread`, and `deck.source`, which alone needs
PyYAML and is imported only when a deck must be read with positions).
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

from deck.problems import Problem

# A deck of 100,000 cards is about 15 MB of YAML; the node tree costs roughly 20 times the file
# size in memory, so 32 MB keeps the worst case near a gigabyte instead of whatever a file holds.
MAX_BYTES = 32 * 1024 * 1024

# The format nests five levels at most (file > cards > card > tags > tag); 32 leaves room for
# later extensions while refusing "[[[[..." files built to exhaust the parser.
MAX_DEPTH = 32

# Anki separates fields with \x1f, NUL truncates strings in C code, and the other C0/C1 controls
# are invisible in editors. U+2028/U+2029 and NEL are line breaks to YAML but not to editors,
# so line numbers would stop matching. U+FFFE and U+FFFF are not characters (libyaml refuses them).
# Tab, newline and carriage return are fine.
FORBIDDEN_CHARACTER = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]")


def file_bytes(path: str | Path) -> bytes | Problem:
    """A deck file's bytes, or why it is not read: it is not a regular file (a device or a pipe
    may never end, or give its bytes once only), or it is over MAX_BYTES (judged before reading).
    An error of the file system itself (no permission, say) is raised."""
    status = os.stat(path)
    if not stat.S_ISREG(status.st_mode):
        return Problem(str(path), 1, 1, "error", "not-a-file",
                       "not a regular file (a device, a pipe or a socket); save the deck in a file and give its name")
    if status.st_size > MAX_BYTES:
        return too_large(str(path), status.st_size)
    with open(path, "rb") as stream:
        return stream.read(MAX_BYTES + 1)  # (if it grew since, `read` says it is too large)


def too_large(path: str, size: int) -> Problem:
    message = (f"file is {size / 1024 / 1024:.0f} MB, over the {MAX_BYTES // 1024 // 1024} MB limit; "
               "split the deck into several files")
    return Problem(path, 1, 1, "error", "too-large", message)


def decode(path: str, data: bytes) -> tuple[str, Problem | None]:
    """The file's text, without a byte order mark, or the problem that stops it being read."""
    if wide := _wide_encoding(data):
        return "", Problem(path, 1, 1, "error", "encoding", f"file is {wide}; save it as UTF-8")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line_start = data.rfind(b"\n", 0, error.start) + 1
        line = data.count(b"\n", 0, error.start) + 1
        column = len(data[line_start : error.start].decode("utf-8", "replace")) + 1
        byte = data[error.start]
        message = f"byte 0x{byte:02x} is not valid UTF-8; save the file as UTF-8"
        return "", Problem(path, line, column, "error", "encoding", message)
    return text.removeprefix("\ufeff"), None


def _wide_encoding(data: bytes) -> str | None:
    """'UTF-16' or 'UTF-32' for text saved so, by its byte order mark or, without one, by the NULs
    between the Latin letters, digits and punctuation of its start, which UTF-8 text never has."""
    if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return "UTF-32"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "UTF-16"
    start = data[:200]

    def nul_at(offsets: tuple[int, ...], width: int) -> bool:
        return all(start[offset::width].count(0) == len(start[offset::width]) for offset in offsets)

    if len(start) >= 8 and (nul_at((1, 2, 3), 4) or nul_at((0, 1, 2), 4)):
        return "UTF-32"
    if len(start) >= 4 and (nul_at((1,), 2) or nul_at((0,), 2)):
        return "UTF-16"
    return None


def describe_character(character: str) -> str:
    """What is wrong with a FORBIDDEN_CHARACTER, and what to do."""
    code = ord(character)
    if 0xD800 <= code <= 0xDFFF:
        return f"lone surrogate U+{code:04X} is not a character; remove the escape that made it"
    if code in (0xFFFE, 0xFFFF):
        return f"U+{code:04X} is not a character; remove it"
    if character == "\x1f":
        return "control character U+001F is not allowed (Anki uses it to separate fields); remove it"
    return f"control character U+{code:04X} is not allowed; remove it"
