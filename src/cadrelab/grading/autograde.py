"""``workshop autograde``: every submission of an assignment, in parallel, into one gradebook.

Workers (processes; default one per core) each grade one submission at a time
(:mod:`cadrelab.grading.pipeline`) and hand back plain data; this process is
the gradebook's only writer (SQLite has one) and commits each submission as it
arrives, then writes its record.  A record whose content hash matches the
submission (its files, the assignment's cells, the limits, the grader version)
means the work is done, so an interrupted run picks up where it stopped and a
second run grades only what changed.

Stopping: Ctrl-C kills the workers (their sandboxes die with them) and cancels every
submission not started; what was already graded stays graded.  Workers also die
within a second when this process is killed, and the next run removes the staging
folders and control groups a killed run left behind.  A worker that fails on a
submission is the grader's fault: the submission is recorded as ``grader_error``
(listed in the report, graded again by the next run), never given a silent zero.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import multiprocessing
import os
import shutil
import signal
import sys
import threading
import time
from collections import Counter
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field
from pathlib import Path

from tqdm import tqdm

from cadrelab.grading import grade_records, pipeline, sandbox
from cadrelab.grading.case_handout import assignment_exercises
from cadrelab.grading.defences import note
from cadrelab.grading.grade_records import (
    NotebookResult,
    Status,
    SubmissionResult,
    TestResult,
)
from cadrelab.grading.gradebook_writer import write_result
from cadrelab.grading.rebuild import NotebookSpec
from cadrelab.grading.released_notebooks import load_specs
from cadrelab.grading.resource_budget import Limits, remove_stale_groups
from cadrelab.grading.workshop import Workshop

GRADER_VERSION = "cadrelab-autograde-2"
STAGING = "staging"


@dataclass
class Summary:
    assignment: str
    graded: int = 0
    skipped: int = 0
    statuses: Counter = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0


def content_hash(folder: Path, specs: dict[str, NotebookSpec], limits: Limits) -> str:
    digest = hashlib.sha256(GRADER_VERSION.encode())
    digest.update(
        json.dumps(
            {name: asdict(spec) for name, spec in sorted(specs.items())},
            sort_keys=True,
            ensure_ascii=False,
            default=str,
        ).encode()
    )
    digest.update(json.dumps(asdict(limits), sort_keys=True).encode())
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_symlink():
            digest.update(str(path.relative_to(folder)).encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _timestamp(folder: Path) -> str | None:
    from nbgrader.utils import parse_utc

    path = folder / "timestamp.txt"
    try:
        text = path.read_text(encoding="utf-8").strip()
        parse_utc(text)
    except (OSError, ValueError, OverflowError):
        return None
    return text or None


def submitted_students(workshop: Workshop, assignment: str) -> list[str]:
    if not workshop.submitted_dir.is_dir():
        return []
    return sorted(p.name for p in workshop.submitted_dir.iterdir() if (p / assignment).is_dir())


def plan_jobs(
    workshop: Workshop,
    assignment: str,
    limits: Limits,
    bwrap: str | None,
    scratch: Path,
    force: bool = False,
) -> tuple[list[pipeline.Job], int, dict[str, NotebookSpec]]:
    """The submissions still to grade (and how many are already done)."""
    specs = load_specs(workshop, assignment)
    exercises = tuple(assignment_exercises(workshop, assignment))
    secret = workshop.secret() if exercises else None
    jobs, done = [], 0
    for student in submitted_students(workshop, assignment):
        folder = workshop.submitted_dir / student / assignment
        digest = content_hash(folder, specs, limits)
        record = grade_records.load(
            grade_records.record_path(workshop.results_dir, assignment, student)
        )
        if not force and record is not None and record.content_hash == digest:
            done += 1
            continue
        jobs.append(
            pipeline.Job(
                student=student,
                assignment=assignment,
                folder=folder,
                release_folder=workshop.release_dir / assignment,
                autograded_folder=workshop.autograded_dir / student / assignment,
                specs=specs,
                limits=limits,
                bwrap=bwrap,
                forbidden=(workshop.root, workshop.exchange_root),
                scratch=scratch,
                content_hash=digest,
                timestamp=_timestamp(folder),
                secret=secret,
                exercises=exercises,
            )
        )
    return jobs, done, specs


def _worker_start(main_pid: int) -> None:
    """In each worker: leave Ctrl-C to the main process, and die as soon as it is gone.

    A worker's parent is the fork server, not the main process, and the fork server lives
    as long as any worker does; so each worker watches the main process itself.  Its
    sandbox dies with it (bubblewrap's --die-with-parent)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_die_with, args=(main_pid,), daemon=True).start()


def _die_with(main_pid: int) -> None:
    while _alive(main_pid):
        time.sleep(0.5)
    os.kill(os.getpid(), signal.SIGKILL)


def _pool(jobs: int) -> ProcessPoolExecutor:
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        # Workers fork from a server that has already imported the pipeline (pandas, the
        # judge, the codec): each starts in milliseconds instead of seconds.
        context.set_forkserver_preload(["cadrelab.grading.pipeline"])
    else:
        context = multiprocessing.get_context("spawn")
    return ProcessPoolExecutor(
        max_workers=jobs, mp_context=context, initializer=_worker_start, initargs=(os.getpid(),)
    )


def _stop_workers(pool: ProcessPoolExecutor) -> None:
    """Kill the workers (their sandboxes die with them) and cancel what has not started.

    The workers are taken before ``shutdown``, which forgets them."""
    workers = list((getattr(pool, "_processes", None) or {}).values())
    for process in workers:
        with contextlib.suppress(OSError, AttributeError):
            process.kill()
    pool.shutdown(wait=False, cancel_futures=True)
    for process in workers:
        with contextlib.suppress(OSError, AttributeError, ValueError):
            process.join(timeout=5)


@contextlib.contextmanager
def _staging(workshop: Workshop):  # type: ignore[no-untyped-def]
    """A staging folder for this run; folders of runs that were killed are removed first."""
    root = workshop.state_dir / STAGING
    root.mkdir(parents=True, exist_ok=True)
    for old in root.glob("run-*"):
        pid = old.name.removeprefix("run-")
        if not pid.isdigit() or not _alive(int(pid)):
            shutil.rmtree(old, ignore_errors=True)
    remove_stale_groups()
    folder = root / f"run-{os.getpid()}"
    folder.mkdir(exist_ok=True)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def autograde(
    workshop: Workshop,
    assignment: str,
    jobs: int | None = None,
    timeout: float = 30.0,
    unsafe: bool = False,
    progress: bool = True,
    force: bool = False,
    submission_timeout: float = Limits.submission_seconds,
    limits: Limits | None = None,
) -> Summary:
    """Grade every submission of ``assignment``; ``limits`` (if given) replaces the limits
    built from ``timeout`` and ``submission_timeout``."""
    workshop.require_assignment(assignment)
    bwrap = sandbox.check_sandbox(unsafe)
    limits = limits or Limits(
        cell_timeout=float(timeout), submission_seconds=float(submission_timeout)
    )
    started = time.monotonic()
    with _staging(workshop) as scratch:
        todo, done, specs = plan_jobs(workshop, assignment, limits, bwrap, scratch, force)
        summary = Summary(assignment, skipped=done)
        if todo:
            _grade_all(workshop, specs, todo, jobs, progress, summary)
    summary.seconds = round(time.monotonic() - started, 2)
    return summary


def _grade_all(
    workshop: Workshop,
    specs: dict[str, NotebookSpec],
    todo: list[pipeline.Job],
    jobs: int | None,
    progress: bool,
    summary: Summary,
) -> None:
    workers = max(1, min(jobs or os.cpu_count() or 1, len(todo)))
    with (
        workshop.gradebook() as gradebook,
        tqdm(
            total=len(todo),
            desc=todo[0].assignment,
            unit="bài",
            disable=not progress,
            file=sys.stderr,
        ) as bar,
    ):
        pool = _pool(workers)
        pending: dict[Future, pipeline.Job] = {
            pool.submit(pipeline.grade, job): job for job in todo
        }
        try:
            while pending:
                finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in finished:
                    job = pending.pop(future)
                    _merge(workshop, gradebook, specs, job, future, summary)
                    bar.update(1)
        except BaseException:
            _stop_workers(pool)
            raise
        pool.shutdown(wait=True)


def _merge(
    workshop: Workshop,
    gradebook: object,
    specs: dict[str, NotebookSpec],
    job: pipeline.Job,
    future: Future,
    summary: Summary,
) -> None:
    try:
        result = future.result()
    except (Exception, BrokenProcessPool) as exc:  # the grader's fault, not the trainee's
        summary.errors.append(f"{job.student}: {type(exc).__name__}: {exc}"[:300])
        result = _grader_error(job, f"{type(exc).__name__}: {exc}")
        grade_records.save(workshop.results_dir, result)
        summary.statuses[result.status] += 1
        return
    write_result(gradebook, result, specs)
    grade_records.save(workshop.results_dir, result)
    summary.graded += 1
    summary.statuses[result.status] += 1


def _grader_error(job: pipeline.Job, detail: str) -> SubmissionResult:
    """The record of a submission the grader failed on: no score written to the gradebook,
    an empty content hash so the next run grades it again."""
    result = SubmissionResult(job.student, job.assignment, "", job.timestamp)
    for name, spec in sorted(job.specs.items()):
        notebook = NotebookResult(
            name,
            Status.GRADER_ERROR,
            notes=[note("grader_error", detail)],
        )
        notebook.tests = [
            TestResult(s.grade_id, float(s.points or 0), 0.0, False, "grader_error", [], s.skill)
            for s in spec.tests
        ]
        result.notebooks.append(notebook)
    return result
