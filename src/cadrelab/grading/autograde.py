"""``workshop autograde``: every submission of an assignment, in parallel, into one gradebook.

Workers (processes; default one per core) each grade one submission at a time
(:mod:`cadrelab.grading.pipeline`) and hand back plain data; this process is
the gradebook's only writer (SQLite has one) and commits each submission as it
arrives, then writes its record.  A record whose content hash matches the
submission (its files, the assignment's cells, the time limit, the grader
version) means the work is done, so an interrupted run picks up where it stopped
and a second run grades only what changed.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field
from pathlib import Path

from tqdm import tqdm

from cadrelab.grading import grade_records as results
from cadrelab.grading import pipeline as submission
from cadrelab.grading import sandbox
from cadrelab.grading.gradebook_writer import write_result
from cadrelab.grading.rebuild import NotebookSpec
from cadrelab.grading.released_notebooks import load_specs
from cadrelab.grading.workshop import Workshop

GRADER_VERSION = "cadrelab-autograde-1"


@dataclass
class Summary:
    assignment: str
    graded: int = 0
    skipped: int = 0
    statuses: Counter = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0


def content_hash(folder: Path, specs: dict[str, NotebookSpec], limits: sandbox.Limits) -> str:
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
    limits: sandbox.Limits,
    bwrap: str | None,
    force: bool = False,
) -> tuple[list[submission.Job], int, dict[str, NotebookSpec]]:
    """The submissions still to grade (and how many are already done)."""
    specs = load_specs(workshop, assignment)
    jobs, done = [], 0
    scratch = Path(tempfile.gettempdir())
    for student in submitted_students(workshop, assignment):
        folder = workshop.submitted_dir / student / assignment
        digest = content_hash(folder, specs, limits)
        record = results.load(results.record_path(workshop.results_dir, assignment, student))
        if not force and record is not None and record.content_hash == digest:
            done += 1
            continue
        jobs.append(
            submission.Job(
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
            )
        )
    return jobs, done, specs


def _pool(jobs: int) -> ProcessPoolExecutor:
    method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
    return ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context(method))


def autograde(
    workshop: Workshop,
    assignment: str,
    jobs: int | None = None,
    timeout: float = 30.0,
    unsafe: bool = False,
    progress: bool = True,
    force: bool = False,
) -> Summary:
    workshop.require_assignment(assignment)
    bwrap = sandbox.check_sandbox(unsafe)
    limits = sandbox.Limits(cell_timeout=float(timeout))
    started = time.monotonic()
    todo, done, specs = plan_jobs(workshop, assignment, limits, bwrap, force)
    summary = Summary(assignment, skipped=done)
    if todo:
        workers = max(1, min(jobs or os.cpu_count() or 1, len(todo)))
        with (
            workshop.gradebook() as gradebook,
            tqdm(
                total=len(todo),
                desc=assignment,
                unit="bài",
                disable=not progress,
                file=sys.stderr,
            ) as bar,
            _pool(workers) as pool,
        ):
            pending: dict[Future, submission.Job] = {
                pool.submit(submission.grade, job): job for job in todo
            }
            try:
                while pending:
                    finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                    for future in finished:
                        job = pending.pop(future)
                        _merge(workshop, gradebook, specs, job, future, summary)
                        bar.update(1)
            except BaseException:
                pool.shutdown(wait=False, cancel_futures=True)
                raise
    summary.seconds = round(time.monotonic() - started, 2)
    return summary


def _merge(
    workshop: Workshop,
    gradebook: object,
    specs: dict[str, NotebookSpec],
    job: submission.Job,
    future: Future,
    summary: Summary,
) -> None:
    try:
        result = future.result()
    except (Exception, BrokenProcessPool) as exc:  # a grader fault, not the trainee's
        summary.errors.append(f"{job.student}: {type(exc).__name__}: {exc}"[:300])
        return
    write_result(gradebook, result, specs)
    results.save(workshop.results_dir, result)
    summary.graded += 1
    summary.statuses[result.status] += 1
