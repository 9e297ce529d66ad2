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

    def location(self, lang: str = "en") -> str:
        """Where the problem is: file, row and field, labelled in English or Vietnamese."""
        row_label, field_label = ("dòng", "trường") if lang == "vi" else ("row", "field")
        parts = []
        if self.file:
            parts.append(self.file)
        if self.row is not None:
            parts.append(f"{row_label} {self.row}")
        if self.field:
            parts.append(f"{field_label} '{self.field}'")
        return ": ".join(parts)

    @property
    def message(self) -> str:
        where = self.location()
        return f"{where}: {self.problem}" if where else self.problem

    @property
    def message_vi(self) -> str:
        where = self.location("vi")
        problem = self.problem_vi or self.problem
        return f"{where}: {problem}" if where else problem
