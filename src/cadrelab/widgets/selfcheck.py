"""Instant self-checks for teaching notebooks, with graded hints that never give the answer away.

    from cadrelab.widgets import check
    check("dat-dai-01.thue-tncn", thue, expected=thue_dung, kind="money",
          hints=["Thuế TNCN là 2% giá chuyển nhượng.",
                 "Nếu giá hợp đồng thấp hơn giá theo bảng giá đất, dùng giá bảng giá."])

The first wrong try gets a hint; later tries a stronger one.  Text where a number is
expected, an impossible date, an empty answer or ``...`` get a friendly message.
Every answer is appended to the answer store (see :mod:`cadrelab.widgets.answers`).
Works in Jupyter (a coloured box), under nbgrader, and in plain Python (printed).
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

from cadrelab.data.seeds import check_exercise
from cadrelab.errors import InputError
from cadrelab.i18n import t
from cadrelab.widgets import feedback
from cadrelab.widgets.answers import record_answer
from cadrelab.widgets.compare import SCALAR_KINDS, Options, Outcome, compare, infer_kind
from cadrelab.widgets.parsing import AnswerFormatError, format_date, reject_blank

Checker = Callable[[object], bool | tuple[bool, str]]
Recorder = Callable[..., Path]
_MISSING = object()
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

    def __init__(self, record: Recorder | None = record_answer) -> None:
        self._record = record
        self._wrong_tries: dict[str, int] = {}

    def __call__(
        self,
        key: str,
        answer: object,
        expected: object = _MISSING,
        *,
        checker: Checker | None = None,
        kind: str | None = None,
        rel_tol: float = 1e-6,
        abs_tol: float = 0.0,
        ordered: bool | None = None,
        id_column: str | None = None,
        hints: Sequence[str] = (),
        show: bool = True,
    ) -> CheckResult:
        """Check ``answer`` for question ``key`` (``"<exercise>.<item>"``); show and store it.

        Give either ``expected`` (compared by ``kind``, inferred from it; ``"money"``
        compares whole đồng and must be named) or ``checker``, a function of the
        answer returning True/False or (True/False, hint).
        """
        exercise, item = split_key(key)
        if (expected is _MISSING) == (checker is None):
            raise ValueError("give exactly one of expected= or checker=")
        options = Options(rel_tol=rel_tol, abs_tol=abs_tol, ordered=ordered, id_column=id_column)
        try:
            if checker is not None:
                outcome = run_checker(checker, answer)
                hidden: tuple[str, ...] = ()
            else:
                kind = kind or infer_kind(expected)
                outcome = compare(kind, answer, expected, options)
                hidden = hidden_forms(expected) if kind in SCALAR_KINDS else ()
        except AnswerFormatError as exc:
            result = CheckResult(key, "invalid", t("widgets.check.invalid"), (exc.message_vi,))
            hidden = hidden_forms(expected) if expected is not _MISSING else ()
        else:
            result = self._judged(key, outcome, hints)
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


def judge(
    answer: object,
    expected: object,
    *,
    kind: str | None = None,
    rel_tol: float = 1e-6,
    abs_tol: float = 0.0,
    ordered: bool | None = None,
    id_column: str | None = None,
) -> bool:
    """Whether ``answer`` is right by the self-check's rules; False for unreadable answers.

    For graders: judge stored answers in the grader's own process, after the kernel is gone.
    """
    options = Options(rel_tol=rel_tol, abs_tol=abs_tol, ordered=ordered, id_column=id_column)
    try:
        return compare(kind or infer_kind(expected), answer, expected, options).ok
    except AnswerFormatError:
        return False


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
