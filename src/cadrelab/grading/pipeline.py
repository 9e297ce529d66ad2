"""Grade one submission: rebuild each notebook, run it in the sandbox, judge it, write it out.

This is what one parallel worker does; it never opens the gradebook (the main
process is the only writer) and returns everything as plain data.
"""

from __future__ import annotations

import base64
import json
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import nbformat

from cadrelab import atomic
from cadrelab.grading import rebuild as planning
from cadrelab.grading import sandbox
from cadrelab.grading import value_codec as capture
from cadrelab.grading.grade_records import (
    ManualItem,
    NotebookResult,
    Status,
    SubmissionResult,
    TestResult,
)
from cadrelab.grading.judge import Judge, TestOutcome
from cadrelab.grading.rebuild import NotebookSpec, Plan
from cadrelab.i18n import t

MAX_NOTEBOOK_BYTES = 20 << 20
MAX_FILE_BYTES = 5 << 20
SKIPPED_FILES = {"timestamp.txt", "submission_secret.txt", ".ipynb_checkpoints", "__pycache__"}
IMPORTABLE_SUFFIXES = {".py", ".pyc", ".pyo", ".pyd", ".so", ".pth", ".pyw"}


@dataclass(frozen=True)
class Job:
    student: str
    assignment: str
    folder: Path
    release_folder: Path
    autograded_folder: Path
    specs: dict[str, NotebookSpec]
    limits: sandbox.Limits
    bwrap: str | None
    forbidden: tuple[Path, ...]
    scratch: Path
    content_hash: str
    timestamp: str | None


def grade(job: Job) -> SubmissionResult:
    """Grade every notebook of the submission and write the autograded notebooks."""
    result = SubmissionResult(job.student, job.assignment, job.content_hash, job.timestamp)
    with tempfile.TemporaryDirectory(prefix="cadrelab-", dir=job.scratch) as tmp:
        work = Path(tmp)
        stage, judge_dir = work / "stage", work / "judge"
        _stage_files(job, stage, judge_dir)
        written: dict[str, dict] = {}
        for name, spec in sorted(job.specs.items()):
            started = time.monotonic()
            notebook, graded = _grade_notebook(job, spec, stage, judge_dir, work)
            graded.seconds = round(time.monotonic() - started, 3)
            result.notebooks.append(graded)
            written[name] = notebook
        with atomic.folder(job.autograded_folder) as out:
            shutil.copytree(stage, out, dirs_exist_ok=True)
            for name, notebook in written.items():
                (out / f"{name}.ipynb").write_text(
                    json.dumps(notebook, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
                )
            if job.timestamp:
                (out / "timestamp.txt").write_text(job.timestamp, encoding="utf-8")
    return result


def _stage_files(job: Job, stage: Path, judge_dir: Path) -> None:
    """The submission's files for the sandbox (released files restored over them, as nbgrader
    does) and, for the judge, only the released files plus the trainee's non-code data."""
    stage.mkdir()
    judge_dir.mkdir()
    for path in _files(job.folder):
        relative = path.relative_to(job.folder)
        if path.suffix == ".ipynb" or path.stat().st_size > MAX_FILE_BYTES:
            continue
        _copy(path, stage / relative)
        if path.suffix.lower() not in IMPORTABLE_SUFFIXES:
            _copy(path, judge_dir / relative)
    for path in _files(job.release_folder):
        if path.suffix == ".ipynb":
            continue
        relative = path.relative_to(job.release_folder)
        _copy(path, stage / relative)
        _copy(path, judge_dir / relative)


def _files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.rglob("*")):
        parts = path.relative_to(folder).parts
        if any(part in SKIPPED_FILES for part in parts) or path.is_symlink():
            continue
        if path.is_file() and not any(p.is_symlink() for p in path.parents if folder in p.parents):
            found.append(path)
    return found


def _copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        target.unlink()
    shutil.copyfile(source, target)


def read_cells(path: Path) -> list[dict] | str:
    """The notebook's cells as dicts, or the reason it cannot be read."""
    try:
        if path.stat().st_size > MAX_NOTEBOOK_BYTES:
            return "too_large"
        text = path.read_text(encoding="utf-8")
        notebook = nbformat.reads(text, as_version=4)
    except FileNotFoundError:
        return "missing"
    except (OSError, UnicodeDecodeError):
        return "unreadable"
    except Exception:  # nbformat raises many kinds on bad JSON or a bad schema
        return "invalid_json"
    cells = notebook.get("cells")
    if not isinstance(cells, list) or not all(isinstance(c, dict) for c in cells):
        return "invalid_json"
    return [dict(cell) for cell in cells]


def _grade_notebook(
    job: Job, spec: NotebookSpec, stage: Path, judge_dir: Path, work: Path
) -> tuple[dict, NotebookResult]:
    cells = read_cells(job.folder / f"{spec.name}.ipynb")
    if isinstance(cells, str):
        graded = NotebookResult(spec.name, Status.INVALID, notes=[{"code": cells}])
        graded.tests = [
            _result(
                TestOutcome(s.grade_id, float(s.points or 0), 0.0, message="invalid_notebook"),
                s.skill,
            )
            for s in spec.tests
        ]
        graded.manual = [
            ManualItem(s.grade_id, float(s.points or 0), False, s.skill)
            for s in spec.cells
            if s.role in ("manual", "task")
        ]
        return _notebook_json(spec, planning.build(spec, []), {}, graded), graded
    plan = planning.build(spec, cells)
    run = _Run(job, plan, stage, work)
    try:
        run.execute()
        _refresh_answers(judge_dir, run.answers)
        verdict = Judge(judge_dir, job.student, run.remote).verdict(
            plan, run.effects, run.stopped_at
        )
    finally:
        run.close()
    graded = NotebookResult(spec.name, run.status(plan))
    graded.notes = (
        [note.__dict__ for note in plan.notes]
        + run.notes
        + [{"code": "setup_error", "detail": error} for error in verdict.setup_errors]
    )
    skills = {s.grade_id: s.skill for s in spec.cells}
    graded.tests = [_result(test, skills[test.grade_id]) for test in verdict.tests]
    for cell in plan.cells:
        if cell.spec is None:
            continue
        answered = planning.normalised(cell.source) != planning.normalised(
            cell.spec.released_source
        )
        if cell.role in ("manual", "task"):
            graded.manual.append(
                ManualItem(
                    cell.spec.grade_id,
                    float(cell.spec.points or 0),
                    answered or cell.role == "task",
                    cell.spec.skill,
                )
            )
        if cell.role in ("answer", "manual") and not answered:
            graded.unanswered.append(cell.spec.grade_id)
    return _notebook_json(spec, plan, run.outputs, graded), graded


def _refresh_answers(judge_dir: Path, answers: dict[str, object] | None) -> None:
    """Give the judge the answer store as the run left it (widgets driven by code add lines).

    Untrusted like every answer a trainee gives: only data files at safe paths are kept.
    """
    if answers is None:
        return
    folder = judge_dir / "answers"
    shutil.rmtree(folder, ignore_errors=True)
    for name, encoded in answers.items():
        relative = PurePosixPath(name)
        if (
            not isinstance(encoded, str)
            or relative.is_absolute()
            or ".." in relative.parts
            or not relative.parts
            or relative.suffix.lower() in IMPORTABLE_SUFFIXES
        ):
            continue
        try:
            data = base64.b64decode(encoded, validate=True)
        except ValueError:
            continue
        target = folder.joinpath(*relative.parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def _result(test: TestOutcome, skill: str) -> TestResult:
    return TestResult(
        test.grade_id, test.points, test.score, test.hidden_failure, test.message, test.trace, skill
    )


class _TraineeFunctionError(Exception):
    """A function the trainee wrote raised inside the sandbox (type and message kept)."""


class _Run:
    """The sandboxed execution of one plan, and the channel tests use to call back into it."""

    def __init__(self, job: Job, plan: Plan, stage: Path, work: Path) -> None:
        self.job, self.plan, self.stage, self.work = job, plan, stage, work
        self.effects: dict[str, dict] = {}
        self.outputs: dict[str, dict] = {}
        self.answers: dict[str, object] | None = None
        self.notes: list[dict] = []
        self.stopped_at: str | None = None
        self.ended: Status | None = None
        self.session: sandbox.Session | None = None
        cells = [c for c in plan.cells if c.runs_in_sandbox]
        self.cells = cells
        self.deadline = time.monotonic() + job.limits.wall_seconds(len(cells))

    def execute(self) -> None:
        limits = self.job.limits
        runner_plan = {
            "limits": limits.for_runner(len(self.cells)),
            "cells": [
                {"key": c.key, "source": c.source, "answer": c.trainee_code} for c in self.cells
            ],
        }
        self.session = sandbox.start(
            self.stage,
            runner_plan,
            limits,
            self.job.student,
            self.job.bwrap,
            list(self.job.forbidden),
            [],
            self.work,
        )
        current: str | None = None
        cell_deadline = time.monotonic() + limits.cell_timeout * 2  # start-up included
        try:
            while True:
                message = self.session.receive(min(cell_deadline, self.deadline))
                op = message["op"]
                if op == "start":
                    current = str(message.get("key"))
                    cell_deadline = time.monotonic() + limits.cell_timeout
                elif op == "done" and message.get("key") == current:
                    self._done(current, message)
                    current = None
                elif op == "finished":
                    if message.get("hooks_changed"):
                        self.notes.append({"code": "kernel_hooks_changed", "tampering": True})
                    if isinstance(message.get("answers"), dict):
                        self.answers = message["answers"]
                    return
        except sandbox.SessionTimeout:
            self._stop(Status.TIMED_OUT, current)
        except sandbox.SessionEnded:
            self._stop(Status.CRASHED, current)
        except sandbox.SessionViolation as exc:
            self._stop(Status.CRASHED, current, str(exc))

    def _done(self, key: str, message: dict) -> None:
        outputs = message.get("outputs")
        error = message.get("error")
        self.outputs[key] = {
            "outputs": outputs if isinstance(outputs, list) else [],
            "dropped": message.get("dropped", 0),
        }
        if isinstance(message.get("dropped"), int) and message["dropped"] > 0:
            self.notes.append({"code": "output_truncated", "detail": str(message["dropped"])})
        if isinstance(message.get("effects"), dict):
            self.effects[key] = message["effects"]
        if isinstance(error, dict) and error.get("ename") == "MemoryError":
            self.notes.append({"code": "memory_limit"})
            self.ended = self.ended or Status.CRASHED

    def _stop(self, status: Status, key: str | None, detail: str = "") -> None:
        self.ended = status
        self.stopped_at = key or self._next_key()
        code = "timed_out" if status is Status.TIMED_OUT else "kernel_died"
        self.notes.append({"code": code, "detail": detail})

    def _next_key(self) -> str | None:
        done = set(self.outputs)
        return next((c.key for c in self.cells if c.key not in done), None)

    def remote(self, name: str) -> object:
        return _RemoteFunction(self, name)

    def call(self, name: str, args: tuple, kwargs: dict) -> object:
        session = self.session
        if session is None or session.closed or self.ended in (Status.TIMED_OUT, Status.CRASHED):
            raise RuntimeError(t("grading.test.kernel_gone"))
        try:
            session.send(
                {
                    "op": "call",
                    "name": name,
                    "args": capture.encode(list(args)),
                    "kwargs": capture.encode(dict(kwargs)),
                }
            )
            deadline = min(time.monotonic() + self.job.limits.cell_timeout, self.deadline)
            message = session.receive(deadline)
        except sandbox.SessionTimeout:
            self._call_stopped(Status.TIMED_OUT)
            raise TimeoutError(f"{name} did not return in time") from None
        except (sandbox.SessionEnded, sandbox.SessionViolation):
            self._call_stopped(Status.CRASHED)
            raise RuntimeError(t("grading.test.kernel_gone")) from None
        if message.get("op") == "result":
            try:
                return capture.decode(message.get("value"))
            except capture.CaptureError as exc:
                return capture.Opaque("malformed", str(exc))
        ename, evalue = str(message.get("ename", "Error"))[:80], str(message.get("evalue", ""))
        raise _TraineeFunctionError(f"{ename}: {evalue[:300]}")

    def _call_stopped(self, status: Status) -> None:
        self.ended = self.ended or status
        self.notes.append(
            {
                "code": "timed_out" if status is Status.TIMED_OUT else "kernel_died",
                "detail": "during a test",
            }
        )

    def status(self, plan: Plan) -> Status:
        statuses = [Status.GRADED]
        if self.ended is not None:
            statuses.append(self.ended)
        if plan.tampered or any(note.get("tampering") for note in self.notes):
            statuses.append(Status.TAMPERED)
        return Status.worst(statuses)

    def close(self) -> None:
        if self.session is not None:
            self.session.close()


class _RemoteFunction:
    """Stands in, in the judge, for a function the trainee defined; calls it in the sandbox."""

    def __init__(self, run: _Run, name: str) -> None:
        self._run = run
        self._name = name

    def __call__(self, *args: object, **kwargs: object) -> object:
        return self._run.call(self._name, args, kwargs)

    def __repr__(self) -> str:
        return f"<trainee function {self._name}>"


def _notebook_json(
    spec: NotebookSpec, plan: Plan, outputs: dict[str, dict], graded: NotebookResult
) -> dict:
    """The autograded notebook, as nbgrader's formgrader expects it: canonical cells with the
    trainee's answers, sandbox outputs, and each failed test's (hidden-safe) error."""
    tests = {test.grade_id: test for test in graded.tests}
    cells = []
    for cell in plan.cells:
        node: dict = {
            "id": cell.key,
            "cell_type": cell.cell_type,
            "metadata": cell.metadata,
            "source": cell.source,
        }
        if cell.cell_type == "code":
            node["execution_count"] = None
            node["outputs"] = list(outputs.get(cell.key, {}).get("outputs", []))
            test = tests.get(cell.spec.grade_id) if cell.spec else None
            if cell.role == "test" and test is not None and test.score == 0 and test.points > 0:
                text = test.shown_message
                node["outputs"] = [
                    {
                        "output_type": "error",
                        "ename": "TestFailed",
                        "evalue": text,
                        "traceback": [text],
                    }
                ]
        cells.append(node)
    return {"cells": cells, "metadata": spec.metadata, "nbformat": 4, "nbformat_minor": 5}
