"""Find course notebooks and read their nbgrader cells (shared by the course tests)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import nbformat

from tests.conftest import REPO

COURSES_DIR = REPO / "courses"


def courses() -> list[Path]:
    return sorted(p for p in COURSES_DIR.iterdir() if p.is_dir() and p.name[:2].isdigit())


def lessons(course: Path | None = None) -> list[Path]:
    chosen = [course] if course else courses()
    return [
        lesson
        for c in chosen
        for lesson in sorted(c.iterdir())
        if lesson.is_dir() and lesson.name[:2].isdigit()
    ]


def notebooks() -> list[Path]:
    return [nb for lesson in lessons() for nb in sorted(lesson.glob("*.ipynb"))]


def assignment_id(lesson: Path) -> str:
    return f"{lesson.parent.name}-{lesson.name}"


def nbgrader_meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def is_autograded_test(cell) -> bool:
    meta = nbgrader_meta(cell)
    return cell.cell_type == "code" and meta.get("grade") and not meta.get("solution")


def is_manual_answer(cell) -> bool:
    meta = nbgrader_meta(cell)
    return bool(meta.get("grade") and meta.get("solution"))


@dataclass(frozen=True)
class Exercise:
    lesson: Path
    notebook: Path

    @property
    def id(self) -> str:
        return assignment_id(self.lesson)


def exercises() -> list[Exercise]:
    found = []
    for path in notebooks():
        nb = nbformat.read(path, as_version=4)
        if any(nbgrader_meta(c).get("grade") for c in nb.cells):
            found.append(Exercise(path.parent, path))
    return found
