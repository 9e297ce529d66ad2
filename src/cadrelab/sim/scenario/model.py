"""A staffing scenario: who works, what arrives, how the queue is ordered.

The key names are the interface of the YAML files under ``simulations/``; every
model is frozen and rejects unknown keys, so a typo is an error, not a silently
ignored setting.  Problems that involve more than one key (a role no one holds,
shares that do not add up, an unknown procedure code) are checked here too and
reported with their key path.  Files, ``extends:`` and error messages with the
file name are in :mod:`cadrelab.sim.scenario.files`; route step kinds (work at a
desk, time outside the commune) in :mod:`cadrelab.sim.engine.steps`.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from cadrelab import calendar
from cadrelab.sim.engine.steps import DeskStep, ExternalStep, Identifier, Outside, Step
from cadrelab.sim.scenario import catalogue
from cadrelab.sim.scenario.problems import problem

__all__ = ["DeskStep", "ExternalStep", "Identifier", "Outside", "Scenario", "Step"]
Probability = Annotated[float, Field(strict=True, ge=0, le=1)]
Weight = Annotated[float, Field(strict=True, ge=0, le=1_000)]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

#: Upper bounds that keep a typing error from turning into a run that never ends.
MAX_ARRIVALS_PER_DAY = 20_000.0
MAX_HORIZON_DAYS = 3_660
MAX_REPLICATIONS = 1_000
MAX_DEADLINE_WORKING_DAYS = 250

_HOURS = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)$")


class Model(BaseModel):
    model_config = ConfigDict(
        frozen=True, extra="forbid", allow_inf_nan=False, str_strip_whitespace=True
    )


class Period(Model):
    """An absence from ``start`` to ``end``, both days included."""

    start: dt.date
    end: dt.date

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        if self.end < self.start:
            raise problem("sim.error.period_order", "end", start=self.start, end=self.end)
        return self


class Absence(Model):
    """Days an officer is away: at random (a daily probability) or known in advance."""

    daily_probability: Annotated[float, Field(strict=True, ge=0, lt=1)] = 0.0
    dates: tuple[dt.date, ...] = Field(default=(), max_length=4_000)
    periods: tuple[Period, ...] = Field(default=(), max_length=400)

    def covers(self, day: dt.date) -> bool:
        return day in self.dates or any(p.start <= day <= p.end for p in self.periods)


class Officer(Model):
    """A member of staff and the roles they hold, primary role first (kiêm nhiệm after it).

    Working time: the office sessions of working days, cut to ``hours`` when given
    (e.g. a leader's signing rounds); with ``fte`` below 1 the officer works the first
    ``fte`` share of each of those windows (0.5: 7:00–9:15 and 13:30–15:15).
    """

    id: Identifier
    name_vi: str | None = Field(default=None, max_length=200)
    roles: tuple[Identifier, ...] = Field(min_length=1, max_length=50)
    fte: Annotated[float, Field(strict=True, gt=0, le=1)] = 1.0
    hours: tuple[str, ...] | None = Field(default=None, min_length=1, max_length=24)
    absence: Absence = Absence()

    @field_validator("hours")
    @classmethod
    def _hours_are_windows(cls, hours: tuple[str, ...] | None) -> tuple[str, ...] | None:
        for index, window in enumerate(hours or ()):
            match = _HOURS.match(window)
            if not match or _window_minutes(window)[1] <= _window_minutes(window)[0]:
                raise problem("sim.error.hours", index, value=window)
        return hours

    @property
    def hour_windows(self) -> tuple[tuple[float, float], ...] | None:
        """Working windows in minutes after midnight, or None for the office's full hours."""
        return None if self.hours is None else tuple(_window_minutes(h) for h in self.hours)


def _window_minutes(window: str) -> tuple[float, float]:
    match = _HOURS.match(window)
    start = int(match[1]) * 60 + int(match[2])
    end = int(match[3]) * 60 + int(match[4])
    return float(start), float(min(end, 1440))


class Profile(Model):
    """Relative arrival weights by hour of day and by weekday (default: flat)."""

    hours: dict[Annotated[int, Field(ge=0, le=23)], Weight] | None = None
    weekdays: dict[Weekday, Weight] | None = None

    @model_validator(mode="after")
    def _some_weight(self) -> Profile:
        if self.hours is not None and not any(self.hours.values()):
            raise problem("sim.error.profile_zero", "hours")
        if self.weekdays is not None and not any(self.weekdays.get(d, 1.0) for d in WEEKDAYS[:5]):
            raise problem("sim.error.profile_zero", "weekdays")
        return self

    def hour_weight(self, hour: int) -> float:
        return 1.0 if self.hours is None else self.hours.get(hour, 0.0)

    def weekday_weight(self, weekday: int) -> float:
        """Weight of a weekday (0 = Monday), scaled so Monday to Friday average 1."""
        if self.weekdays is None:
            return 1.0
        raw = [self.weekdays.get(d, 1.0) for d in WEEKDAYS]
        return raw[weekday] / (sum(raw[:5]) / 5)


FLAT = Profile()


class Procedure(Model):
    """A procedure type: its demand, its route (desk steps and outside steps) and its deadline.

    The deadline comes from the procedure catalogue unless ``deadline_working_days``
    or ``deadline_calendar_days`` states one (for a procedure of the scenario's own).
    """

    code: Identifier
    name_vi: str | None = Field(default=None, max_length=300)
    arrivals_per_day: Annotated[float, Field(strict=True, ge=0, le=MAX_ARRIVALS_PER_DAY)] | None = (
        None
    )
    share: Probability | None = None
    online_share: Probability | None = None
    profile: Profile | None = None
    deadline_working_days: (
        Annotated[int, Field(strict=True, ge=0, le=MAX_DEADLINE_WORKING_DAYS)] | None
    ) = None
    deadline_calendar_days: (
        Annotated[int, Field(strict=True, ge=0, le=MAX_DEADLINE_WORKING_DAYS)] | None
    ) = None
    steps: tuple[Step, ...] = Field(min_length=1, max_length=50)

    @model_validator(mode="after")
    def _one_demand(self) -> Procedure:
        if (self.arrivals_per_day is None) == (self.share is None):
            raise problem("sim.error.demand_one_of", "arrivals_per_day")
        if self.deadline_working_days is not None and self.deadline_calendar_days is not None:
            raise problem("sim.error.deadline_one_of", "deadline_calendar_days")
        for online, channel in ((False, "in_person"), (True, "online")):
            if not any(step.taken_by(online) for step in self.steps):
                raise problem("sim.error.no_step_for_channel", "steps", channel=channel)
        return self


class Demand(Model):
    """Dossiers per working day shared out by each procedure's ``share``; default online share."""

    arrivals_per_day: Annotated[float, Field(strict=True, ge=0, le=MAX_ARRIVALS_PER_DAY)]
    online_share: Probability = 0.0
    profile: Profile | None = None


class ReceptionSupport(Model):
    """Volunteers or a community digital team at the desk of ``role``.

    They shorten that role's steps for citizens who come in person
    (``time_factor``) and help a share of them submit online instead
    (``online_share_increase``, added to the online share of every procedure
    that can be submitted online, that is whose online share is above 0).
    """

    role: Identifier
    name_vi: str | None = Field(default=None, max_length=200)
    time_factor: Annotated[float, Field(strict=True, gt=0, le=1)] = 1.0
    online_share_increase: Probability = 0.0


class Policies(Model):
    """Queue discipline, rounds of work and reception support.

    ``batch_roles``: roles whose officers work in rounds, like a leader signing a
    stack: they take every step waiting in the role's queue at once, do them one
    after another, and pass the whole stack on when the round is done.
    """

    queue: Literal["fifo", "edf"] = "fifo"
    batch_roles: tuple[Identifier, ...] = Field(default=(), max_length=100)
    reception_support: ReceptionSupport | None = None


class Scenario(Model):
    """A whole scenario; see ``simulations/baseline.yaml`` for a commented example."""

    name: str = Field(min_length=1, max_length=100)
    description: str | None = Field(default=None, max_length=4_000)
    calendar: Literal["office", "continuous"]
    start_date: dt.date = dt.date(2025, 7, 1)
    horizon_days: Annotated[int, Field(strict=True, ge=1, le=MAX_HORIZON_DAYS)]
    warmup_days: Annotated[int, Field(strict=True, ge=0, le=MAX_HORIZON_DAYS)] = 0
    replications: Annotated[int, Field(strict=True, ge=1, le=MAX_REPLICATIONS)] = 10
    seed: Annotated[int, Field(strict=True, ge=0, lt=2**63)] = 1
    roles: tuple[Identifier, ...] = Field(min_length=1, max_length=100)
    outside: tuple[Outside, ...] = Field(default=(), max_length=100)
    demand: Demand | None = None
    staff: tuple[Officer, ...] = Field(min_length=1, max_length=500)
    procedures: tuple[Procedure, ...] = Field(min_length=1, max_length=1_000)
    policies: Policies = Policies()

    @model_validator(mode="after")
    def _consistent(self) -> Scenario:
        _check_time(self)
        _check_roles(self)
        _check_procedures(self)
        return self

    # --- derived values used by the model and the reports --------------------

    def role_index(self) -> dict[str, int]:
        return {role: i for i, role in enumerate(self.roles)}

    def station_index(self) -> dict[str, int]:
        """Roles, then outside bodies, numbered as the engine's stations."""
        names = [*self.roles, *(body.id for body in self.outside)]
        return {name: i for i, name in enumerate(names)}

    def arrivals_per_day(self, procedure: Procedure) -> float:
        if procedure.arrivals_per_day is not None:
            return procedure.arrivals_per_day
        return procedure.share * self.demand.arrivals_per_day

    def online_share(self, procedure: Procedure) -> float:
        base = procedure.online_share
        if base is None:
            base = self.demand.online_share if self.demand else 0.0
        support = self.policies.reception_support
        if support is None or base == 0:
            return base
        return min(1.0, base + support.online_share_increase)

    def profile(self, procedure: Procedure) -> Profile:
        return procedure.profile or (self.demand.profile if self.demand else None) or FLAT

    def deadline(self, procedure: Procedure, received: dt.date | None = None) -> catalogue.Deadline:
        """The procedure's deadline for a dossier received on ``received`` (default: the start)."""
        if procedure.deadline_working_days is not None:
            return catalogue.Deadline(procedure.deadline_working_days, "working")
        if procedure.deadline_calendar_days is not None:
            return catalogue.Deadline(procedure.deadline_calendar_days, "calendar")
        return catalogue.deadline(procedure.code, received or self.start_date)

    def procedure_name(self, procedure: Procedure) -> str:
        return procedure.name_vi or catalogue.name_vi(procedure.code) or procedure.code


def _check_time(scenario: Scenario) -> None:
    if scenario.warmup_days >= scenario.horizon_days:
        raise problem(
            "sim.error.warmup",
            "warmup_days",
            warmup=scenario.warmup_days,
            horizon=scenario.horizon_days,
        )
    if scenario.calendar == "office":
        catalogue.check_calendar_range(scenario.start_date, scenario.horizon_days)


def _check_roles(scenario: Scenario) -> None:
    roles = scenario.roles
    for i, role in enumerate(roles):
        if role in roles[:i]:
            raise problem("sim.error.duplicate", ("roles", i), value=role)
    seen: set[str] = set()
    for i, officer in enumerate(scenario.staff):
        if officer.id in seen:
            raise problem("sim.error.duplicate", ("staff", i, "id"), value=officer.id)
        seen.add(officer.id)
        for j, role in enumerate(officer.roles):
            if role not in roles:
                raise problem("sim.error.unknown_role", ("staff", i, "roles", j), role=role)
            if role in officer.roles[:j]:
                raise problem("sim.error.duplicate", ("staff", i, "roles", j), value=role)
    held = {role for officer in scenario.staff for role in officer.roles}
    for i, role in enumerate(roles):
        if role not in held:
            raise problem("sim.error.role_unheld", ("roles", i), role=role)
    for i, role in enumerate(scenario.policies.batch_roles):
        if role not in roles:
            raise problem("sim.error.unknown_role", ("policies", "batch_roles", i), role=role)
    support = scenario.policies.reception_support
    if support and support.role not in roles:
        raise problem(
            "sim.error.unknown_role", ("policies", "reception_support", "role"), role=support.role
        )


def _open_hours_weighted(profile: Profile, on: dt.date) -> bool:
    """Some hour with a positive weight overlaps an office session in force on ``on``."""
    if profile.hours is None:
        return True
    sessions = calendar.office_hours(on=on).sessions
    return any(
        weight > 0
        and any(
            s.hour * 60 + s.minute < (hour + 1) * 60 and e.hour * 60 + e.minute > hour * 60
            for s, e in sessions
        )
        for hour, weight in profile.hours.items()
    )


def _check_outside(scenario: Scenario) -> None:
    seen: set[str] = set()
    for i, body in enumerate(scenario.outside):
        if body.id in seen or body.id in scenario.roles:
            raise problem("sim.error.duplicate", ("outside", i, "id"), value=body.id)
        seen.add(body.id)


def _check_steps(scenario: Scenario, i: int, procedure: Procedure) -> None:
    bodies = {body.id for body in scenario.outside}
    for j, step in enumerate(procedure.steps):
        if isinstance(step, ExternalStep):
            if step.external not in bodies:
                raise problem(
                    "sim.error.unknown_outside",
                    ("procedures", i, "steps", j, "external"),
                    name=step.external,
                )
        elif step.role not in scenario.roles:
            raise problem(
                "sim.error.unknown_role", ("procedures", i, "steps", j, "role"), role=step.role
            )


def _check_procedures(scenario: Scenario) -> None:
    _check_outside(scenario)
    codes: set[str] = set()
    shares = []
    for i, procedure in enumerate(scenario.procedures):
        if procedure.code in codes:
            raise problem("sim.error.duplicate", ("procedures", i, "code"), value=procedure.code)
        codes.add(procedure.code)
        _check_steps(scenario, i, procedure)
        own_deadline = (procedure.deadline_working_days, procedure.deadline_calendar_days)
        if own_deadline == (None, None) and not catalogue.known(procedure.code):
            raise problem(
                "sim.error.unknown_procedure", ("procedures", i, "code"), code=procedure.code
            )
        if scenario.calendar == "office" and not _open_hours_weighted(
            scenario.profile(procedure), scenario.start_date
        ):
            where = (
                ("procedures", i, "profile", "hours")
                if procedure.profile
                else ("demand", "profile", "hours")
            )
            raise problem("sim.error.profile_closed", where)
        if procedure.share is not None:
            shares.append(procedure.share)
            if scenario.demand is None:
                raise problem("sim.error.share_without_demand", ("procedures", i, "share"))
    if shares and abs(sum(shares) - 1) > 1e-6:
        raise problem("sim.error.shares_sum", "procedures", total=round(sum(shares), 6))
    total = sum(scenario.arrivals_per_day(p) for p in scenario.procedures)
    if total > MAX_ARRIVALS_PER_DAY:
        raise problem(
            "sim.error.too_many_arrivals",
            "procedures",
            total=round(total, 1),
            limit=MAX_ARRIVALS_PER_DAY,
        )
