"""One problem type for everything `deck` reports, and the one function that prints it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


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
        ends with its rule id, which is what `lint: {disable: [...]}` takes."""
        line = f"{self.path}:{self.line}:{self.column}: {self.severity}: {self.message}"
        return f"{line} ({self.code})" if self.severity == "warning" else line


def has_errors(problems: list[Problem]) -> bool:
    return any(p.severity == "error" for p in problems)
