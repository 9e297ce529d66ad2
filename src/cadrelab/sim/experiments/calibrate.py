"""A scenario from a commune's own dossier log: demand, channels, times outside the commune.

What a log can tell, and what the calibrated scenario takes from it:

* **Arrivals** of each procedure per working day over the log's period, and their
  **profile** by hour of day (office hours) and by weekday: the scenario's demand.
* **Online share** of each procedure.
* **Time outside the commune** (sent out → back, in working days) of each procedure
  that went out: a duration fitted by maximum likelihood, exponential or lognormal,
  chosen by AIC and checked with the Kolmogorov–Smirnov statistic (p-values are
  approximate: the parameters come from the same data).  When the two families fit
  about equally (AIC within 2) the report says the data cannot choose and keeps the
  simpler one; when neither fits (KS p < 0.05) the observed values are used
  (empirical); with fewer than :data:`MIN_RECORDS` records the template's steps are
  kept and marked as an assumption.  In the scenario, the procedure's outside steps
  become one step at ``lien-thong`` with the fitted total.
* **Elapsed times at the commune** (received → transferred, transferred → finished,
  finished → returned) are fitted and reported the same way, to check a run against;
  they include queueing, so they are not desk minutes.

What a log cannot tell — desk minutes per step, who holds which role, working
shares, absences, an outside body's capacity — stays as the template scenario has
it and is listed in the file as an assumption (``x-calibration``).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from cadrelab import calendar
from cadrelab.i18n import Lang, t
from cadrelab.sim.engine.clock import Clock
from cadrelab.sim.experiments.eventlog import DossierLog
from cadrelab.sim.presentation.report import number
from cadrelab.sim.scenario import catalogue
from cadrelab.sim.scenario.files import parse_scenario
from cadrelab.sim.scenario.model import WEEKDAYS
from cadrelab.sim.scenario.problems import keyed_error

MIN_RECORDS = 30
AIC_TIE = 2.0
KS_ALPHA = 0.05
OUTSIDE_ID = "lien-thong"
SEGMENTS = (  # (name, from, to, unit): elapsed times reported from a log
    ("reception", "received", "transferred", "minutes"),
    ("processing", "transferred", "finished", "working_days"),
    ("outside", "sent_out", "back_in", "working_days"),
    ("collection", "finished", "returned", "working_days"),
)


@dataclass(frozen=True)
class Fit:
    """A duration distribution chosen for observed values, with how well it fits."""

    n: int
    family: str  # exponential, lognormal, empirical, or "" when there were too few records
    parameters: dict[str, Any]
    ks: float  # Kolmogorov–Smirnov statistic of the chosen family (NaN for empirical)
    p_value: float
    verdict: str  # message key: fits, cannot_choose, no_family_fits, too_few
    runner_up: str = ""

    @property
    def distribution(self) -> dict[str, Any]:
        return {"dist": self.family, **self.parameters}

    @property
    def mean(self) -> float:
        if self.family == "empirical":
            return float(np.mean(self.parameters["values"]))
        return float(self.parameters.get("mean", math.nan))


@dataclass
class Calibration:
    scenario: dict[str, Any]
    period: tuple[dt.date, dt.date]
    working_days: int
    arrivals: dict[str, float]
    online: dict[str, float]
    fits: dict[tuple[str, str], Fit]  # (segment, procedure code or "all") -> fit
    notes: list[tuple[str, str]] = field(default_factory=list)  # (English, Vietnamese)


# --- fitting ------------------------------------------------------------------------------


def fit(values: np.ndarray) -> Fit:
    """The family that fits ``values`` (positive durations) best, and how well."""
    data = np.asarray(values, dtype=float)
    data = data[np.isfinite(data) & (data > 0)]
    n = len(data)
    if n < MIN_RECORDS:
        return Fit(n, "", {}, math.nan, math.nan, "too_few")
    candidates = {"exponential": _exponential(data), "lognormal": _lognormal(data)}
    ranked = sorted(candidates.items(), key=lambda item: item[1][1])
    (best, (parameters, aic, cdf)), (second, (_, second_aic, _)) = ranked
    ks = _ks(data, cdf)
    p = _ks_p_value(ks, n)
    if p < KS_ALPHA:
        other_ks = _ks(data, candidates[second][2])
        if _ks_p_value(other_ks, n) < KS_ALPHA:
            values = tuple(round(float(v), 4) for v in np.sort(data))
            return Fit(n, "empirical", {"values": values}, math.nan, p, "no_family_fits")
    verdict = "cannot_choose" if second_aic - aic < AIC_TIE else "fits"
    if verdict == "cannot_choose" and best != "exponential":  # keep the simpler family
        parameters, _, cdf = candidates["exponential"]
        best, second = "exponential", best
        ks = _ks(data, cdf)
        p = _ks_p_value(ks, n)
    return Fit(n, best, parameters, ks, p, verdict, second)


def _exponential(data: np.ndarray):
    mean = float(data.mean())
    aic = 2 * 1 - 2 * (-len(data) * math.log(mean) - data.sum() / mean)
    return {"mean": round(mean, 4)}, aic, lambda x: 1 - np.exp(-x / mean)


def _lognormal(data: np.ndarray):
    logs = np.log(data)
    mu, sigma = float(logs.mean()), float(logs.std())
    sigma = max(sigma, 1e-9)
    loglik = float(
        np.sum(-logs - math.log(sigma * math.sqrt(2 * math.pi)) - (logs - mu) ** 2 / (2 * sigma**2))
    )
    mean = math.exp(mu + sigma**2 / 2)
    sd = mean * math.sqrt(math.expm1(sigma**2))

    def cdf(x: np.ndarray) -> np.ndarray:
        z = (np.log(x) - mu) / (sigma * math.sqrt(2))
        return 0.5 * (1 + np.vectorize(math.erf)(z))

    return {"mean": round(mean, 4), "sd": round(sd, 4)}, 2 * 2 - 2 * loglik, cdf


def _ks(data: np.ndarray, cdf) -> float:
    x = np.sort(data)
    f = cdf(x)
    n = len(x)
    return float(max((np.arange(1, n + 1) / n - f).max(), (f - np.arange(n) / n).max()))


def _ks_p_value(statistic: float, n: int) -> float:
    """Asymptotic Kolmogorov distribution (with Stephens' small-sample correction)."""
    root = math.sqrt(n)
    lam = (root + 0.12 + 0.11 / root) * statistic
    total = sum((-1) ** (k - 1) * math.exp(-2 * k * k * lam * lam) for k in range(1, 101))
    return float(min(max(2 * total, 0.0), 1.0))


# --- calibrating ----------------------------------------------------------------------------


def calibrate(log: DossierLog, template: dict[str, Any], source: Path | None = None) -> Calibration:
    """The template scenario (a dict as in a YAML file) with the log's demand and delays."""
    frame = log.frame
    first, last = frame["received"].min().date(), frame["received"].max().date()
    days = calendar.working_days_between(first - dt.timedelta(1), last)
    if days < 1:
        raise keyed_error("sim.error.log_too_short", source, field="received")
    counts = frame["procedure"].value_counts()
    arrivals = {code: float(count / days) for code, count in counts.items()}
    online = frame.groupby("procedure")["online"].mean().to_dict()
    notes = [_note(key, values) for key, values in log.notes]
    fits = _segment_fits(frame)
    data = _scenario_dict(template, frame, first, arrivals, online, fits, notes)
    parse_scenario(data, source=source)  # what is written must load
    return Calibration(data, (first, last), days, arrivals, online, fits, notes)


def working_days_elapsed(start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Working days from ``start`` to ``end`` (datetimes), with parts of working days."""
    cal = calendar.default_calendar()
    start_day, end_day = start.astype("datetime64[D]"), end.astype("datetime64[D]")
    whole = cal.working_days_between_many(start_day - 1, end_day - 1).astype(float)

    def part(moment, day):
        gone = (moment - day) / np.timedelta64(1, "D")
        is_working = cal.working_days_between_many(day - 1, day) == 1
        return np.where(is_working, gone, 0.0)

    return whole + part(end, end_day) - part(start, start_day)


def _segment_fits(frame) -> dict[tuple[str, str], Fit]:
    fits = {}
    for name, begin, end, unit in SEGMENTS:
        if begin not in frame or end not in frame:
            continue
        both = frame[begin].notna() & frame[end].notna()
        part = frame[both]
        if not len(part):
            continue
        a = part[begin].to_numpy(dtype="datetime64[m]")
        b = part[end].to_numpy(dtype="datetime64[m]")
        if unit == "minutes":
            values = (b - a) / np.timedelta64(1, "m")
        else:
            values = working_days_elapsed(a, b)
        fits[name, "all"] = fit(values)
        if name == "outside":
            codes = part["procedure"].to_numpy()
            for code in np.unique(codes):
                fits[name, str(code)] = fit(values[codes == code])
    return fits


def _scenario_dict(template, frame, first, arrivals, online, fits, notes) -> dict[str, Any]:
    data = {k: v for k, v in template.items() if not str(k).startswith("x-")}
    total = sum(arrivals.values())
    routes = {p["code"]: p for p in data["procedures"]}
    by_field: dict[str, dict] = {}
    for p in data["procedures"]:
        by_field.setdefault(catalogue.field_of(p["code"]) or "", p)
    procedures, shares = [], []
    for code, per_day in sorted(arrivals.items(), key=lambda item: -item[1]):
        base = routes.get(code) or by_field.get(catalogue.field_of(code) or "-")
        if base is None:
            notes.append(_note("sim.calibrate.note.no_route", {"code": code}))
            continue
        procedure = {k: v for k, v in base.items() if k not in ("share", "arrivals_per_day")}
        procedure.update(code=code, online_share=round(float(online[code]), 4))
        outside = fits.get(("outside", code))
        if outside is not None and outside.family:
            procedure["steps"] = _with_outside_fit(procedure["steps"], outside)
        elif any("external" in step for step in procedure["steps"]):
            notes.append(_note("sim.calibrate.note.outside_kept", {"code": code}))
        procedures.append(procedure)
        shares.append(per_day / total)
    shares = _rounded_shares(shares)
    for procedure, share in zip(procedures, shares, strict=True):
        procedure["share"] = share
    data["procedures"] = procedures
    if any(OUTSIDE_ID in str(p["steps"]) for p in procedures):
        data["outside"] = [
            *[o for o in data.get("outside", []) if o["id"] != OUTSIDE_ID],
            {"id": OUTSIDE_ID, "name_vi": "Liên thông (theo nhật ký)", "days": "working"},
        ]
    data["demand"] = {
        "arrivals_per_day": round(total, 3),
        "online_share": round(float(frame["online"].mean()), 4),
        "profile": _profile(frame, Clock.for_scenario(parse_scenario(template)).sessions, notes),
    }
    data["name"] = f"{template.get('name', 'scenario')}-calibrated"
    data["start_date"] = first
    notes.append(_note("sim.calibrate.note.assumptions", {}))
    return data


def _with_outside_fit(steps: list[dict], outside: Fit) -> list[dict]:
    """The route with its outside steps replaced by one with the fitted total delay."""
    new, placed = [], False
    for step in steps:
        if "external" not in step:
            new.append(step)
        elif not placed:
            new.append({"external": OUTSIDE_ID, "delay": outside.distribution})
            placed = True
    if not placed:  # the template route never went out: the log says it does, before return
        new.insert(len(new) - 1, {"external": OUTSIDE_ID, "delay": outside.distribution})
    return new


def _rounded_shares(shares: list[float]) -> list[float]:
    rounded = [round(s, 6) for s in shares]
    rounded[0] = round(rounded[0] + 1 - sum(rounded), 6)
    return rounded


def _profile(frame, sessions, notes: list[tuple[str, str]]) -> dict[str, dict]:
    """Hour weights over office hours (``sessions``, minutes) and weekday weights, each
    averaging 1."""
    moments = frame["received"]
    minute = moments.dt.hour * 60 + moments.dt.minute
    inside = np.zeros(len(frame), dtype=bool)
    for start, end in sessions:
        inside |= (minute >= start) & (minute < end)
    if (~inside).any():
        notes.append(_note("sim.calibrate.note.outside_hours", {"count": int((~inside).sum())}))
    hours = moments[inside].dt.hour.value_counts().sort_index()
    hour_weights = {int(h): round(float(c / hours.mean()), 3) for h, c in hours.items()}
    weekday = moments.dt.day_of_week.value_counts()
    days_seen = moments.dt.normalize().drop_duplicates().dt.day_of_week.value_counts()
    per_day = (weekday / days_seen).dropna()
    workweek = per_day[per_day.index < 5].mean()
    weekday_weights = {WEEKDAYS[int(d)]: round(float(v / workweek), 3) for d, v in per_day.items()}
    return {"hours": hour_weights, "weekdays": weekday_weights}


def _note(key: str, values: dict) -> tuple[str, str]:
    """A note for the scenario file and the report, in English and Vietnamese."""
    return t(key, "en", **values), t(key, "vi", **values)


def report(calibration: Calibration, lang: Lang) -> str:
    """What was estimated, how well, and what was left as an assumption."""
    first, last = calibration.period
    lines = [
        t(
            "sim.calibrate.heading",
            lang,
            first=first,
            last=last,
            days=calibration.working_days,
            dossiers=round(sum(calibration.arrivals.values()) * calibration.working_days),
        )
    ]
    for code, per_day in sorted(calibration.arrivals.items(), key=lambda item: -item[1]):
        lines.append(
            t(
                "sim.calibrate.arrivals",
                lang,
                code=code,
                per_day=number(per_day, 2, lang),
                online=number(100 * calibration.online[code], 1, lang),
            )
        )
    for (segment, code), result in calibration.fits.items():
        lines.append(
            t(
                f"sim.calibrate.fit.{result.verdict}",
                lang,
                segment=t(f"sim.calibrate.segment.{segment}", lang),
                code=code,
                n=result.n,
                family=result.family,
                runner_up=result.runner_up,
                mean=number(result.mean, 2, lang),
                ks=number(result.ks, 3, lang),
                p=number(result.p_value, 2, lang),
            )
        )
    lines += [
        f"- {english if lang == 'en' else vietnamese}" for english, vietnamese in calibration.notes
    ]
    return "\n".join(lines)
