"""Autograde 100 submissions: cadrelab (parallel, sandboxed) against plain nbgrader, one run.

Both grade the same 100 submissions of one exercise of the fixture course
(``thuc-hanh-bai-02``: right, partly right, wrong and blank answers), each in its
own copy of the same workshop:

* ``cadrelab workshop autograde ASSIGNMENT --jobs N`` (bubblewrap sandbox on), and
* ``nbgrader autograde ASSIGNMENT`` (one process, one kernel per notebook, no sandbox).

Both commands are timed from the outside with ``time.perf_counter``, start-up
included.  The scores in the two gradebooks must be identical, cell by cell.  For
scale, the cost of starting a kernel and running a one-cell notebook with nbclient
is measured too, and each side's per-submission cost (wall time × workers /
submissions) is reported against it.  Prints a table and, last, one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from graders.fixtures import submissions as fixtures  # noqa: E402

ASSIGNMENT = "thuc-hanh-bai-02"
NOTEBOOK = "tong-hop-thu"
MIX = ("good", "good", "partly_wrong", "good", "wrong", "partly_wrong", "blank", "good")
TARGET = 4.0


def _env() -> dict[str, str]:
    bin_dir = str(Path(sys.executable).parent)
    return {**os.environ, "PATH": f"{bin_dir}:{os.environ.get('PATH', '')}"}


def _run(command: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=_env(), capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{command[0]} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return elapsed


def prepare(root: Path, count: int) -> tuple[Path, Path]:
    """The workshop with ``count`` submissions, and a copy of it for nbgrader."""
    cadrelab = [str(Path(sys.executable).parent / "cadrelab")]
    ours = root / "cadrelab"
    _run([*cadrelab, "workshop", "init", str(ours), "--courses", str(fixtures.COURSES)], root)
    _run([*cadrelab, "workshop", "release", ASSIGNMENT, "--dir", str(ours)], root)
    release = ours / "release" / ASSIGNMENT
    released = json.loads((release / f"{NOTEBOOK}.ipynb").read_text(encoding="utf-8"))
    kinds = fixtures.load_kinds()[ASSIGNMENT]["kinds"]
    for n in range(count):
        folder = ours / "submitted" / f"hv{n:03d}" / ASSIGNMENT
        folder.mkdir(parents=True)
        notebook = fixtures.build_notebook(released, kinds[MIX[n % len(MIX)]])
        (folder / f"{NOTEBOOK}.ipynb").write_bytes(notebook)
    theirs = root / "nbgrader"
    shutil.copytree(ours, theirs)
    config = theirs / "nbgrader_config.py"
    config.write_text(
        config.read_text(encoding="utf-8").replace(str(ours), str(theirs)), encoding="utf-8"
    )
    return ours, theirs


def scores(root: Path) -> dict[tuple[str, str], float]:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{root / 'gradebook.db'}", "cadrelab") as gradebook:
        return {
            (s.student.id, g.name): float(g.score)
            for s in gradebook.assignment_submissions(ASSIGNMENT)
            for nb in s.notebooks
            for g in nb.grades
        }


def kernel_one_cell(repeats: int) -> float:
    """Median seconds to start a kernel and run ``1 + 1`` with nbclient."""
    import nbformat
    from nbclient import NotebookClient

    times = []
    for _ in range(repeats):
        notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1")])
        started = time.perf_counter()
        NotebookClient(notebook, kernel_name="python3", timeout=60).execute()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=100)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    os.environ["PATH"] = _env()["PATH"]

    with tempfile.TemporaryDirectory(prefix="bench-autograde-") as tmp:
        ours, theirs = prepare(Path(tmp), args.submissions)
        cadrelab = [
            str(Path(sys.executable).parent / "cadrelab"),
            "workshop",
            "autograde",
            ASSIGNMENT,
            "--jobs",
            str(args.jobs),
            "--dir",
            str(ours),
        ]
        nbgrader = [str(Path(sys.executable).parent / "nbgrader"), "autograde", ASSIGNMENT]
        ours_s = _run(cadrelab, ours)
        theirs_s = _run(nbgrader, theirs)
        ours_scores, theirs_scores = scores(ours), scores(theirs)
        kernel_s = kernel_one_cell(5)

    identical = ours_scores == theirs_scores and len(ours_scores) > 0
    n = args.submissions
    speedup = theirs_s / ours_s
    ours_each = ours_s * args.jobs / n
    theirs_each = theirs_s / n
    rows = [
        (f"cadrelab autograde --jobs {args.jobs} (sandbox)", ours_s, ours_each),
        ("nbgrader autograde", theirs_s, theirs_each),
    ]
    print(f"{'grader':40} {'total s':>9} {'s/submission/worker':>20} {'× kernel+1 cell':>16}")
    for name, total, each in rows:
        print(f"{name:40} {total:9.2f} {each:20.3f} {each / kernel_s:16.2f}")
    print(f"{'nbclient: start kernel, run 1 cell':40} {'':>9} {kernel_s:20.3f} {1:16.2f}")
    print(
        f"speedup {speedup:.2f}× (target ≥ {TARGET}×); scores identical: {identical} "
        f"({len(ours_scores)} grades)"
    )
    print(
        json.dumps(
            {
                "benchmark": "autograde",
                "submissions": n,
                "jobs": args.jobs,
                "cadrelab_seconds": round(ours_s, 2),
                "nbgrader_seconds": round(theirs_s, 2),
                "speedup": round(speedup, 2),
                "target_speedup": TARGET,
                "target_met": speedup >= TARGET,
                "cadrelab_seconds_per_submission_per_worker": round(ours_each, 3),
                "nbgrader_seconds_per_submission": round(theirs_each, 3),
                "kernel_one_cell_seconds": round(kernel_s, 3),
                "scores_identical": identical,
            }
        )
    )
    return 0 if identical else 1


if __name__ == "__main__":
    sys.exit(main())
