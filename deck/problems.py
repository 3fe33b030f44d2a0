"""One problem type for everything `deck` reports, and the one function that prints it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]

# What would break a reported line in two or change how a terminal shows it, wherever a deck's text
# or a file's name carries it into a message: every C0 and C1 control (tab, the line breaks, NEL
# and ESC among them), DEL, the line and paragraph separators, and the bidirectional embeddings,
# overrides and isolates, which reorder a line on screen.
_UNSHOWABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def shown(text: str) -> str:
    """`text` as one line that shows what it holds: each character matched by `_UNSHOWABLE` written
    as Python's repr writes it (`\\x1b`, `\\n`, `\\u2028`). A backslash already in the text stays
    single, so paths and LaTeX read as typed; `\\x1b` typed in a deck then shows as ESC does, which
    misleads nobody about where the problem is."""
    return _UNSHOWABLE.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    character = match[0]
    code = ord(character)
    return _NAMED.get(character) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


@dataclass(frozen=True, order=True, slots=True)
class Problem:
    """Something wrong at a place in a file. Line and column are 1-based, as editors count."""

    path: str
    line: int
    column: int
    severity: Severity
    code: str
    message: str

    def format(self) -> str:
        """`FILE:LINE:COL: severity: message`, the compiler style editors and CI parse; a warning
        ends with its rule id, which is what `lint: {disable: [...]}` takes. Always one line: what
        the path and the message quote from a deck is `shown`, so none can forge a problem of its own."""
        line = f"{self.path}:{self.line}:{self.column}: {self.severity}: {self.message}"
        return shown(f"{line} ({self.code})" if self.severity == "warning" else line)


def has_errors(problems: list[Problem]) -> bool:
    return any(p.severity == "error" for p in problems)
