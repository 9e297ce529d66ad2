"""Rebuild a submitted notebook from the gradebook's copy before anything runs.

What nbgrader's OverwriteCells (with ``add_missing_cells``), CheckCellMetadata and
DeduplicateIds do, plus the decisions they leave to the log: the cells the
trainee may change (answers, free cells) come from the submission, and every
other cell (locked cells, tests with their hidden part) from the released
notebook and the gradebook.  Canonical cells keep their released order, so
moving a test above its answer changes nothing; the trainee's own extra cells
stay where they were put.  Every difference is a note (a defence of
:mod:`cadrelab.grading.defences`); editing or deleting a locked code cell or a
test, or changing a cell's nbgrader metadata, marks the submission as tampered,
while a locked text cell is simply restored.  The restored cells are graded, so
tampering never raises a score.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any, Literal

Role = Literal["answer", "manual", "task", "locked", "test", "free"]


@dataclass(frozen=True)
class CellSpec:
    """One released cell with nbgrader metadata, as the gradebook and the release know it."""

    grade_id: str
    cell_type: str
    role: Role
    released_source: str
    source: str
    checksum: str
    points: float | None
    metadata: dict
    skill: str
    solution: str = ""  # an answer cell's model solution (grader only: names it binds)


@dataclass(frozen=True)
class NotebookSpec:
    """A released notebook: its canonical cells in order and its notebook metadata."""

    name: str
    cells: tuple[CellSpec, ...]
    metadata: dict

    def spec(self, grade_id: str) -> CellSpec | None:
        return next((cell for cell in self.cells if cell.grade_id == grade_id), None)

    @property
    def tests(self) -> list[CellSpec]:
        return [cell for cell in self.cells if cell.role == "test"]


@dataclass
class PlannedCell:
    key: str
    cell_type: str
    role: Role
    source: str
    metadata: dict
    spec: CellSpec | None = None

    @property
    def runs_in_sandbox(self) -> bool:
        return self.cell_type == "code" and self.role != "test"

    @property
    def trainee_code(self) -> bool:
        """Code the trainee wrote: its effects come back as data."""
        return self.cell_type == "code" and self.role in ("answer", "manual", "free")


@dataclass(frozen=True)
class Note:
    code: str
    grade_id: str = ""
    detail: str = ""
    tampering: bool = False


@dataclass
class Plan:
    cells: list[PlannedCell] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)

    @property
    def tampered(self) -> bool:
        return any(note.tampering for note in self.notes)


def role_of(nbgrader: dict, cell_type: str) -> Role:
    if nbgrader.get("task"):
        return "task"
    solution, grade = bool(nbgrader.get("solution")), bool(nbgrader.get("grade"))
    if solution and grade:
        return "manual"
    if solution:
        return "answer"
    if grade:
        return "test" if cell_type == "code" else "manual"
    return "locked" if nbgrader.get("locked") else "free"


def normalised(source: str) -> str:
    """Source compared loosely: trailing spaces and surrounding blank lines do not count."""
    return "\n".join(line.rstrip() for line in source.strip().splitlines())


def nbgrader_metadata(cell: Any) -> dict:
    """A notebook cell's nbgrader metadata; empty when it has none (or is malformed)."""
    metadata = cell.get("metadata") if isinstance(cell, dict) else None
    value = metadata.get("nbgrader") if isinstance(metadata, dict) else None
    return value if isinstance(value, dict) else {}


def cell_source(cell: dict) -> str:
    """A notebook cell's source as one string, whether stored as a string or a list of lines."""
    source = cell.get("source", "")
    if isinstance(source, list):
        source = "".join(str(part) for part in source)
    return source if isinstance(source, str) else ""


def build(spec: NotebookSpec, submitted_cells: list[dict]) -> Plan:
    """The cells to run and grade for one submitted notebook (its cells as plain dicts)."""
    plan = Plan()
    canonical_ids = {cell.grade_id for cell in spec.cells}
    found: dict[str, dict] = {}
    free_after: dict[str | None, list[dict]] = {}
    anchor: str | None = None
    for cell in submitted_cells:
        grade_id = nbgrader_metadata(cell).get("grade_id")
        if isinstance(grade_id, str) and grade_id in canonical_ids and grade_id not in found:
            found[grade_id] = cell
            anchor = grade_id
            continue
        if isinstance(grade_id, str) and grade_id in found:
            plan.notes.append(Note("duplicate_id", grade_id))
        free_after.setdefault(anchor, []).append(cell)

    submitted_order = [gid for gid in found]
    canonical_order = [cell.grade_id for cell in spec.cells if cell.grade_id in found]
    if submitted_order != canonical_order:
        plan.notes.append(Note("reordered"))

    counter = iter(range(10**6))

    def add_free(cells: list[dict]) -> None:
        for cell in cells:
            cell_type = cell.get("cell_type")
            if cell_type not in ("code", "markdown"):
                continue
            plan.cells.append(
                PlannedCell(f"c{next(counter)}", cell_type, "free", cell_source(cell), {})
            )

    add_free(free_after.get(None, []))
    for cell_spec in spec.cells:
        submitted = found.get(cell_spec.grade_id)
        _check(cell_spec, submitted, plan)
        source = cell_spec.source
        if cell_spec.role in ("answer", "manual"):
            source = cell_source(submitted) if submitted is not None else cell_spec.released_source
        metadata = copy.deepcopy(cell_spec.metadata)
        metadata.setdefault("nbgrader", {})["checksum"] = cell_spec.checksum
        plan.cells.append(
            PlannedCell(
                f"c{next(counter)}",
                cell_spec.cell_type,
                cell_spec.role,
                source,
                metadata,
                cell_spec,
            )
        )
        add_free(free_after.get(cell_spec.grade_id, []))
    return plan


def _check(spec: CellSpec, submitted: dict | None, plan: Plan) -> None:
    fixed = spec.role in ("locked", "test", "task")
    guarded = fixed and spec.cell_type == "code"
    if submitted is None:
        if spec.role in ("answer", "manual"):
            plan.notes.append(Note("answer_missing", spec.grade_id))
        else:
            code = "restored_deleted" if guarded else "restored_text"
            plan.notes.append(Note(code, spec.grade_id, tampering=guarded))
        return
    if fixed and normalised(cell_source(submitted)) != normalised(spec.released_source):
        code = "restored_edited" if guarded else "restored_text"
        plan.notes.append(Note(code, spec.grade_id, tampering=guarded))
    meta = nbgrader_metadata(submitted)
    changes = []
    if submitted.get("cell_type") != spec.cell_type:
        changes.append("cell_type")
    if role_of(meta, spec.cell_type) != spec.role:
        changes.append("role")
    if spec.points is not None:
        try:
            if float(meta.get("points", -1)) != spec.points:
                changes.append("points")
        except (TypeError, ValueError):
            changes.append("points")
    if changes:
        plan.notes.append(
            Note("metadata_changed", spec.grade_id, ", ".join(changes), tampering=True)
        )
