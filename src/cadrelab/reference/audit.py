"""The audit of the fact tables: what a legal reviewer would refuse before a lesson uses it.

One :class:`Problem` per finding, each naming the file, the row and the column:

* a table that does not load (a fact with no source or status, an unknown status,
  overlapping versions of one fact, a broken reference between tables …);
* a source that names no document (a law, or a document number such as ``123/2015``);
* a gap: two versions of one fact with days between them when neither is in force;
* an ``unverified`` fact that a lesson or a graded exercise uses (``used``, from
  :mod:`cadrelab.reference.usage` and :func:`cadrelab.reference.recording`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from cadrelab.errors import InputError
from cadrelab.reference.facts import REGISTRY, STATUSES, FactRef
from cadrelab.reference.tables import table_error

#: A document number (123/2015/NĐ-CP, 1656/NQ-UBTVQH15) or a law or code by name.
DOCUMENT = re.compile(r"\d+/(?:\d{4}/)?[A-ZĐ]|\b(?:Luật|Bộ luật|Hiến pháp|Pháp lệnh)\b")


@dataclass(frozen=True)
class Problem:
    """One audit finding, printed as one line; ``kind``: load, source, gap or unverified_use."""

    kind: str
    error: InputError

    def __str__(self) -> str:
        return self.error.message

    @property
    def line_vi(self) -> str:
        return self.error.message_vi


def audit(used: Mapping[FactRef, Iterable[str]] | None = None) -> list[Problem]:
    """Every problem of every registered table; ``used``: fact -> who uses it."""
    problems: list[Problem] = []
    loaded = {}
    for name, table in REGISTRY.items():
        try:
            loaded[name] = table.rows()
        except InputError as error:
            problems.append(Problem("load", error))
    for name, rows in loaded.items():
        table = REGISTRY[name]
        for row in rows:
            if not DOCUMENT.search(row.source):
                problems.append(
                    _problem(
                        "source",
                        name,
                        row.line,
                        "source",
                        "the source names no document number or law",
                        "nguồn không ghi số hiệu văn bản hay tên luật",
                    )
                )
        for before, after in table.gaps():
            problems.append(
                _problem(
                    "gap",
                    name,
                    after.line,
                    "valid_from",
                    f"gap: nothing in force from {before.period[1] + dt.timedelta(1)} "
                    f"to {after.period[0] - dt.timedelta(1)} (after row {before.line})",
                    f"khoảng trống hiệu lực sau dòng {before.line}",
                )
            )
    by_ref = {REGISTRY[name].ref(row): row for name, rows in loaded.items() for row in rows}
    for ref, users in sorted((used or {}).items()):
        row = by_ref.get(ref)
        if row is not None and row.status == "unverified":
            who = ", ".join(sorted(users))
            problems.append(
                _problem(
                    "unverified_use",
                    ref.table,
                    row.line,
                    "status",
                    f"unverified fact {ref.key!r} is used by {who}",
                    f"dữ kiện chưa kiểm chứng {ref.key!r} được dùng trong {who}",
                )
            )
    return problems


def _problem(
    kind: str, table: str, row: int, column: str, problem: str, problem_vi: str
) -> Problem:
    return Problem(kind, table_error(table, row, column, problem, problem_vi))


def count_by_status() -> dict[str, Counter]:
    """table -> Counter of rows by status (every version counts)."""
    return {name: Counter(row.status for row in table.rows()) for name, table in REGISTRY.items()}


def status_table() -> str:
    """The number of facts by table and status, as the Markdown table of datasets/README.md."""
    counts = count_by_status()
    header = "| table | " + " | ".join(STATUSES) + " | total |"
    lines = [header, "|---|" + "---:|" * (len(STATUSES) + 1)]
    totals = Counter()
    for name, counter in counts.items():
        totals += counter
        cells = " | ".join(str(counter[s]) for s in STATUSES)
        lines.append(f"| {name} | {cells} | {sum(counter.values())} |")
    cells = " | ".join(f"**{totals[s]}**" for s in STATUSES)
    lines.append(f"| **all** | {cells} | **{sum(totals.values())}** |")
    return "\n".join(lines)


COUNT_START, COUNT_END = "<!-- facts-count:start -->", "<!-- facts-count:end -->"


def with_status_table(text: str, table: str, where: object = None) -> str:
    """``text`` with the block between the facts-count markers replaced by ``table``."""
    start, end = text.find(COUNT_START), text.find(COUNT_END)
    if start < 0 or end < start:
        raise InputError(f"the markers {COUNT_START} … {COUNT_END} are missing", file=where)
    return f"{text[: start + len(COUNT_START)]}\n{table}\n{text[end:]}"
