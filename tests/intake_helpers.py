"""A released fixture workshop and a filled-in assignment folder, for collect and export tests."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

from cadrelab.cli import main
from cadrelab.grading.submission_codes import submission_code
from cadrelab.grading.workshop import Workshop
from graders.fixtures import hostile_intake
from graders.fixtures import submissions as fixtures
from tests.conftest import REPO, VENV_BIN

ASSIGNMENT = "thuc-hanh-bai-01"
NOTEBOOK = "so-theo-doi"
# A whole class's collect must finish well within this (a hang guard, not a speed target:
# the timings are in benchmarks/).
CLASS_RUN_SECONDS = 180


def released_workshop(root: Path, roster: list[tuple[str, str]]) -> Workshop:
    """A workshop of the fixture course with ``roster`` (id, full name), every lesson released."""
    assert main(["workshop", "init", str(root), "--courses", str(fixtures.COURSES)]) == 0
    sheet = root.parent / f"{root.name}-ds.csv"
    with sheet.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["ma_hoc_vien", "ho_ten", "don_vi"])
        for trainee, name in roster:
            writer.writerow([trainee, name, "Xã Tân Lập"])
    assert main(["workshop", "roster", "import", str(sheet), "--dir", str(root)]) == 0
    assert main(["workshop", "release", "--all", "--dir", str(root)]) == 0
    return Workshop.open(root)


def filled_folder(workshop: Workshop, target: Path, kind: str = "good") -> Path:
    """A trainee's copy of the released assignment with ``kind``'s answers typed in."""
    fixtures.write_submission(
        workshop.release_dir / ASSIGNMENT,
        target,
        NOTEBOOK,
        fixtures.load_kinds()[ASSIGNMENT]["kinds"][kind],
    )
    return target


def maker(workshop: Workshop, work: Path, trainee: str, other: str) -> hostile_intake.Maker:
    secret = workshop.secret()
    return hostile_intake.Maker(
        work, ASSIGNMENT, trainee, other, lambda who: submission_code(secret, who)
    )


def run_cli(*argv: object, timeout: float = CLASS_RUN_SECONDS) -> subprocess.CompletedProcess:
    """``cadrelab`` in its own process, as a trainer runs it (killed past ``timeout``)."""
    return subprocess.run(
        [str(VENV_BIN / "cadrelab"), *map(str, argv)],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=REPO,
        env={**os.environ, "CADRELAB_LANG": "vi"},
        check=False,
    )


def run_python(code: str, timeout: float = CLASS_RUN_SECONDS) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=REPO,
        check=False,
    )
