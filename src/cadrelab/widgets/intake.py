"""The intake desk: citizens queue with dossiers; the trainee checks, decides and sets a date.

    from cadrelab.widgets import IntakeDesk
    desk = IntakeDesk(ho_so.head(8).to_dict("records"), exercise="thu-tuc-02")
    desk

For each citizen the trainee ticks the components handed over against the
procedure's list, chooses Tiếp nhận (receipt, with an appointment date), Yêu cầu
bổ sung (request to complete) or Từ chối (refusal), and confirms.  Every decision
goes to the answer store; a right one moves the queue on, a wrong one gets a hint
(stronger on the next try) and may be tried again or skipped.

The right decision follows the catalogue as in force on the receipt date: every listed
component handed over → receipt, due on :func:`cadrelab.calendar.deadline` of the
receipt time and the procedure's deadline (its days, their unit, the cut-off where the
law sets one); a component missing → request to complete; a dossier
with a ``refusal_reason`` → refusal.  The tracking book's ``status`` column is
ignored: it is what the trainee is asked to decide.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypedDict

import ipywidgets as w
import pandas as pd

from cadrelab import calendar, reference
from cadrelab.checks.reading import AnswerFormatError, format_date, parse_date
from cadrelab.errors import InputError
from cadrelab.i18n import t
from cadrelab.reference import is_optional_component
from cadrelab.widgets.answers import record_answer
from cadrelab.widgets.practice import PracticeQueue, QueueTexts, Unreadable

RECEIVE, COMPLETE, REFUSE = "tiep-nhan", "bo-sung", "tu-choi"
DECISIONS = (RECEIVE, COMPLETE, REFUSE)
COMPONENT_SEPARATOR = "; "
LABEL_STYLE = "text-align:left;padding-right:12px;white-space:nowrap"


@dataclass(frozen=True)
class IntakeCase:
    """One citizen at the desk: who, which procedure, what they handed over, when."""

    dossier_code: str
    applicant_name: str
    procedure_code: str
    procedure_name: str
    required: tuple[str, ...]
    submitted: tuple[str, ...]
    received_at: dt.datetime
    deadline_days: int
    deadline_unit: str = "working"
    cutoff: dt.time | None = None
    refusal_reason: str | None = None
    note: str | None = None

    @property
    def ticks(self) -> frozenset[str]:
        """The listed components the citizen handed over: what the trainee should tick."""
        return frozenset(self.required) & frozenset(self.submitted)

    @property
    def missing(self) -> tuple[str, ...]:
        """Required components not handed over; those marked "(nếu có)" may be absent."""
        return tuple(
            c for c in self.required if c not in self.submitted and not is_optional_component(c)
        )

    @property
    def decision(self) -> str:
        if self.refusal_reason:
            return REFUSE
        return COMPLETE if self.missing else RECEIVE

    @property
    def appointment(self) -> dt.date | None:
        """The appointment date on the receipt, from the working calendar; None if not received."""
        if self.decision != RECEIVE:
            return None
        return calendar.deadline(
            self.received_at, self.deadline_days, cutoff=self.cutoff, unit=self.deadline_unit
        )

    @property
    def counts_from_next_day(self) -> bool:
        """Received after the cut-off or on a day off: the count starts the next working day."""
        day = self.received_at.date()
        received = calendar.default_calendar().effective_receipt_day(
            self.received_at, cutoff=self.cutoff
        )
        return received != day


def intake_case(record: Mapping, procedures: Mapping[str, object] | None = None) -> IntakeCase:
    """An :class:`IntakeCase` from a dossier row (the columns of ``cadrelab.data`` dossiers).

    Needed: ``dossier_code``, ``procedure_code``, ``applicant_name``,
    ``components_submitted`` (a list or text joined by "; ") and ``received_at``;
    optional: ``refusal_reason``, ``note``.  The procedure's name, components and
    deadline come from ``procedures`` (code → row or dict), by default the reference
    catalogue as in force on the receipt date.
    """
    code = _text(record, "procedure_code")
    received = _moment(record.get("received_at"))
    procedure = _procedure(code, procedures, received)
    return IntakeCase(
        dossier_code=_text(record, "dossier_code"),
        applicant_name=_text(record, "applicant_name"),
        procedure_code=code,
        procedure_name=str(_get(procedure, "name_vi")),
        required=_components(_get(procedure, "components")),
        submitted=_components(record.get("components_submitted")),
        received_at=received,
        deadline_days=int(_get(procedure, "deadline_days")),
        deadline_unit=str(_get(procedure, "deadline_unit")),
        cutoff=_cutoff(procedure, received),
        refusal_reason=_optional_text(record.get("refusal_reason")),
        note=_optional_text(record.get("note")),
    )


def _procedure(code: str, procedures: Mapping[str, object] | None, received: dt.datetime) -> object:
    if procedures is None:
        return reference.procedure(code, on=received)
    if code not in procedures:
        raise InputError(f"unknown procedure code {code!r}", field="procedure_code")
    return procedures[code]


def _cutoff(procedure: object, received: dt.datetime) -> dt.time | None:
    """The cut-off the law sets for a catalogue procedure; a dict may give its own."""
    if isinstance(procedure, reference.Procedure):
        return calendar.cutoff_for(procedure, received)
    return procedure.get("cutoff") if isinstance(procedure, Mapping) else None


def _get(row: object, name: str) -> object:
    value = row.get(name) if isinstance(row, Mapping) else getattr(row, name, None)
    if value is None:
        raise InputError(f"the procedure has no {name}", field=name)
    return value


def _text(record: Mapping, name: str) -> str:
    value = record.get(name)
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"a dossier needs {name}", field=name)
    return value.strip()


def _is_blank(value: object) -> bool:
    return value is None or (pd.api.types.is_scalar(value) and pd.isna(value))


def _optional_text(value: object) -> str | None:
    return None if _is_blank(value) else (str(value).strip() or None)


def _components(value: object) -> tuple[str, ...]:
    if _is_blank(value):
        return ()
    items = value.split(COMPONENT_SEPARATOR) if isinstance(value, str) else list(value)
    return tuple(item.strip() for item in items if str(item).strip())


def _moment(value: object) -> dt.datetime:
    try:
        moment = pd.Timestamp(value)
    except (TypeError, ValueError):
        moment = pd.NaT
    if pd.isna(moment):
        raise InputError(f"received_at is not a date and time: {value!r}", field="received_at")
    return moment.to_pydatetime().replace(tzinfo=None)


# --- judging one decision -------------------------------------------------------------------


@dataclass(frozen=True)
class IntakeVerdict:
    """How one try at one dossier went, part by part (``date_ok`` None when no date applies)."""

    dossier_code: str
    ticks_ok: bool
    decision_ok: bool
    date_ok: bool | None
    lines: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return self.ticks_ok and self.decision_ok and self.date_ok is not False


def judge_intake(
    case: IntakeCase,
    ticked: Iterable[str],
    decision: str,
    appointment: dt.date | None,
    tries: int = 1,
) -> IntakeVerdict:
    """Judge one try; ``tries`` (1, 2, …) makes the hints stronger from the second try."""
    if decision not in DECISIONS:
        raise ValueError(f"decision must be one of {DECISIONS}, not {decision!r}")
    ticked = frozenset(ticked)
    strong = tries > 1
    ticks_ok = ticked == case.ticks
    decision_ok = decision == case.decision
    date_ok = None
    if decision == RECEIVE and case.decision == RECEIVE:
        date_ok = appointment == case.appointment
    lines = [
        _ticks_line(case, ticked, ticks_ok, strong),
        *_decision_lines(case, decision, decision_ok, strong),
    ]
    if date_ok is not None:
        lines.extend(_date_lines(case, appointment, date_ok, strong))
    return IntakeVerdict(case.dossier_code, ticks_ok, decision_ok, date_ok, tuple(lines))


def _ticks_line(case: IntakeCase, ticked: frozenset[str], ok: bool, strong: bool) -> str:
    if ok:
        return t("widgets.intake.ticks_ok")
    if not strong:
        return t("widgets.intake.ticks_wrong")
    order = {c: i for i, c in enumerate(case.required)}
    differ = sorted(ticked ^ case.ticks, key=lambda c: (order.get(c, len(order)), c))
    return t("widgets.intake.ticks_wrong_item", component=differ[0])


def _decision_lines(case: IntakeCase, decision: str, ok: bool, strong: bool) -> list[str]:
    if ok:
        return [t("widgets.intake.decision_ok", decision=t(f"widgets.intake.choice.{decision}"))]
    lines = [t("widgets.intake.decision_wrong")]
    if decision == REFUSE:
        lines.append(t("widgets.intake.hint.refuse_rarely"))
    elif case.decision == REFUSE:
        lines.append(t("widgets.intake.hint.read_note"))
    else:
        lines.append(t("widgets.intake.hint.compare_components"))
    if strong:
        if case.decision == REFUSE:
            lines.append(t("widgets.intake.hint.refusal", reason=case.refusal_reason))
        elif case.decision == COMPLETE:
            lines.append(t("widgets.intake.hint.incomplete"))
        else:
            lines.append(t("widgets.intake.hint.complete"))
    return lines


def _date_lines(case: IntakeCase, appointment: dt.date | None, ok: bool, strong: bool) -> list[str]:
    if ok:
        return [t("widgets.intake.date_ok")]
    cutoff = case.cutoff.strftime("%H:%M") if case.cutoff else None
    if cutoff:
        rule = t("widgets.intake.hint.date_rule", cutoff=cutoff)
    elif case.deadline_unit == "calendar":
        rule = t("widgets.intake.hint.date_rule_calendar")
    else:
        rule = t("widgets.intake.hint.date_rule_working")
    lines = [t("widgets.intake.date_wrong"), rule]
    if strong and appointment is not None:
        if not _is_working_day(appointment):
            lines.append(t("widgets.hint.day_off"))
        if case.counts_from_next_day and cutoff:
            lines.append(t("widgets.intake.hint.next_day", cutoff=cutoff))
        elif case.counts_from_next_day:
            lines.append(t("widgets.intake.hint.next_day_off"))
        later = appointment > case.appointment
        lines.append(t("widgets.hint.later" if later else "widgets.hint.earlier"))
    return lines


def _is_working_day(day: dt.date) -> bool:
    try:
        return calendar.is_working_day(day)
    except InputError:
        return False


# --- the screen -----------------------------------------------------------------------------


class IntakeAnswer(TypedDict):
    """One try at a dossier, as the answer store keeps it."""

    ticked: list[str]
    decision: str
    appointment: dt.date | None


class IntakeDesk(PracticeQueue[IntakeCase, IntakeAnswer, IntakeVerdict]):
    """The intake-desk screen over a queue of dossiers; drive it by hand or from code.

    Headless use (tests, or a trainee working in code)::

        citizen = desk.current
        procedure = reference.procedure(citizen.procedure_code, on=citizen.received_at)
        desk.tick(set(procedure.components_list) & set(citizen.submitted))
        desk.decide("tiep-nhan")
        desk.enter_date(calendar.due_date(procedure, citizen.received_at))
        verdict = desk.submit()

    A case also knows the right decision and date (``decision``, ``appointment``), which the
    desk judges by; they are for judging, and an exercise that grades the desk grades what
    the trainee decided, read back from the answer store.
    """

    TEXTS = QueueTexts.under("widgets.intake")
    CSS_CLASS = "cadrelab-intake-desk"
    SOURCE = "intake"
    SUBMIT_ICON = "check"

    def __init__(
        self,
        dossiers: Sequence[Mapping] | pd.DataFrame,
        *,
        exercise: str,
        procedures: Mapping[str, object] | None = None,
        folder: str | Path | None = None,
        record: Callable[..., Path] = record_answer,
    ) -> None:
        rows = dossiers.to_dict("records") if isinstance(dossiers, pd.DataFrame) else dossiers
        self._procedures = procedures
        super().__init__(rows, exercise=exercise, folder=folder, record=record)

    @property
    def cases(self) -> list[IntakeCase]:
        return self.items

    @property
    def case_view(self) -> w.HTML:
        return self.item_view

    def tick(self, components: Iterable[str]) -> None:
        """Tick exactly these components (others are unticked)."""
        wanted = set(components)
        unknown = wanted - set(self.checkboxes)
        if unknown:
            raise ValueError(f"not in this procedure's list: {sorted(unknown)}")
        for component, box in self.checkboxes.items():
            box.value = component in wanted

    def decide(self, decision: str) -> None:
        self.decision.value = decision

    def enter_date(self, day: dt.date | str) -> None:
        self.date_input.value = format_date(day) if isinstance(day, dt.date) else day

    # --- what the desk adds to the queue ----------------------------------------------------

    def _item(self, row: Mapping) -> IntakeCase:
        return intake_case(row, self._procedures)

    def _build_form(self) -> list[w.Widget]:
        self.checklist = w.VBox()
        self.checkboxes: dict[str, w.Checkbox] = {}
        self.decision = w.RadioButtons(
            options=[(t(f"widgets.intake.choice.{d}"), d) for d in DECISIONS],
            value=None,
            description=t("widgets.intake.decision"),
            style={"description_width": "initial"},
            layout=w.Layout(width="auto"),
        )
        self.date_input = w.Text(
            placeholder=t("widgets.intake.date_placeholder"),
            description=t("widgets.intake.date"),
            style={"description_width": "initial"},
            layout=w.Layout(width="420px"),
        )
        return [
            w.HTML(f"<b>{html.escape(t('widgets.intake.checklist'))}</b>"),
            self.checklist,
            self.decision,
            self.date_input,
        ]

    def _load_form(self, case: IntakeCase) -> None:
        self.checkboxes = {
            c: w.Checkbox(value=False, description=c, indent=False, layout=w.Layout(width="auto"))
            for c in case.required
        }
        self.checklist.children = tuple(self.checkboxes.values())
        self.decision.value = None
        self.date_input.value = ""

    def _close_form(self) -> None:
        self.checkboxes = {}
        self.checklist.children = ()
        self.decision.disabled = True
        self.date_input.disabled = True

    def _read(self, case: IntakeCase) -> IntakeAnswer:
        decision = self.decision.value
        if decision is None:
            raise Unreadable(t("widgets.intake.choose_decision"))
        appointment = None
        if decision == RECEIVE:
            try:
                appointment = parse_date(self.date_input.value)
            except AnswerFormatError as exc:
                raise Unreadable(exc.message_vi) from exc
        ticked = [c for c, box in self.checkboxes.items() if box.value]
        return {"ticked": ticked, "decision": decision, "appointment": appointment}

    def _judge(self, case: IntakeCase, answer: IntakeAnswer, tries: int) -> IntakeVerdict:
        return judge_intake(
            case, answer["ticked"], answer["decision"], answer["appointment"], tries
        )

    def _answer_id(self, case: IntakeCase) -> str:
        return case.dossier_code

    def _item_html(self, case: IntakeCase) -> str:
        return _case_html(case)

    def _wrong_title(self, case: IntakeCase) -> str:
        return t("widgets.intake.wrong", name=case.applicant_name)


def _case_html(case: IntakeCase) -> str:
    received = case.received_at
    when = t(
        "widgets.intake.when",
        time=received.strftime("%H:%M"),
        weekday=t(f"widgets.weekday.{received.weekday()}"),
        date=format_date(received.date()),
    )
    if case.deadline_days == 0:
        days = t("widgets.intake.same_day")
    elif case.deadline_unit == "working":
        days = t("widgets.intake.working_days", days=case.deadline_days)
    else:
        days = t("widgets.intake.calendar_days", days=case.deadline_days)
    rows = [
        (t("widgets.intake.applicant"), case.applicant_name),
        (t("widgets.intake.dossier"), case.dossier_code),
        (t("widgets.intake.procedure"), f"{case.procedure_name} ({case.procedure_code})"),
        (t("widgets.intake.deadline"), days),
        (t("widgets.intake.received"), when),
    ]
    if case.note:
        rows.append((t("widgets.intake.note"), case.note))
    table = "".join(
        f"<tr><th style='{LABEL_STYLE}'>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>"
        for k, v in rows
    )
    papers = "".join(f"<li>{html.escape(p)}</li>" for p in case.submitted)
    papers = papers or f"<li><i>{html.escape(t('widgets.intake.no_papers'))}</i></li>"
    return (
        f"<table>{table}</table>"
        f"<p style='margin:8px 0 2px'><b>{html.escape(t('widgets.intake.papers'))}</b></p>"
        f"<ul style='margin-top:0'>{papers}</ul>"
    )
