"""What grading one submission produces, and where that record is kept.

A record per submission lives in ``.cadrelab/results/<assignment>/<trainee>.json``
inside the workshop, outside every folder nbgrader copies to trainees, because
it holds trainer-only detail (tracebacks that may quote hidden tests).  It is
written only after the gradebook holds the scores, so a record on disk means the
submission with that content hash is done: that is how an interrupted run resumes.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path

from cadrelab import atomic
from cadrelab.i18n import t

RECORD_VERSION = 1
MESSAGE_CODES = ("hidden_failed", "kernel_stopped", "invalid_notebook", "grader_error")


class Status(StrEnum):
    """How a submission's grading ended, most serious first."""

    GRADER_ERROR = "grader_error"
    INVALID = "invalid_notebook"
    TAMPERED = "tampered"
    TIMED_OUT = "timed_out"
    CRASHED = "crashed"
    GRADED = "graded"

    @property
    def rank(self) -> int:
        return list(Status).index(self)

    @classmethod
    def worst(cls, statuses: list[Status]) -> Status:
        return min(statuses, key=lambda s: s.rank, default=cls.GRADED)


@dataclass
class TestResult:
    grade_id: str
    points: float
    score: float
    hidden_failure: bool
    message: str
    trace: list[str]
    skill: str

    @property
    def passed(self) -> bool:
        return self.score >= self.points

    @property
    def shown_message(self) -> str:
        """What a trainee may read about this test's failure (never hidden-test text)."""
        if self.message in MESSAGE_CODES:
            return t(f"grading.test.{self.message}")
        return self.message


@dataclass
class ManualItem:
    grade_id: str
    points: float
    answered: bool
    skill: str


@dataclass
class NotebookResult:
    name: str
    status: Status
    notes: list[dict] = field(default_factory=list)
    tests: list[TestResult] = field(default_factory=list)
    manual: list[ManualItem] = field(default_factory=list)
    unanswered: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def auto_score(self) -> float:
        return sum(test.score for test in self.tests)

    @property
    def auto_points(self) -> float:
        return sum(test.points for test in self.tests)


@dataclass
class SubmissionResult:
    student: str
    assignment: str
    content_hash: str
    timestamp: str | None
    notebooks: list[NotebookResult] = field(default_factory=list)
    version: int = RECORD_VERSION

    @property
    def status(self) -> Status:
        return Status.worst([nb.status for nb in self.notebooks])

    @property
    def auto_score(self) -> float:
        return sum(nb.auto_score for nb in self.notebooks)

    @property
    def auto_points(self) -> float:
        return sum(nb.auto_points for nb in self.notebooks)

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=1, sort_keys=True) + "\n"

    @classmethod
    def from_dict(cls, data: dict) -> SubmissionResult:
        notebooks = [
            NotebookResult(
                name=nb["name"],
                status=Status(nb["status"]),
                notes=nb["notes"],
                tests=[TestResult(**test) for test in nb["tests"]],
                manual=[ManualItem(**item) for item in nb["manual"]],
                unanswered=nb["unanswered"],
                seconds=nb["seconds"],
            )
            for nb in data["notebooks"]
        ]
        return cls(
            student=data["student"],
            assignment=data["assignment"],
            content_hash=data["content_hash"],
            timestamp=data["timestamp"],
            notebooks=notebooks,
            version=data["version"],
        )


def record_path(results_dir: Path, assignment: str, student: str) -> Path:
    return results_dir / assignment / f"{student}.json"


def save(results_dir: Path, result: SubmissionResult) -> None:
    atomic.write_text(record_path(results_dir, result.assignment, result.student), result.to_json())


def load(path: Path) -> SubmissionResult | None:
    """The record at ``path``, or None when it is missing, unreadable or from another version."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("version") != RECORD_VERSION:
            return None
        return SubmissionResult.from_dict(data)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def load_all(results_dir: Path, assignment: str | None = None) -> list[SubmissionResult]:
    folders = (
        [results_dir / assignment]
        if assignment
        else sorted(p for p in results_dir.glob("*") if p.is_dir())
    )
    records = []
    for folder in folders:
        for path in sorted(folder.glob("*.json")):
            record = load(path)
            if record is not None:
                records.append(record)
    return records
