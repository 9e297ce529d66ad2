"""The trainee version of the courses: exercise notebooks as released, no solutions or hidden tests.

Every route a trainee takes (``cadrelab lab``, ``cadrelab courses copy``, Binder,
a hub link) must open this version, never ``courses/`` itself, whose exercise
notebooks hold the solutions and the hidden tests.  It is built by the same code
as ``cadrelab workshop release``: nbgrader's GenerateAssignment with the shared
workshop configuration (Vietnamese stubs), without a gradebook, followed by the
same leak check.  Reading notebooks and Markdown pages (course index, glossary)
are copied as they are.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from cadrelab import atomic
from cadrelab.content import graders_dir
from cadrelab.errors import InputError
from cadrelab.grading.leaks import find_leaks, lesson_secrets
from cadrelab.grading.lessons import discover_lessons, lesson_files
from cadrelab.grading.workshop import CONFIG_FILE, nbgrader_failure
from cadrelab.i18n import t

PAGES = ("*.md",)


def build_trainee_courses(source_dir: Path, out_dir: Path) -> list[str]:
    """Write the trainee version of ``source_dir`` to ``out_dir`` (replaced atomically);
    returns the lessons generated as exercises."""
    if not source_dir.is_dir():
        raise InputError("courses folder not found", file=source_dir)
    lessons = discover_lessons(source_dir)
    with tempfile.TemporaryDirectory(prefix="cadrelab-trainee-") as tmp:
        course = Path(tmp)
        for lesson in lessons:
            target = course / "source" / lesson.assignment
            for path in lesson_files(lesson.folder):
                destination = target / path.relative_to(lesson.folder)
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, destination)
        _generate(course, [lesson.assignment for lesson in lessons])
        with atomic.folder(out_dir) as staging:
            _copy_pages(source_dir, staging)
            for lesson in lessons:
                released = course / "release" / lesson.assignment
                target = staging / lesson.folder.relative_to(source_dir)
                shutil.copytree(released, target, dirs_exist_ok=True)
                leaks = find_leaks(target, lesson_secrets(lesson.folder))
                if leaks:
                    leak = leaks[0]
                    raise InputError(
                        f"the trainee version would show {leak.kind.replace('_', ' ')} text "
                        f"{leak.line[:60]!r}",
                        file=lesson.folder / leak.file.name,
                        problem_vi=t("grading.release_leak", "vi", line=leak.line[:60]),
                    )
    return [lesson.assignment for lesson in lessons]


def _copy_pages(source_dir: Path, staging: Path) -> None:
    for pattern in PAGES:
        for path in sorted(source_dir.rglob(pattern)):
            relative = path.relative_to(source_dir)
            if any(part.startswith(".") for part in relative.parts):
                continue
            destination = staging / relative
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, destination)


def _generate(course: Path, assignments: list[str]) -> None:
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader(CONFIG_FILE, path=str(graders_dir())).load_config()
    config.CourseDirectory.root = str(course)
    config.GenerateAssignment.no_database = True
    config.SaveCells.enabled = False
    config.GenerateAssignment.create_assignment = False
    config.NbGraderAPI.log_level = "ERROR"
    api = NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)
    for assignment in assignments:
        result = api.generate_assignment(assignment, force=True, create=False)
        if not result["success"]:
            raise InputError(
                f"nbgrader could not generate the trainee version: {nbgrader_failure(result)}",
                file=course / "source" / assignment,
            )
