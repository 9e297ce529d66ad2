"""Hand each trainee their own cases: folders derived from the workshop secret, never the secret.

``release`` writes, for every roster trainee and every exercise an assignment's
notebooks load, ``DIR/cases/<trainee>/<exercise>/`` (tables and manifest, no ground
truth; :mod:`cadrelab.data.case_files`).  How the folder reaches the trainee:

* on a hub, the spawn hook copies ``DIR/cases/<user>/`` into the trainee's home and
  points ``CADRELAB_CASES_DIR`` at it;
* on laptops or Binder-like servers, ``workshop handout`` writes one zip per trainee
  holding the released notebooks and a ``du-lieu-rieng/`` folder beside them;
* in the grading sandbox, the grader regenerates the same folder for the submission.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from cadrelab import atomic
from cadrelab.data.case_files import write_case_folder
from cadrelab.data.exercises import HANDOUT_FOLDER, generate_cases
from cadrelab.data.seeds import normalise_trainee_id
from cadrelab.errors import InputError
from cadrelab.grading.lessons import exercises_used
from cadrelab.grading.roster import load_roster
from cadrelab.grading.workshop import Workshop
from cadrelab.i18n import t

CASES_FOLDER = "cases"
ZIP_TIME = (2025, 7, 1, 0, 0, 0)  # fixed member times: the same cases give the same zip


def assignment_exercises(workshop: Workshop, assignment: str) -> list[str]:
    return exercises_used(workshop.source_dir / workshop.require_assignment(assignment))


def trainee_cases_dir(workshop: Workshop, trainee: str) -> Path:
    return workshop.root / CASES_FOLDER / normalise_trainee_id(trainee)


def write_trainee_cases(workshop: Workshop, assignment: str, trainee: str, target: Path) -> None:
    """The case folders of ``assignment`` for ``trainee`` under ``target`` (one per exercise)."""
    secret = workshop.secret()
    who = normalise_trainee_id(trainee)
    for exercise in assignment_exercises(workshop, assignment):
        cases = generate_cases(exercise, who, secret)
        write_case_folder(cases, target / exercise, exercise=exercise, trainee=who)


def write_cases(workshop: Workshop, assignment: str) -> int:
    """Write every roster trainee's cases of ``assignment``; returns how many trainees."""
    if not assignment_exercises(workshop, assignment):
        return 0
    trainees = [trainee.id for trainee in load_roster(workshop)]
    if not trainees:
        raise InputError(
            "the roster is empty: import it first (cadrelab workshop roster import FILE), "
            "so every trainee gets their own cases",
            file=workshop.root,
            problem_vi=t("grading.roster_empty", "vi"),
        )
    for trainee in trainees:
        write_trainee_cases(workshop, assignment, trainee, trainee_cases_dir(workshop, trainee))
    return len(trainees)


def write_handout(workshop: Workshop, assignment: str, out_dir: Path) -> list[Path]:
    """One zip per roster trainee: the released assignment and the trainee's own cases."""
    release = workshop.release_dir / workshop.require_assignment(assignment)
    if not release.is_dir():
        raise InputError("release the assignment first (cadrelab workshop release)", file=release)
    exercises = assignment_exercises(workshop, assignment)
    written = []
    for trainee in load_roster(workshop):
        cases = trainee_cases_dir(workshop, trainee.id)
        folders = [(release, assignment)] + [
            (cases / name, f"{assignment}/{HANDOUT_FOLDER}/{name}") for name in exercises
        ]
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for root, prefix in folders:
                if not root.is_dir():
                    raise InputError("cases not written yet: release again", file=root)
                for path in sorted(p for p in root.rglob("*") if p.is_file()):
                    member = f"{prefix}/{path.relative_to(root).as_posix()}"
                    info = zipfile.ZipInfo(member, ZIP_TIME)
                    info.compress_type = zipfile.ZIP_DEFLATED
                    archive.writestr(info, path.read_bytes())
        target = out_dir / f"{assignment}-{trainee.id}.zip"
        atomic.write_bytes(target, buffer.getvalue())
        written.append(target)
    return written
