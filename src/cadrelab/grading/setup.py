"""``workshop init``: create (or refresh) a workshop folder fed from ``courses/``.

Each lesson folder ``courses/<course>/<lesson>/`` whose notebooks carry nbgrader
cells becomes the assignment ``<course>-<lesson>`` in ``source/``.  Running init
again on the same folder copies lessons that are new or changed and leaves the
gradebook, submissions and grades alone, so ``make lab`` can run it every time.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from cadrelab import atomic
from cadrelab.content import courses_dir, graders_dir
from cadrelab.errors import InputError
from cadrelab.grading.plan import nbgrader_metadata
from cadrelab.grading.workshop import CONFIG_FILE, STATE_FILE, Workshop
from cadrelab.i18n import t

DEFAULT_COURSES = courses_dir()
SHARED_CONFIG = graders_dir() / CONFIG_FILE
DEFAULT_COURSE_ID = "cadrelab"
ASSIGNMENT_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
COURSE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
IGNORED = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__", "*.pyc", "answers")


@dataclass(frozen=True)
class Lesson:
    assignment: str
    folder: Path


def is_graded_notebook(path: Path) -> bool:
    """True when the notebook has at least one nbgrader solution, test or task cell."""
    try:
        cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
    except (OSError, ValueError, AttributeError):
        raise InputError("not a readable notebook", file=path) from None
    for cell in cells:
        meta = nbgrader_metadata(cell)
        if meta.get("solution") or meta.get("grade") or meta.get("task"):
            return True
    return False


def discover_lessons(courses_root: Path) -> list[Lesson]:
    """Every graded lesson under ``courses_root``, as ``<course>-<lesson>`` assignments."""
    lessons = []
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


def _folder_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    if not folder.is_dir():
        return ""
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if path.is_file() and not any(
            part in (".ipynb_checkpoints", "__pycache__", "answers") for part in relative.parts
        ):
            digest.update(str(relative).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


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
        if _folder_digest(target) == _folder_digest(lesson.folder):
            changes[lesson.assignment] = "unchanged"
            continue
        state = "updated" if target.exists() else "added"
        with atomic.folder(target) as staging:
            shutil.copytree(lesson.folder, staging, dirs_exist_ok=True, ignore=IGNORED)
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
