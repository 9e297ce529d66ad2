"""One exception type for input a person can fix.

The CLI prints it as one line and exits with status 2; widgets and self-checks
show ``message_vi`` to trainees.  Deep tracebacks are for bugs, not bad input.
"""

from __future__ import annotations

from pathlib import Path


class InputError(Exception):
    """Bad input: names the file, the row, the field and the problem."""

    def __init__(
        self,
        problem: str,
        *,
        file: str | Path | None = None,
        row: int | None = None,
        field: str | None = None,
        problem_vi: str | None = None,
    ) -> None:
        self.problem = problem
        self.file = str(file) if file is not None else None
        self.row = row
        self.field = field
        self.problem_vi = problem_vi
        super().__init__(self.message)

    @property
    def location(self) -> str:
        parts = []
        if self.file:
            parts.append(self.file)
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.field:
            parts.append(f"field '{self.field}'")
        return ": ".join(parts)

    @property
    def message(self) -> str:
        return f"{self.location}: {self.problem}" if self.location else self.problem

    @property
    def message_vi(self) -> str:
        problem = self.problem_vi or self.problem
        return f"{self.location}: {problem}" if self.location else problem
