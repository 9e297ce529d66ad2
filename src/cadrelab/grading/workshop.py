"""A workshop folder: an nbgrader course directory plus cadrelab's own state.

Layout (nbgrader's, so the formgrader works on it unchanged)::

    DIR/nbgrader_config.py   shared settings (graders/nbgrader_config.py) + this course
    DIR/workshop.json        course id, exchange folder
    DIR/gradebook.db         nbgrader's gradebook (SQLite)
    DIR/source/<assignment>/ one folder per lesson, copied from courses/<course>/<lesson>/
    DIR/release/ submitted/ autograded/ feedback/
    DIR/exchange/            nbgrader exchange for one-laptop workshops (a hub uses /srv/...)
    DIR/.cadrelab/results/   one record per graded submission (status, tests, hashes)
    DIR/.cadrelab/secret     the workshop secret: trainees' cases and zip codes derive from it
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
SECRET_BYTES = 32


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

    @property
    def secret_path(self) -> Path:
        return self.state_dir / "secret"

    def secret(self) -> bytes:
        """The workshop secret (never released, collected or shown to a trainee).

        Trainees' cases derive from it, so a workshop that lost it cannot grade: the
        error says to restore the file from a backup rather than silently making a new one.
        """
        try:
            text = self.secret_path.read_text(encoding="ascii").strip()
            value = bytes.fromhex(text)
        except FileNotFoundError:
            raise InputError(
                "the workshop secret is missing: restore .cadrelab/secret from a backup "
                "(trainees' cases and zip codes depend on it)",
                file=self.secret_path,
                problem_vi=t("grading.secret_missing", "vi"),
            ) from None
        except (OSError, UnicodeDecodeError, ValueError):
            value = b""
        if len(value) != SECRET_BYTES:
            raise InputError(
                f"the workshop secret is damaged (expected {SECRET_BYTES * 2} hex digits): "
                "restore .cadrelab/secret from a backup",
                file=self.secret_path,
                problem_vi=t("grading.secret_damaged", "vi"),
            )
        return value

    def create_secret(self) -> None:
        """Write a new random secret, readable by the trainer only; never replaces one."""
        import secrets

        self.state_dir.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(self.secret_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:
            handle.write(secrets.token_hex(SECRET_BYTES) + "\n")

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


def nbgrader_failure(result: dict) -> str:
    """The most useful line of a failed nbgrader API call's log or traceback."""
    lines = [
        line.strip()
        for line in (result.get("log", "") + "\n" + result.get("error", "")).splitlines()
        if line.strip()
    ]
    errors = [line for line in lines if line.startswith(("[ERROR]", "[CRITICAL]"))]
    return (errors or lines or ["unknown nbgrader error"])[-1][:300]


def _tools_on_path() -> None:
    """nbgrader runs ``alembic`` by name when it creates a gradebook: use this Python's."""
    tools = str(Path(sys.executable).parent)
    path = os.environ.get("PATH", "")
    if tools not in path.split(os.pathsep):
        os.environ["PATH"] = os.pathsep.join([tools, path]) if path else tools
