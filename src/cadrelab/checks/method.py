"""Grade the method, not only the answer: hidden tests re-run an answer cell on fresh cases.

A typed-in literal, or a shortcut that ignores what the question hands over (the
table already loaded instead of the file, a column the question says was removed),
gives the right value once.  Run again on fresh cases of the same exercise, it gives
the wrong one.  A hidden test makes the fresh cases, re-runs the trainee's cell on
them and compares with what it computes itself::

    from cadrelab.checks.method import fresh_cases as _moi, rerun_answer as _lai
    _ds = _moi("nhap-mon-01")["dossiers"]
    _kq = _lai("cau-2", inputs={"ds": _ds}, read=["so_dat_dai"])
    assert _kq is None or _kq.get("so_dat_dai") == (_ds["field"] == "land").sum()

A question that builds on an earlier answer gets the correct intermediate result as
an input computed from the fresh cases, so one mistake costs one question.  Only
inputs travel into the sandbox, never the expected value.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from cadrelab.data import load_cases
from cadrelab.data.cases import Cases
from cadrelab.grading.rerun import RerunUnavailable, rerun

FRESH_TRAINEE = "cham-lai-{}"


def fresh_cases(exercise: str, variant: int = 1) -> Cases:
    """Cases of ``exercise`` that belong to no trainee, of the same shape as a trainee's.

    In the grader they derive from the workshop secret like every trainee's (so nobody
    can compute them beforehand); in an author's own run of a source notebook they are
    practice cases.
    """
    return load_cases(exercise, FRESH_TRAINEE.format(variant))


def fresh_cases_unlike(exercise: str, answer: Callable[[Cases], object], tries: int = 8) -> Cases:
    """Fresh cases on which ``answer`` differs from its value on the trainee's own cases.

    For an answer with few possible values (a count of some dozens), fresh cases give the
    trainee's own value now and then, and a value typed in would pass the re-run; these
    never do (unless ``tries`` variants all agree, when the last is returned)."""
    own = answer(load_cases(exercise))
    for variant in range(1, tries + 1):
        cases = fresh_cases(exercise, variant)
        if answer(cases) != own:
            break
    return cases


def rerun_answer(
    grade_id: str,
    *,
    inputs: dict | None = None,
    files: dict | None = None,
    read: Iterable[str],
) -> dict[str, object] | None:
    """The names in ``read`` after answer cell ``grade_id`` ran again on ``inputs`` and
    ``files``; None outside the grader (an author running the source notebook), where
    there is no trainee cell to run again.  A cell that fails gives an empty dict."""
    try:
        return rerun(grade_id, inputs=inputs, files=files, read=list(read))
    except RerunUnavailable:
        return None
    except Exception:  # the trainee's cell failed on the fresh cases
        return {}
