"""The canonical notebooks of an assignment: released cell order, gradebook cell contents.

The gradebook (written by nbgrader's SaveCells during ``generate_assignment``)
keeps every locked and graded cell with its hidden tests and checksum, but not
the cells' order; the released notebook gives the order and what trainees saw.
The model solutions come from the trainer's source notebooks (the gradebook keeps
answer cells as released): the judge needs the names they bind.  Read once in the
main process and handed to workers as plain data.
"""

from __future__ import annotations

import json
from pathlib import Path

from cadrelab.errors import InputError
from cadrelab.grading.rebuild import (
    CellSpec,
    NotebookSpec,
    cell_source,
    nbgrader_metadata,
    role_of,
)
from cadrelab.grading.workshop import Workshop


def load_specs(workshop: Workshop, assignment: str) -> dict[str, NotebookSpec]:
    from nbgrader.api import MissingEntry

    release = workshop.release_dir / assignment
    if not release.is_dir():
        raise InputError(
            f"assignment {assignment!r} has not been released "
            "(run `cadrelab workshop release` first)",
            file=release,
        )
    specs = {}
    with workshop.gradebook() as gradebook:
        try:
            known = gradebook.find_assignment(assignment)
        except MissingEntry:
            raise InputError(
                f"assignment {assignment!r} is not in the gradebook", file=workshop.gradebook_path
            ) from None
        for notebook in known.notebooks:
            path = release / f"{notebook.name}.ipynb"
            released = json.loads(path.read_text(encoding="utf-8"))
            solutions = _solutions(workshop.source_dir / assignment / f"{notebook.name}.ipynb")
            sources = {cell.name: cell for cell in notebook.source_cells}
            points = {
                cell.name: float(cell.max_score)
                for cell in [*notebook.grade_cells, *notebook.task_cells]
            }
            cells = []
            for cell in released["cells"]:
                meta = cell.get("metadata", {}).get("nbgrader")
                if not meta or meta.get("grade_id") not in sources:
                    continue
                source = sources[meta["grade_id"]]
                released_source = cell_source(cell)
                cells.append(
                    CellSpec(
                        grade_id=source.name,
                        cell_type=source.cell_type,
                        role=role_of(meta, source.cell_type),
                        released_source=released_source,
                        source=source.source
                        if meta.get("grade") and not meta.get("solution")
                        else released_source,
                        checksum=source.checksum,
                        solution=solutions.get(source.name, ""),
                        points=points.get(source.name),
                        metadata=cell.get("metadata", {}),
                        skill=str(
                            cell.get("metadata", {}).get("cadrelab", {}).get("skill") or assignment
                        ),
                    )
                )
            if not any(cell.role in ("test", "answer", "manual", "task") for cell in cells):
                continue  # a reading notebook handed out with the exercise: nothing to grade
            specs[notebook.name] = NotebookSpec(
                notebook.name, tuple(cells), released.get("metadata", {})
            )
    return specs


def _solutions(path: Path) -> dict[str, str]:
    """Each answer cell's model solution in the trainer's source notebook (empty if gone)."""
    try:
        cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
    except (OSError, ValueError, AttributeError):
        return {}
    return {
        meta["grade_id"]: cell_source(cell)
        for cell in cells
        if isinstance(cell, dict)
        and (meta := nbgrader_metadata(cell)).get("solution")
        and isinstance(meta.get("grade_id"), str)
    }
