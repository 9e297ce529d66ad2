"""The model's stated rules: office hours, closing time, deadlines, rounds, channels, absences."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from cadrelab import calendar
from cadrelab.sim.engine.clock import Clock
from cadrelab.sim.results.figures import step_table
from cadrelab.sim.results.replications import simulate
from tests.sim_helpers import MINUTES_PER_DAY, scenario

START = dt.date(2025, 9, 8)  # a Monday; 2 September (National Day) is before it


def office(**changes: object) -> dict:
    """A small office: one desk officer, one specialist, one leader signing in rounds."""
    data = {
        "name": "small-office",
        "calendar": "office",
        "start_date": START.isoformat(),
        "horizon_days": 35,
        "warmup_days": 0,
        "replications": 1,
        "seed": 11,
        "roles": ["reception", "specialist", "sign"],
        "staff": [
            {"id": "desk", "roles": ["reception"]},
            {"id": "expert", "roles": ["specialist"], "fte": 0.5},
            {"id": "chair", "roles": ["sign"], "hours": ["10:30-11:30", "16:00-17:00"]},
        ],
        "procedures": [
            {
                "code": "demo",
                "arrivals_per_day": 20,
                "deadline_working_days": 2,
                "online_share": 0.3,
                "steps": [
                    {
                        "role": "reception",
                        "channel": "in_person",
                        "minutes": {"dist": "triangular", "low": 5, "mode": 10, "high": 20},
                    },
                    {"role": "specialist", "minutes": {"dist": "exponential", "mean": 30}},
                    {"role": "sign", "minutes": {"dist": "fixed", "value": 2}},
                ],
            }
        ],
        "policies": {"queue": "fifo", "batch_roles": ["sign"]},
    }
    data.update(changes)
    return data


@pytest.fixture(scope="module")
def run():
    model = scenario(office())
    return model, simulate(model, 0)


def _minute_of_day(t: np.ndarray) -> np.ndarray:
    return t % MINUTES_PER_DAY


def _is_working(clock: Clock, t: np.ndarray) -> np.ndarray:
    return clock.working[(t // MINUTES_PER_DAY).astype(int)]


def test_citizens_arrive_only_in_office_sessions_on_working_days(run) -> None:
    model, rep = run
    arrival = rep.records.dossiers.arrival
    clock = Clock.for_scenario(model)
    minute = _minute_of_day(arrival)
    in_session = ((minute >= 420) & (minute < 690)) | ((minute >= 810) & (minute < 1020))
    assert in_session.all()
    assert _is_working(clock, arrival).all()
    # about 20 per working day
    assert len(arrival) / clock.working.sum() == pytest.approx(20, rel=0.15)


def test_no_step_starts_outside_its_officers_windows_and_work_pauses_at_closing(run) -> None:
    model, rep = run
    records = rep.records
    steps = step_table(records)
    started = ~np.isnan(steps["start"])
    for k, windows in enumerate(records.windows):
        mine = started & (steps["officer"] == k)
        starts = steps["start"][mine]
        inside = (windows[:, 0][None, :] <= starts[:, None]) & (
            starts[:, None] < windows[:, 1][None, :]
        )
        assert inside.any(axis=1).all(), model.staff[k].id
    # the half-time specialist works the first half of each session
    expert = records.windows[1]
    assert set(np.round(_minute_of_day(expert[:, 0]))) == {420.0, 810.0}
    assert set(np.round(_minute_of_day(expert[:, 1]), 6)) == {555.0, 915.0}
    # a finished step took exactly its work, counted in the officer's working time only
    from cadrelab.sim.results.figures import _working_minutes

    done = started & ~np.isnan(steps["worked_until"]) & (steps["officer"] == 1)
    worked = _working_minutes(expert, steps["worked_until"][done]) - _working_minutes(
        expert, steps["start"][done]
    )
    work = records.dossiers.work[steps["dossier"][done], steps["step"][done]]
    np.testing.assert_allclose(worked, work, atol=1e-6)
    assert (steps["worked_until"][done] - steps["start"][done] > work + 1).any()  # some paused


def test_waiting_citizens_keep_their_place_across_closing(run) -> None:
    """FIFO with one desk officer: steps start in the order they entered the queue."""
    _, rep = run
    steps = step_table(rep.records)
    desk = (steps["officer"] == 0) & ~np.isnan(steps["start"])
    order = np.argsort(steps["start"][desk], kind="stable")
    assert np.all(np.diff(steps["ready"][desk][order]) >= 0)
    # and some did wait over a closing (the desk works 7:00-11:30, 13:30-17:00)
    assert ((steps["start"] - steps["ready"])[desk] > 120).any()


def test_deadlines_follow_the_working_calendar_and_the_cut_off(run) -> None:
    _model, rep = run
    d = rep.records.dossiers
    for i in range(0, len(d), 37):
        received = dt.datetime.combine(START, dt.time()) + dt.timedelta(minutes=float(d.arrival[i]))
        due_day = calendar.deadline(received, 2)
        assert (START + dt.timedelta(int(d.due[i] // MINUTES_PER_DAY) - 1)) == due_day
    late = _minute_of_day(d.arrival) > 15 * 60
    early = ~late
    day = (d.arrival // MINUTES_PER_DAY).astype(int)
    # received after 15:00 on a weekday: one more working day to go than before 15:00
    assert (d.due[late] - day[late] * MINUTES_PER_DAY).mean() > (
        d.due[early] - day[early] * MINUTES_PER_DAY
    ).mean()


def test_lead_time_counts_working_days_from_receipt(run) -> None:
    model, rep = run
    d, finish = rep.records.dossiers, rep.records.finish
    lead = Clock.for_scenario(model).lead_days(d.arrival, finish)
    for i in np.flatnonzero(~np.isnan(finish))[::41]:
        received = dt.datetime.combine(START, dt.time()) + dt.timedelta(minutes=float(d.arrival[i]))
        receipt = calendar.default_calendar().effective_receipt_day(received)
        done = START + dt.timedelta(int(finish[i] // MINUTES_PER_DAY))
        assert lead[i] == max(calendar.working_days_between(receipt, done), 0)


def test_a_round_is_handed_on_together(run) -> None:
    _, rep = run
    steps = step_table(rep.records)
    signed = (steps["officer"] == 2) & ~np.isnan(steps["end"])
    ends, counts = np.unique(steps["end"][signed], return_counts=True)
    assert counts.max() > 1  # stacks of several dossiers
    # within a round the chair signs one after another: starts differ, end is shared
    for end in ends[counts > 1][:5]:
        stack = signed & (steps["end"] == end)
        assert len(np.unique(steps["start"][stack])) == stack.sum()
    busy = rep.figures["officer", "chair", "utilization"]
    assert 0 < busy < 1


def test_online_dossiers_skip_the_in_person_desk(run) -> None:
    _, rep = run
    d = rep.records.dossiers
    assert 0.2 < d.online.mean() < 0.4
    assert (d.length[d.online] == 2).all() and (d.length[~d.online] == 3).all()
    assert (d.roles[d.online, 0] == 1).all() and (d.roles[~d.online, 0] == 0).all()


def test_utilisation_is_busy_over_available_and_reaches_one_under_a_shortage() -> None:
    data = office(horizon_days=21)
    data["procedures"][0]["arrivals_per_day"] = 80
    rep = simulate(scenario(data), 0)
    assert rep.figures["officer", "expert", "utilization"] == pytest.approx(1.0, abs=0.01)
    assert rep.figures["role", "specialist", "utilization"] == pytest.approx(1.0, abs=0.01)
    for k in ("desk", "expert", "chair"):
        assert rep.figures["officer", k, "utilization"] <= 1.0 + 1e-9


def test_absences_remove_whole_days() -> None:
    data = office(horizon_days=200)
    data["staff"][0]["absence"] = {
        "daily_probability": 0.2,
        "periods": [{"start": "2025-10-06", "end": "2025-10-10"}],
        "dates": ["2025-11-03"],
    }
    model = scenario(data)
    rep = simulate(model, 0, keep_records=True)
    clock = Clock.for_scenario(model)
    worked_days = np.unique((rep.records.windows[0][:, 0] // MINUTES_PER_DAY).astype(int))
    working_days = np.flatnonzero(clock.working)
    away = set(working_days) - set(worked_days)
    assert len(away) / len(working_days) == pytest.approx(0.2 + 6 / len(working_days), abs=0.06)
    for day in ["2025-10-06", "2025-10-08", "2025-10-10", "2025-11-03"]:
        assert (dt.date.fromisoformat(day) - START).days in away


def test_earliest_deadline_first_orders_the_queue_by_due_day() -> None:
    data = office(horizon_days=21)
    data["procedures"][0]["arrivals_per_day"] = 60
    urgent = dict(
        data["procedures"][0], code="urgent", deadline_working_days=0, arrivals_per_day=20
    )
    data["procedures"].append(urgent)
    data["policies"]["queue"] = "edf"
    rep = simulate(scenario(data), 0)
    steps = step_table(rep.records)
    expert = (steps["officer"] == 1) & ~np.isnan(steps["start"])
    due = rep.records.dossiers.due[steps["dossier"][expert]]
    order = np.argsort(steps["start"][expert], kind="stable")
    # whenever the expert took a step from a non-empty queue it was the one due first
    queued_at = steps["ready"][expert][order]
    started = steps["start"][expert][order]
    for i in range(1, len(order) - 1):
        rivals = (queued_at <= started[i]) & (started > started[i])
        if rivals.any():
            assert due[order][i] <= due[order][rivals].min() + 1e-9


def test_reception_support_shortens_in_person_desk_work_and_raises_online_share() -> None:
    plain = simulate(scenario(office()), 0)
    data = office()
    data["procedures"].append(dict(data["procedures"][0], code="paper", online_share=0.0))
    data["policies"]["reception_support"] = {
        "role": "reception",
        "time_factor": 0.5,
        "online_share_increase": 0.2,
    }
    helped = simulate(scenario(data), 0)
    a, b = plain.records.dossiers, helped.records.dossiers
    first = b.procedure == 0
    assert b.online[first].mean() > a.online.mean() + 0.1
    assert not b.online[~first].any()  # a procedure that cannot go online stays in person
    # the same citizens: those in person both times have their desk work halved
    both = ~a.online & ~b.online[first]
    np.testing.assert_allclose(b.work[first][both, 0], a.work[both, 0] * 0.5)
