"""The questions of the teaching notebooks, and how each is judged: one entry per question.

A teaching notebook holds no answer and no way to compute one: its practice cells
end with ``check("hoc-thu-tuc-01.ngay-hen", ngay_hen)``, and the entry registered
here under that key computes the expected value from the trainee's own cases (the
same ``load_cases`` the notebook called: practice cases in self-study, the handed-out
tables in a workshop), with the kind of comparison, its tolerances and hints that
name the method, never the value.  The trainee cannot read the expected value in
the notebook, and a teaching notebook never needs the defect truth: every expected
value is computed from the tables as an officer would.

An entry needs either ``expected`` (a function of the lesson's data giving the right
value) or ``accept`` (a rule the answer must follow, for questions without one right
value).  A question about values the notebook computed itself (a simulation run)
names them in ``given``; the notebook passes them: ``check(key, answer, kq=kq)``.

Adding a question is one entry (see :mod:`cadrelab.checks.lessons`) and one row of
hints in ``messages/checks.csv``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cadrelab.checks.compare import Options
from cadrelab.data import load_cases
from cadrelab.data.cases import Cases
from cadrelab.data.exercises import cases_folder
from cadrelab.data.seeds import trainee_id

Expected = Callable[["LessonData"], object]
Accept = Callable[[object, "LessonData"], "bool | tuple[bool, str]"]


@dataclass(frozen=True)
class LessonCheck:
    """One practice question of a teaching notebook."""

    key: str
    expected: Expected | None = None
    accept: Accept | None = None
    kind: str | None = None
    options: Options = field(default_factory=Options)
    hints: tuple[str, ...] = ()  # message keys, weakest first
    given: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if (self.expected is None) == (self.accept is None):
            raise ValueError(f"{self.key}: give exactly one of expected= or accept=")


@dataclass
class LessonData:
    """What an entry computes from: the trainee's cases and the values the notebook gave."""

    given: Mapping[str, Any] = field(default_factory=dict)

    def cases(self, exercise: str) -> Cases:
        return _cases(exercise, *_whose_cases())

    def __getitem__(self, name: str) -> Any:
        return self.given[name]


CHECKS: dict[str, LessonCheck] = {}


def register(*checks: LessonCheck) -> None:
    """Add questions to the registry; a key is registered once."""
    for check in checks:
        if check.key in CHECKS:
            raise ValueError(f"lesson check {check.key!r} is registered twice")
        CHECKS[check.key] = check


def lesson_checks() -> dict[str, LessonCheck]:
    """Every registered question, by key (the courses' entries register on first use)."""
    from cadrelab.checks import lessons  # noqa: F401

    return CHECKS


def lesson_check(key: str) -> LessonCheck:
    try:
        return lesson_checks()[key]
    except KeyError:
        raise KeyError(f"no lesson check is registered under {key!r}") from None


def _whose_cases() -> tuple[str, str]:
    """Who the cases are for and where they come from, as :func:`load_cases` decides."""
    return trainee_id(), str(cases_folder() or "")


@functools.lru_cache(maxsize=8)
def _cases(exercise: str, trainee: str, folder: str) -> Cases:
    """The cases, loaded once per kernel (entries only read them, never change them)."""
    return load_cases(exercise, trainee)
