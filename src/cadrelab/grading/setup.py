"""``workshop init``: create (or refresh) a workshop folder fed from ``courses/``.

Each graded lesson (:mod:`cadrelab.grading.lessons`) becomes an assignment in
``source/``, with only the files its author declared.  Running init again on the
same folder copies lessons that are new or changed and leaves the gradebook,
submissions and grades alone, so ``make lab`` can run it every time.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

from cadrelab import atomic
from cadrelab.content import courses_dir, graders_dir
from cadrelab.errors import InputError
from cadrelab.grading.lessons import discover_lessons, lesson_files
from cadrelab.grading.workshop import CONFIG_FILE, STATE_FILE, Workshop
from cadrelab.i18n import t

DEFAULT_COURSES = courses_dir()
SHARED_CONFIG = graders_dir() / CONFIG_FILE
DEFAULT_COURSE_ID = "cadrelab"
COURSE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def _digest(folder: Path, files: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _source_files(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file()] if folder.is_dir() else []


def init_workshop(
    root: Path,
    course_id: str | None = None,
    courses_root: Path = DEFAULT_COURSES,
    exchange_root: Path | None = None,
) -> tuple[Workshop, dict[str, str]]:
    """Create or refresh the workshop in ``root``; returns it and what happened per lesson."""
    root = root.absolute()
    if (root / STATE_FILE).exists():
        workshop = Workshop.open(root)
        if course_id and course_id != workshop.course_id:
            raise InputError(
                f"this workshop's course id is {workshop.course_id!r}, not {course_id!r}",
                file=root / STATE_FILE,
                field="course_id",
            )
    else:
        workshop = _create(root, course_id or DEFAULT_COURSE_ID, exchange_root)
    if not courses_root.is_dir():
        raise InputError("courses folder not found", file=courses_root)
    changes = {}
    for lesson in discover_lessons(courses_root):
        target = workshop.source_dir / lesson.assignment
        files = lesson_files(lesson.folder)
        if _digest(target, _source_files(target)) == _digest(lesson.folder, files):
            changes[lesson.assignment] = "unchanged"
            continue
        state = "updated" if target.exists() else "added"
        with atomic.folder(target) as staging:
            for path in files:
                destination = staging / path.relative_to(lesson.folder)
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, destination)
        changes[lesson.assignment] = state
    return workshop, changes


def _create(root: Path, course_id: str, exchange_root: Path | None) -> Workshop:
    if not COURSE_ID.fullmatch(course_id):
        raise InputError(
            f"course id {course_id!r} must match {COURSE_ID.pattern}", field="--course-id"
        )
    if root.exists() and any(root.iterdir()):
        raise InputError(
            "folder exists, is not empty and is not a workshop",
            file=root,
            problem_vi=t("grading.not_empty", "vi"),
        )
    _refuse_inside_sandbox_view(root)
    exchange = (exchange_root or root / "exchange").absolute()
    for folder in (
        "source",
        "release",
        "submitted",
        "autograded",
        "feedback",
        "reports",
        ".cadrelab/results",
    ):
        (root / folder).mkdir(parents=True, exist_ok=True)
    if exchange_root is None:
        exchange.mkdir(parents=True, exist_ok=True)
        exchange.chmod(0o777)
    elif not exchange.is_dir():
        raise InputError(
            "exchange folder must already exist (nbgrader requires it)",
            file=exchange,
            field="--exchange",
        )
    config = SHARED_CONFIG.read_text(encoding="utf-8") + (
        "\n# --- this workshop (written by `cadrelab workshop init`) ---\n"
        f"c.CourseDirectory.course_id = {course_id!r}\n"
        f"c.CourseDirectory.root = {str(root)!r}\n"
        f"c.Exchange.root = {str(exchange)!r}\n"
    )
    atomic.write_text(root / CONFIG_FILE, config)
    state = {"course_id": course_id, "exchange_root": str(exchange)}
    atomic.write_text(root / STATE_FILE, json.dumps(state, ensure_ascii=False, indent=2) + "\n")
    workshop = Workshop(root, course_id, exchange)
    workshop.create_secret()
    workshop.gradebook().close()  # creates the gradebook's tables
    return workshop


def _refuse_inside_sandbox_view(root: Path) -> None:
    """A workshop inside a folder the sandbox shows to trainees' code would expose it."""
    from cadrelab.grading.sandbox import readable_paths

    resolved = root.resolve()
    for path in readable_paths():
        if path == resolved or path in resolved.parents:
            raise InputError(
                f"a workshop cannot live inside {path}: trainees' code can read it during grading",
                file=root,
            )
