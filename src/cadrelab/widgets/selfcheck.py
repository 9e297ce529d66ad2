"""Instant self-checks for teaching notebooks, with graded hints that never give the answer away.

    from cadrelab.widgets import check
    check("dat-dai-01.thue-hs2", thue_hs2)

The notebook names the question and hands over the answer, nothing else: how the
question is judged (the expected value computed from the trainee's own cases, the
kind of comparison, the hints) is registered in :mod:`cadrelab.checks.lessons`, out
of the notebook.  A question about values the notebook computed itself takes them
by name: ``check("mo-phong-01.tg-giai-quyet", tg_giai_quyet, kq=kq)``.

The comparison is :mod:`cadrelab.checks.compare`, the same one the exercises' hidden
tests use.  The first wrong try gets the question's first hint (which names the
method, never the value), later tries a stronger one and a sharper diagnosis (too
large, a day off, missing items).  Text where a number is expected, an impossible
date, an empty answer or ``...`` get a friendly message.  Every answer is appended
to the answer store (see :mod:`cadrelab.widgets.answers`).  Works in Jupyter (a
coloured box), under nbgrader, and in plain Python (printed).
"""

from __future__ import annotations

import datetime as dt
import numbers
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Literal

from cadrelab.checks.compare import SCALAR_KINDS, Outcome, compare, infer_kind
from cadrelab.checks.reading import AnswerFormatError, format_date, reject_blank
from cadrelab.checks.registry import LessonCheck, LessonData, lesson_check
from cadrelab.data.seeds import check_exercise
from cadrelab.errors import InputError
from cadrelab.i18n import t
from cadrelab.widgets import feedback
from cadrelab.widgets.answers import record_answer

Checker = Callable[[object], bool | tuple[bool, str]]
Recorder = Callable[..., Path]
HIDDEN = "…"


@dataclass
class CheckResult:
    """What a self-check decided and said.  Truthy when the answer is right."""

    key: str
    status: Literal["right", "wrong", "invalid"]
    title: str
    lines: tuple[str, ...]
    saved_to: Path | None = None
    _shown: bool = field(default=False, repr=False)

    @property
    def ok(self) -> bool:
        return self.status == "right"

    def __bool__(self) -> bool:
        return self.ok

    @property
    def text(self) -> str:
        return feedback.render_text(self.status, self.title, self.lines)

    def show(self) -> None:
        feedback.show(self.status, self.title, self.lines)
        self._shown = True

    def _ipython_display_(self) -> None:
        # check() has shown the feedback already; a result left as a cell's last
        # expression must not show it a second time.
        if not self._shown:
            self.show()


class SelfCheck:
    """Self-checks with their own count of wrong tries per question (one per kernel by default)."""

    def __init__(
        self,
        record: Recorder | None = record_answer,
        questions: Callable[[str], LessonCheck] = lesson_check,
    ) -> None:
        self._record = record
        self._questions = questions
        self._wrong_tries: dict[str, int] = {}

    def __call__(
        self, key: str, answer: object, *, show: bool = True, **given: object
    ) -> CheckResult:
        """Judge ``answer`` to question ``key`` (``"<exercise>.<item>"``); show and store it."""
        exercise, item = split_key(key)
        question = self._questions(key)
        missing = sorted(set(question.given) - set(given))
        if missing:
            raise TypeError(f"check({key!r}, ...) needs {', '.join(missing)}= as well")
        data = LessonData(given)
        hidden: tuple[str, ...] = ()
        try:
            if question.accept is not None:
                outcome = run_checker(lambda value: question.accept(value, data), answer)
            else:
                expected = question.expected(data)
                kind = question.kind or infer_kind(expected)
                hidden = hidden_forms(expected) if kind in SCALAR_KINDS else ()
                outcome = compare(kind, answer, expected, question.options)
        except AnswerFormatError as exc:
            result = CheckResult(key, "invalid", t("widgets.check.invalid"), (exc.message_vi,))
        else:
            result = self._judged(key, outcome, [t(hint) for hint in question.hints])
        result.lines = tuple(redact(line, hidden) for line in result.lines)
        result.saved_to, problem = self._save(exercise, item, answer, result)
        if problem:
            result.lines = (*result.lines, problem)
        if show:
            result.show()
        return result

    def wrong_tries(self, key: str) -> int:
        return self._wrong_tries.get(key, 0)

    def _judged(self, key: str, outcome: Outcome, hints: Sequence[str]) -> CheckResult:
        if outcome.ok:
            return CheckResult(key, "right", t("widgets.check.right"), outcome.notes)
        tries = self._wrong_tries[key] = self._wrong_tries.get(key, 0) + 1
        if hints:
            lead = hints[min(tries, len(hints)) - 1]
        else:
            lead = t("widgets.hint.first" if tries == 1 else "widgets.hint.again")
        diagnosis = outcome.gentle if tries == 1 else (*outcome.gentle, *outcome.strong)
        return CheckResult(
            key, "wrong", t("widgets.check.wrong"), (lead, *diagnosis, *outcome.notes)
        )

    def _save(
        self, exercise: str, item: str, answer: object, result: CheckResult
    ) -> tuple[Path | None, str]:
        if self._record is None:
            return None, ""
        try:
            return self._record(exercise, item, answer, correct=result.ok, source="check"), ""
        except InputError as exc:
            return None, exc.message_vi


def split_key(key: str) -> tuple[str, str]:
    """``"dat-dai-01.thue-tncn"`` → (exercise ``"dat-dai-01"``, item ``"thue-tncn"``)."""
    exercise, dot, item = key.partition(".") if isinstance(key, str) else ("", "", "")
    if not dot or not item:
        raise ValueError(
            f"a check key is '<exercise>.<item>', e.g. 'dat-dai-01.thue-tncn': {key!r}"
        )
    return check_exercise(exercise), item


def run_checker(checker: Checker, answer: object) -> Outcome:
    """Run an author's checker on the answer; its failures on odd input are the trainee's to fix."""
    reject_blank(answer)
    try:
        verdict = checker(answer)
    except AnswerFormatError:
        raise
    except Exception as exc:
        raise AnswerFormatError("widgets.check.checker_failed", error=type(exc).__name__) from None
    ok, hint = verdict if isinstance(verdict, tuple) else (verdict, "")
    return Outcome(bool(ok), (hint,) if hint and not ok else ())


# --- never show the expected value --------------------------------------------------------


def hidden_forms(expected: object) -> tuple[str, ...]:
    """The ways ``expected`` could be written, to be blanked out of any message."""
    if isinstance(expected, bool):
        return ()
    if isinstance(expected, dt.date):
        day = expected.date() if isinstance(expected, dt.datetime) else expected
        return (format_date(day), f"{day.day}/{day.month}/{day.year}", day.isoformat())
    if isinstance(expected, (numbers.Real, Decimal)):
        return _number_forms(expected)
    if isinstance(expected, str) and len(expected.strip()) >= 3:
        return (expected.strip(),)
    return ()


def _number_forms(number: numbers.Real | Decimal) -> tuple[str, ...]:
    value = float(number)
    forms = {repr(value), f"{value:g}", str(number)}
    if value.is_integer():
        whole = int(value)
        forms |= {str(whole), f"{whole:,}", f"{whole:,}".replace(",", ".")}
    else:
        forms |= {text.replace(".", ",") for text in list(forms)}
    return tuple(sorted(forms, key=len, reverse=True))


def redact(text: str, hidden: tuple[str, ...]) -> str:
    for form in hidden:
        pattern = rf"(?<![\w.,]){re.escape(form)}(?![\w]|[.,]\d)"
        text = re.sub(pattern, HIDDEN, text)
    return text


check = SelfCheck()
"""The notebook-wide self-check: ``check("<exercise>.<item>", answer, expected, ...)``."""
