"""``workshop release``: nbgrader's generate_assignment and release_assignment, in process,
with a leak check between them (a release that shows solution code or hidden-test text
is removed and refused before it reaches the exchange), then every roster trainee's
own cases (:mod:`cadrelab.grading.case_handout`).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass

from cadrelab.errors import InputError
from cadrelab.grading.case_handout import write_cases
from cadrelab.grading.leaks import find_leaks, lesson_secrets
from cadrelab.grading.workshop import Workshop, nbgrader_failure
from cadrelab.i18n import t


@dataclass(frozen=True)
class Released:
    assignment: str
    notebooks: int
    exchange: bool
    trainees_with_cases: int


def release(workshop: Workshop, assignments: list[str], to_exchange: bool = True) -> list[Released]:
    api = workshop.api()
    workshop.secret()  # a workshop that lost its secret must not hand out anything
    done = []
    for assignment in assignments:
        workshop.require_assignment(assignment)
        source = workshop.source_dir / assignment
        result = api.generate_assignment(assignment, force=True, create=True)
        if not result["success"]:
            raise InputError(
                f"nbgrader could not generate the release: {nbgrader_failure(result)}", file=source
            )
        target = workshop.release_dir / assignment
        leaks = find_leaks(target, lesson_secrets(source))
        if leaks:
            shutil.rmtree(target, ignore_errors=True)
            leak = leaks[0]
            raise InputError(
                f"the release would show {leak.kind.replace('_', ' ')} text "
                f"{leak.line[:60]!r} (in {leak.file.name}); release removed",
                file=source,
                problem_vi=t("grading.release_leak", "vi", line=leak.line[:60]),
            )
        exchanged = False
        if to_exchange:
            result = api.release_assignment(assignment)
            if not result["success"]:
                raise InputError(
                    f"nbgrader could not release to the exchange: {nbgrader_failure(result)}",
                    file=workshop.exchange_root,
                )
            exchanged = True
        trainees = write_cases(workshop, assignment)
        done.append(Released(assignment, len(list(target.glob("*.ipynb"))), exchanged, trainees))
    return done
