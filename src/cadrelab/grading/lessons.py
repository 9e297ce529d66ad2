"""Lessons in a courses folder: which are graded, which files they hand out, which cases they use.

A lesson folder ``<course>/<lesson>/`` whose notebooks carry nbgrader cells becomes
the assignment ``<course>-<lesson>``.  What it hands out is only what its author
declared: its notebooks, plus the files listed in a notebook's metadata
(``"cadrelab": {"files": ["mau-don.docx"]}``) — never what a test run left beside them.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from cadrelab.errors import InputError
from cadrelab.grading.rebuild import cell_source, nbgrader_metadata

ASSIGNMENT_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
CASE_LOADERS = ("load_cases", "own_commune")


@dataclass(frozen=True)
class Lesson:
    assignment: str
    folder: Path


def read_notebook(path: Path) -> dict:
    try:
        notebook = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"not a readable notebook ({exc})", file=path) from None
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
        raise InputError("not a notebook (no list of cells)", file=path)
    return notebook


def is_graded_notebook(path: Path) -> bool:
    """True when the notebook has at least one nbgrader solution, test or task cell."""
    for cell in read_notebook(path)["cells"]:
        meta = nbgrader_metadata(cell)
        if meta.get("solution") or meta.get("grade") or meta.get("task"):
            return True
    return False


def discover_lessons(courses_root: Path) -> list[Lesson]:
    """Every graded lesson under ``courses_root``, as ``<course>-<lesson>`` assignments."""
    lessons: list[Lesson] = []
    for notebook in sorted(courses_root.glob("*/*/*.ipynb")):
        folder = notebook.parent
        if any(lesson.folder == folder for lesson in lessons):
            continue
        if ".ipynb_checkpoints" in notebook.parts or not is_graded_notebook(notebook):
            continue
        assignment = f"{folder.parent.name}-{folder.name}"
        if not ASSIGNMENT_ID.fullmatch(assignment):
            raise InputError(
                f"lesson folder gives the assignment id {assignment!r}, which must match "
                f"{ASSIGNMENT_ID.pattern} (lower-case letters, digits, '-')",
                file=folder,
            )
        lessons.append(Lesson(assignment, folder))
    return lessons


def lesson_files(folder: Path) -> list[Path]:
    """The files a lesson hands out: its notebooks and the files they declare."""
    notebooks = sorted(path for path in folder.glob("*.ipynb") if path.is_file())
    files = set(notebooks)
    for notebook in notebooks:
        declared = read_notebook(notebook).get("metadata", {}).get("cadrelab", {}).get("files", [])
        if not isinstance(declared, list):
            raise InputError("must be a list of file names", file=notebook, field="cadrelab.files")
        for name in declared:
            files.add(_declared_file(folder, notebook, name))
    return sorted(files)


def _declared_file(folder: Path, notebook: Path, name: object) -> Path:
    relative = PurePosixPath(str(name))
    if not isinstance(name, str) or relative.is_absolute() or ".." in relative.parts:
        raise InputError(
            f"{name!r} is not a path inside the lesson", file=notebook, field="cadrelab.files"
        )
    path = folder.joinpath(*relative.parts)
    if not path.is_file() or path.is_symlink():
        raise InputError(f"declared file {name!r} not found", file=notebook, field="cadrelab.files")
    return path


def exercises_used(folder: Path) -> list[str]:
    """The exercise ids whose cases the lesson's notebooks load (literal first arguments of
    ``load_cases(...)`` and ``own_commune(...)`` in any code cell)."""
    found: set[str] = set()
    for notebook in sorted(folder.glob("*.ipynb")):
        for cell in read_notebook(notebook)["cells"]:
            if cell.get("cell_type") == "code":
                found.update(_literal_calls(cell_source(cell)))
    return sorted(found)


def _literal_calls(source: str) -> set[str]:
    lines = [line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))]
    try:
        tree = ast.parse("\n".join(lines))
    except SyntaxError:
        return set()
    found = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
        first = node.args[0]
        literal = isinstance(first, ast.Constant) and isinstance(first.value, str)
        if name in CASE_LOADERS and literal:
            found.add(first.value)
    return found
