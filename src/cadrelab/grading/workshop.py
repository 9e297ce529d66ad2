"""A workshop folder: an nbgrader course directory plus cadrelab's own state.

Layout (nbgrader's, so the formgrader works on it unchanged)::

    DIR/nbgrader_config.py   shared settings (graders/nbgrader_config.py) + this course
    DIR/workshop.json        course id, exchange folder
    DIR/gradebook.db         nbgrader's gradebook (SQLite)
    DIR/source/<assignment>/ one folder per lesson, copied from courses/<course>/<lesson>/
    DIR/release/ submitted/ autograded/ feedback/
    DIR/exchange/            nbgrader exchange for one-laptop workshops (a hub uses /srv/...)
    DIR/.cadrelab/results/   one record per graded submission (status, tests, hashes)
    DIR/reports/             report and heatmap
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cadrelab.errors import InputError
from cadrelab.i18n import t

CONFIG_FILE = "nbgrader_config.py"
STATE_FILE = "workshop.json"


@dataclass(frozen=True)
class Workshop:
    root: Path
    course_id: str
    exchange_root: Path

    @classmethod
    def open(cls, root: str | Path | None = None) -> Workshop:
        """The workshop in ``root`` (default: the current folder)."""
        root = Path(root or ".").absolute()
        state = root / STATE_FILE
        try:
            data = json.loads(state.read_text(encoding="utf-8"))
            return cls(root, str(data["course_id"]), Path(data["exchange_root"]))
        except FileNotFoundError:
            raise InputError(
                "not a workshop folder (run `cadrelab workshop init DIR` first)",
                file=root,
                problem_vi=t("grading.not_workshop", "vi"),
            ) from None
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise InputError(f"unreadable workshop settings ({exc})", file=state) from None

    @property
    def source_dir(self) -> Path:
        return self.root / "source"

    @property
    def release_dir(self) -> Path:
        return self.root / "release"

    @property
    def submitted_dir(self) -> Path:
        return self.root / "submitted"

    @property
    def autograded_dir(self) -> Path:
        return self.root / "autograded"

    @property
    def feedback_dir(self) -> Path:
        return self.root / "feedback"

    @property
    def gradebook_path(self) -> Path:
        return self.root / "gradebook.db"

    @property
    def db_url(self) -> str:
        return f"sqlite:///{self.gradebook_path}"

    @property
    def state_dir(self) -> Path:
        return self.root / ".cadrelab"

    @property
    def results_dir(self) -> Path:
        return self.state_dir / "results"

    @property
    def reports_dir(self) -> Path:
        return self.root / "reports"

    def assignments(self) -> list[str]:
        if not self.source_dir.is_dir():
            return []
        return sorted(
            p.name for p in self.source_dir.iterdir() if p.is_dir() and any(p.glob("*.ipynb"))
        )

    def require_assignment(self, assignment: str) -> str:
        if assignment not in self.assignments():
            known = ", ".join(self.assignments()) or "none"
            raise InputError(
                f"no assignment {assignment!r} in source/ (known: {known})",
                file=self.source_dir,
                field="assignment",
                problem_vi=t("grading.unknown_assignment", "vi", assignment=assignment),
            )
        return assignment

    def config(self) -> Any:
        from traitlets.config.loader import ConfigFileNotFound, PyFileConfigLoader

        try:
            return PyFileConfigLoader(CONFIG_FILE, path=str(self.root)).load_config()
        except ConfigFileNotFound:
            raise InputError("nbgrader_config.py is missing", file=self.root) from None

    def api(self) -> Any:
        """nbgrader's in-process API for this course (no subprocess per command)."""
        from nbgrader.apps import NbGraderAPI
        from nbgrader.coursedir import CourseDirectory

        config = self.config()
        config.CourseDirectory.root = str(self.root)
        config.CourseDirectory.course_id = self.course_id
        config.Exchange.root = str(self.exchange_root)
        config.NbGraderAPI.log_level = "ERROR"
        config.ExchangeReleaseAssignment.force = True  # releasing again replaces the old release
        coursedir = CourseDirectory(config=config)
        return NbGraderAPI(coursedir=coursedir, config=config)

    def gradebook(self) -> Any:
        from nbgrader.api import Gradebook

        _tools_on_path()
        return Gradebook(self.db_url, self.course_id)


def _tools_on_path() -> None:
    """nbgrader runs ``alembic`` by name when it creates a gradebook: use this Python's."""
    tools = str(Path(sys.executable).parent)
    path = os.environ.get("PATH", "")
    if tools not in path.split(os.pathsep):
        os.environ["PATH"] = os.pathsep.join([tools, path]) if path else tools
