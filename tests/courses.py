"""Find course notebooks and read their nbgrader cells (shared by the course tests).

Exercises are found the way `cadrelab workshop init` finds them (grading.setup).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cadrelab.grading.lessons import discover_lessons
from cadrelab.grading.rebuild import nbgrader_metadata as nbgrader_meta
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


def is_autograded_test(cell) -> bool:
    meta = nbgrader_meta(cell)
    return cell.cell_type == "code" and meta.get("grade") and not meta.get("solution")


def is_manual_answer(cell) -> bool:
    meta = nbgrader_meta(cell)
    return bool(meta.get("grade") and meta.get("solution"))


@dataclass(frozen=True)
class Exercise:
    id: str
    lesson: Path

    @property
    def notebook(self) -> Path:
        return self.lesson / "bai-tap.ipynb"


def exercises() -> list[Exercise]:
    return [Exercise(lesson.assignment, lesson.folder) for lesson in discover_lessons(COURSES_DIR)]
