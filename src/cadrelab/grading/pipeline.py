"""Grade one submission, stage by stage, the way nbgrader's preprocessors do one concern each.

1. :func:`stage_files` — the submission's regular files only (links, devices and
   folders posing as files refuse it), the released files restored over them, and
   the trainee's own cases regenerated from the workshop secret;
2. :func:`rebuild_notebook` — each notebook rebuilt from the gradebook's copy
   (:mod:`cadrelab.grading.rebuild`);
3. :func:`run_in_sandbox` — the trainee's cells run in the sandbox
   (:class:`SandboxRun`), their effects coming back as checked data;
4. :func:`judge` — the tests run in this process on that data
   (:mod:`cadrelab.grading.judge`);
5. :func:`write_graded_notebooks` — what nbgrader's formgrader shows, with outputs
   already sanitised and written answers escaped.

The gradebook is written by the main process (:mod:`cadrelab.grading.gradebook_writer`).
This is what one parallel worker does; it returns everything as plain data.
"""

from __future__ import annotations

import base64
import json
import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import nbformat

from cadrelab import atomic
from cadrelab.data.case_files import write_case_folder
from cadrelab.data.exercises import generate_cases
from cadrelab.grading import rebuild, sandbox, value_codec
from cadrelab.grading.defences import note, status_of
from cadrelab.grading.escaping import markdown_answer_safe
from cadrelab.grading.grade_records import (
    ManualItem,
    NotebookResult,
    Status,
    SubmissionResult,
    TestResult,
)
from cadrelab.grading.intake import Refused
from cadrelab.grading.judge import Judge, TestOutcome, Verdict
from cadrelab.grading.rebuild import NotebookSpec, Plan
from cadrelab.grading.resource_budget import Limits, budget_for
from cadrelab.grading.submission_folders import Limits as FolderLimits
from cadrelab.grading.submission_folders import copy_folder
from cadrelab.i18n import t

SKIPPED_FILES = ("timestamp.txt", "submission_secret.txt", ".ipynb_checkpoints", "__pycache__")
IMPORTABLE_SUFFIXES = {".py", ".pyc", ".pyo", ".pyd", ".so", ".pth", ".pyw"}
NO_SPACE = "No space left on device"
STARTUP_SECONDS = 60.0


@dataclass(frozen=True)
class Job:
    student: str
    assignment: str
    folder: Path
    release_folder: Path
    autograded_folder: Path
    specs: dict[str, NotebookSpec]
    limits: Limits
    bwrap: str | None
    forbidden: tuple[Path, ...]
    scratch: Path
    content_hash: str
    timestamp: str | None
    secret: bytes | None
    exercises: tuple[str, ...]


@dataclass(frozen=True)
class Staged:
    """Where a submission's files are: ``stage`` for the sandbox, ``judge`` for the tests."""

    submitted: Path
    stage: Path
    judge: Path
    cases: Path | None
    refused: Refused | None


def grade(job: Job) -> SubmissionResult:
    """Grade every notebook of the submission and write the autograded notebooks."""
    result = SubmissionResult(job.student, job.assignment, job.content_hash, job.timestamp)
    with tempfile.TemporaryDirectory(prefix="cadrelab-", dir=job.scratch) as tmp:
        staged = stage_files(job, Path(tmp))
        written: dict[str, dict] = {}
        for name, spec in sorted(job.specs.items()):
            started = time.monotonic()
            notebook, graded = grade_notebook(job, spec, staged, Path(tmp))
            graded.seconds = round(time.monotonic() - started, 3)
            result.notebooks.append(graded)
            written[name] = notebook
        write_graded_notebooks(job, staged, written)
    return result


# --- 1. stage the files ----------------------------------------------------------------


def stage_files(job: Job, work: Path) -> Staged:
    """Copy the submission (regular files only), restore the released files over it, and
    write the trainee's cases.  The judge gets the released files and the trainee's data
    files, never code the trainee could make the grader import."""
    submitted, stage, judge_dir = work / "submitted", work / "stage", work / "judge"
    for folder in (submitted, stage, judge_dir):
        folder.mkdir()
    refused = None
    try:
        copy_folder(job.folder, submitted, FolderLimits(), skip=lambda name: name in SKIPPED_FILES)
    except Refused as exc:
        refused = exc
        shutil.rmtree(submitted)
        submitted.mkdir()
    for path in _files(submitted):
        relative = path.relative_to(submitted)
        if path.suffix == ".ipynb":
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
    cases = None
    if job.exercises:
        cases = work / "cases"
        for exercise in job.exercises:
            generated = generate_cases(exercise, job.student, job.secret)
            write_case_folder(generated, cases / exercise, exercise=exercise, trainee=job.student)
    return Staged(submitted, stage, judge_dir, cases, refused)


def _files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return [p for p in sorted(folder.rglob("*")) if p.is_file() and not p.is_symlink()]


def _copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        target.unlink()
    shutil.copyfile(source, target)


def read_cells(path: Path) -> list[dict] | str:
    """The notebook's cells as dicts, or the defence code saying why it cannot be read.
    (Its size was bounded when the submission was staged.)"""
    try:
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


# --- 2-4. one notebook: rebuild, run, judge ----------------------------------------------


def grade_notebook(
    job: Job, spec: NotebookSpec, staged: Staged, work: Path
) -> tuple[dict, NotebookResult]:
    cells: list[dict] | str
    if staged.refused is not None:
        cells = staged.refused.code
    else:
        cells = read_cells(staged.submitted / f"{spec.name}.ipynb")
    if isinstance(cells, str):
        return _unreadable(spec, cells, staged.refused)
    plan = rebuild_notebook(spec, cells, job.limits)
    run = run_in_sandbox(job, plan, staged, work)
    try:
        verdict = judge(job, plan, run, staged)
    finally:
        run.close()
    notes = [note(n.code, n.detail, n.grade_id) for n in plan.notes]
    notes += run.notes + _verdict_notes(verdict)
    graded = NotebookResult(spec.name, Status.worst([Status.GRADED, *status_of(notes)]), notes)
    skills = {s.grade_id: s.skill for s in spec.cells}
    graded.tests = [_result(test, skills[test.grade_id], verdict) for test in verdict.tests]
    for cell in plan.cells:
        if cell.spec is None:
            continue
        answered = rebuild.normalised(cell.source) != rebuild.normalised(cell.spec.released_source)
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


def _unreadable(
    spec: NotebookSpec, code: str, refused: Refused | None
) -> tuple[dict, NotebookResult]:
    detail = refused.detail if refused is not None else ""
    graded = NotebookResult(spec.name, Status.INVALID, notes=[_intake_note(code, detail)])
    graded.tests = [
        TestResult(s.grade_id, float(s.points or 0), 0.0, False, "invalid_notebook", [], s.skill)
        for s in spec.tests
    ]
    graded.manual = [
        ManualItem(s.grade_id, float(s.points or 0), False, s.skill)
        for s in spec.cells
        if s.role in ("manual", "task")
    ]
    return _notebook_json(spec, rebuild.build(spec, []), {}, graded), graded


def _intake_note(code: str, detail: str) -> dict:
    from cadrelab.grading.defences import DEFENCES

    defence = DEFENCES.get(code)
    return {
        "code": code,
        "grade_id": "",
        "detail": detail[:300],
        "tampering": bool(defence and defence.tampering),
    }


def rebuild_notebook(spec: NotebookSpec, cells: list[dict], limits: Limits) -> Plan:
    """The cells to run and grade; past ``max_cells`` of the trainee's own, the rest are
    dropped (the time budget does not grow with the number of cells)."""
    plan = rebuild.build(spec, cells)
    free = [cell for cell in plan.cells if cell.role == "free"]
    if len(free) > limits.max_cells:
        dropped = {cell.key for cell in free[limits.max_cells :]}
        plan.cells = [cell for cell in plan.cells if cell.key not in dropped]
        plan.notes.append(rebuild.Note("too_many_cells", detail=str(len(free)), tampering=True))
    return plan


def run_in_sandbox(job: Job, plan: Plan, staged: Staged, work: Path) -> SandboxRun:
    run = SandboxRun(job, plan, staged, work)
    run.execute()
    return run


def judge(job: Job, plan: Plan, run: SandboxRun, staged: Staged) -> Verdict:
    _refresh_answers(staged.judge, run.answers)
    return Judge(staged.judge, job.student, run.remote, job.secret, run.rerun).verdict(
        plan, run.effects, run.stopped_at
    )


def _verdict_notes(verdict: Verdict) -> list[dict]:
    notes = [note("setup_error", error) for error in verdict.setup_errors]
    if verdict.grader_error:
        notes.append(note("grader_error", "; ".join(verdict.setup_errors)))
    if verdict.kept_out:
        notes.append(note("kept_out", ", ".join(sorted(set(verdict.kept_out)))))
    if verdict.undecodable:
        notes.append(note("undecodable", ", ".join(sorted(set(verdict.undecodable)))))
    return notes


def _result(test: TestOutcome, skill: str, verdict: Verdict) -> TestResult:
    message = "grader_error" if verdict.grader_error and not test.passed else test.message
    return TestResult(
        test.grade_id, test.points, test.score, test.hidden_failure, message, test.trace, skill
    )


def _refresh_answers(judge_dir: Path, answers: dict[str, str] | None) -> None:
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
            relative.is_absolute()
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


class TraineeCodeError(Exception):
    """The trainee's code raised inside the sandbox during a test (type and message kept)."""


class SandboxRun:
    """The sandboxed execution of one plan, and the channel tests use to call back into it."""

    def __init__(self, job: Job, plan: Plan, staged: Staged, work: Path) -> None:
        self.job, self.plan, self.staged, self.work = job, plan, staged, work
        self.effects: dict[str, dict] = {}
        self.outputs: dict[str, dict] = {}
        self.answers: dict[str, str] | None = None
        self.notes: list[dict] = []
        self.stopped_at: str | None = None
        self.ended: str | None = None  # the defence code that stopped the run
        self.session: sandbox.Session | None = None
        self.cells = [c for c in plan.cells if c.runs_in_sandbox]
        self.keys = {c.spec.grade_id: c.key for c in plan.cells if c.spec is not None}

    def execute(self) -> None:
        limits = self.job.limits
        budget = budget_for(limits)
        runner_plan = {
            "limits": limits.for_runner(tree_held=budget.kind != "watchdog"),
            "cells": [
                {"key": c.key, "source": c.source, "answer": c.trainee_code} for c in self.cells
            ],
        }
        self.session = sandbox.start(
            self.staged.stage,
            runner_plan,
            limits,
            self.job.student,
            self.job.bwrap,
            list(self.job.forbidden),
            self.staged.cases,
            self.work,
            budget,
        )
        # Python and IPython start before any trainee code runs: a loaded machine may take a
        # while, and nothing of the trainee's can use this time.
        deadline = time.monotonic() + max(limits.cell_timeout * 2, STARTUP_SECONDS)
        expected = iter([c.key for c in self.cells])
        current: str | None = None
        try:
            if self.session.receive(deadline)["op"] != "ready":
                raise sandbox.SessionViolation("did not start with ready")
            while True:
                message = self.session.receive(deadline)
                current = self._follow(message, current, expected)
                if message["op"] == "start":
                    deadline = time.monotonic() + limits.cell_timeout
                elif message["op"] == "finished":
                    if message["hooks_changed"]:
                        self.notes.append(note("kernel_hooks_changed"))
                    self.answers = message["answers"]
                    return
        except sandbox.SessionTimeout as exc:
            self._stop(f"{exc.limit}_time", current)
        except sandbox.SessionOverBudget as exc:
            self._stop(exc.limit, current)
        except sandbox.SessionEnded:
            self._stop("kernel_died", current)
        except sandbox.SessionViolation as exc:
            self.session.kill()
            self._stop("forged_message", current, str(exc))

    def _follow(self, message: dict, current: str | None, expected: Iterator[str]) -> str | None:
        """The runner's messages come in one order only: start and done for each cell in
        turn, then finished.  Anything else was forged by the trainee's code."""
        op = message["op"]
        if op == "start" and current is None and message["key"] == next(expected, None):
            return message["key"]
        if op == "done" and message["key"] == current:
            self._done(current, message)
            return None
        if op == "finished" and current is None and next(expected, None) is None:
            return None
        raise sandbox.SessionViolation(f"{op} out of turn")

    def _done(self, key: str, message: dict) -> None:
        self.outputs[key] = {"outputs": message["outputs"]}
        if message["dropped"] > 0:
            self.notes.append(note("output_truncated", str(message["dropped"])))
        if message["rejected"] > 0:
            self.notes.append(note("output_dropped", str(message["rejected"])))
        if "effects" in message:
            self.effects[key] = message["effects"]
        error = message["error"]
        if error is not None and error["ename"] == "MemoryError":
            self.notes.append(note("memory", "MemoryError in a cell"))
        if error is not None and NO_SPACE in error["evalue"]:
            self.notes.append(note("disk", error["evalue"]))

    def _stop(self, code: str, key: str | None, detail: str = "") -> None:
        self.ended = self.ended or code
        self.stopped_at = key or self._next_key()
        self.notes.append(note(code, detail))

    def _next_key(self) -> str | None:
        done = set(self.outputs)
        return next((c.key for c in self.cells if c.key not in done), None)

    # --- the judge's requests ----------------------------------------------------------

    def remote(self, name: str) -> object:
        return _RemoteFunction(self, name)

    def call(self, name: str, args: tuple, kwargs: dict) -> object:
        request = {
            "op": "call",
            "name": name,
            "args": value_codec.encode(list(args)),
            "kwargs": value_codec.encode(dict(kwargs)),
        }
        message = self._ask(request, name)
        if message["op"] == "result":
            try:
                return value_codec.decode(message["value"])
            except value_codec.CaptureError as exc:
                return value_codec.Opaque("malformed", str(exc))
        raise TraineeCodeError(f"{message['ename']}: {message['evalue']}")

    def rerun(self, grade_id: str, inputs: dict, files: dict[str, bytes], read: list[str]) -> dict:
        """Run the trainee's answer cell ``grade_id`` again on other data (see rerun.py)."""
        key = self.keys.get(grade_id)
        if key is None or key not in {c.key for c in self.cells}:
            raise ValueError(f"no answer cell {grade_id!r} to run again")
        request = {
            "op": "rerun",
            "key": key,
            "bind": value_codec.encode(inputs),
            "files": {name: base64.b64encode(data).decode("ascii") for name, data in files.items()},
            "read": read,
        }
        message = self._ask(request, grade_id)
        if message["op"] == "values":
            values = {}
            for name, data in message["values"].items():
                try:
                    values[name] = value_codec.decode(data)
                except value_codec.CaptureError as exc:
                    values[name] = value_codec.Opaque("malformed", str(exc))
            return values
        if message["op"] == "raised":
            raise TraineeCodeError(f"{message['ename']}: {message['evalue']}")
        raise TraineeCodeError("unexpected answer")

    def _ask(self, request: dict, what: str) -> dict:
        session = self.session
        if session is None or session.closed or self.ended is not None:
            raise RuntimeError(t("grading.test.kernel_gone"))
        try:
            session.send(request)
            message = session.receive(time.monotonic() + self.job.limits.cell_timeout)
        except sandbox.SessionTimeout as exc:
            self._stop_during_test(f"{exc.limit}_time")
            raise TimeoutError(f"{what} did not finish in time") from None
        except sandbox.SessionOverBudget as exc:
            self._stop_during_test(exc.limit)
            raise RuntimeError(t("grading.test.kernel_gone")) from None
        except sandbox.SessionViolation as exc:
            self._stop_during_test("forged_message", str(exc))
            raise RuntimeError(t("grading.test.kernel_gone")) from None
        except sandbox.SessionEnded:
            self._stop_during_test("kernel_died")
            raise RuntimeError(t("grading.test.kernel_gone")) from None
        if message["op"] not in ("result", "raised", "values"):
            session.kill()
            self._stop_during_test("forged_message", message["op"])
            raise RuntimeError(t("grading.test.kernel_gone"))
        return message

    def _stop_during_test(self, code: str, detail: str = "during a test") -> None:
        self.ended = self.ended or code
        self.notes.append(note(code, detail))

    def close(self) -> None:
        if self.session is not None:
            self.session.close()


class _RemoteFunction:
    """Stands in, in the judge, for a function the trainee defined; calls it in the sandbox."""

    def __init__(self, run: SandboxRun, name: str) -> None:
        self._run = run
        self._name = name

    def __call__(self, *args: object, **kwargs: object) -> object:
        return self._run.call(self._name, args, kwargs)

    def __repr__(self) -> str:
        return f"<trainee function {self._name}>"


# --- 5. write the graded notebooks ------------------------------------------------------


def write_graded_notebooks(job: Job, staged: Staged, notebooks: dict[str, dict]) -> None:
    """The autograded folder: the submission's data files and the graded notebooks."""
    with atomic.folder(job.autograded_folder) as out:
        shutil.copytree(staged.stage, out, dirs_exist_ok=True)
        for name, notebook in notebooks.items():
            (out / f"{name}.ipynb").write_text(
                json.dumps(notebook, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
            )
        if job.timestamp:
            (out / "timestamp.txt").write_text(job.timestamp, encoding="utf-8")


def _notebook_json(
    spec: NotebookSpec, plan: Plan, outputs: dict[str, dict], graded: NotebookResult
) -> dict:
    """The autograded notebook, as nbgrader's formgrader expects it: canonical cells with the
    trainee's answers (written answers escaped, so raw HTML shows as text), the sandbox's
    outputs as checked, and each failed test's (hidden-safe) message."""
    tests = {test.grade_id: test for test in graded.tests}
    cells = []
    for cell in plan.cells:
        source = cell.source
        if cell.cell_type == "markdown" and cell.role in ("manual", "free"):
            source = markdown_answer_safe(source)
        node: dict = {
            "id": cell.key,
            "cell_type": cell.cell_type,
            "metadata": cell.metadata,
            "source": source,
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
