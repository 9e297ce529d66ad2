"""A trainee's own commune as a staffing scenario: its roster, its demand, the baseline's routes.

The staffing course runs the model on "your commune": the roster comes from
``load_cases(exercise)`` (the staff generator, one commune: who holds which
post, vacant posts, who covers them as a concurrent role, who is away), the
demand and the runs' seed are drawn from a digest of that roster (so, in a
workshop, they come from the workshop secret like the roster, and a trainee's
case folder is all it takes), and the procedures, routes and service times are
those of ``simulations/baseline.yaml``.  The grader, given the trainee id,
rebuilds the same commune and the same scenario.

How the roster becomes officers (planning assumptions, stated so they can be
argued with):

* each post's seats take the roles, working share (``fte``), signing hours and
  daily absence probability of the matching officers of the baseline scenario
  (:data:`POST_TEMPLATES`); when a post has more seats than the baseline has
  officers for it, the baseline's share is split between the seats;
* a vacant seat is left out; an officer who covers a vacant post (the roster's
  ``concurrent_posts``) adds that post's roles after their own and its share of
  time to theirs, up to full time; a leader covering a leader's post also takes
  its signing rounds, and the rounds of a vacant leader seat no one covers pass to
  the chair (signing must go on);
* an officer away on the roster (``absent_from`` to ``absent_until``) is absent
  those days; the run starts on :data:`START_DATE` so that those days fall in it;
* a role that no one holds after all this goes to the non-leader with the
  fewest roles (first in the roster on a tie), so that every dossier has a route.

Demand: :data:`BASE_DOSSIERS_PER_DAY` (the Hanoi calibration) times a
lognormal factor with mean 1 and standard deviation 0.35 (communes differ in
size, as in ``simulations/national.yaml``), and an online share of the
procedures that can be submitted online between 10% and 35%.

**A workable commune.**  A trainee's commune must be one whose figures teach
something, not a collapse: its demand is lowered, when needed, until every role's
expected load — mean work per working day over the working time of the officers
holding it, officers sharing their time among their roles as best they can
(:func:`~cadrelab.sim.experiments.theory.headroom`) — is at most
:data:`ROLE_LOAD_MAX`, and the desk's load at the busiest hour of the week (the
hour and weekday profile's peak over its average) at most :data:`DESK_PEAK_MAX`,
both with room for the lessons' busier season (:data:`BUSIER`: 20% more
dossiers); never below :data:`DOSSIERS_RANGE`'s lower end.  Where even that
demand would overload a role (a roster with few people left), the officers other
than the leaders give dossiers all their time.  The range stated in numbers:
between 20 and 100 dossiers a day, and at most 75% of the working time of the
officers of any role (45% at the desk on average) taken by dossiers when the
commune is 20% busier than usual.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from cadrelab.content import scenario_path
from cadrelab.data import load_cases
from cadrelab.data.seeds import normalise_trainee_id, trainee_id
from cadrelab.i18n import t
from cadrelab.sim.engine.draw import stream
from cadrelab.sim.experiments.theory import headroom
from cadrelab.sim.scenario.files import load_merged, parse_scenario
from cadrelab.sim.scenario.model import Scenario

BASELINE = scenario_path("baseline")
START_DATE = dt.date(2025, 9, 1)
HORIZON_DAYS = 90
WARMUP_DAYS = 14
REPLICATIONS = 10
BASE_DOSSIERS_PER_DAY = 48.0
DEMAND_SD = 0.35
DOSSIERS_RANGE = (20, 100)
ONLINE_RANGE = (0.10, 0.35)
ROLE_LOAD_MAX = 0.75
DESK_PEAK_MAX = 0.9
BUSIER = 1.2  # lesson 2 asks what 20% more dossiers do
VACANT = "Chưa bố trí"
LEADERS = ("chu_tich", "pho_chu_tich")

#: Post code -> the baseline officers whose roles, share and hours its seats take, in order.
POST_TEMPLATES: dict[str, tuple[str, ...]] = {
    "chu_tich": ("chu-tich",),
    "pho_chu_tich": ("pct-ttpvhcc", "pct-vp"),
    "van_phong_thong_ke": (),
    "tu_phap_ho_tich": ("tp-1", "tp-2"),
    "dia_chinh": ("dc-1", "dc-2"),
    "tai_chinh_ke_toan": ("tc-1",),
    "kinh_te": ("kt-1",),
    "van_hoa_xa_hoi": ("xh-2",),
    "lao_dong_tbxh": ("xh-1",),
    "mot_cua": ("mc-1", "mc-2", "mc-3"),
    "cntt": ("cntt",),
}


@dataclass(frozen=True)
class Commune:
    """One commune: its roster (staff generator), demand, and the seed of its runs."""

    name: str
    province_code: str
    roster: pd.DataFrame
    dossiers_per_day: float
    online_share: float
    seed: int
    full_time: tuple[str, ...] = ()  # officers who give dossiers all their time (see module doc)

    def staff(self) -> list[dict[str, Any]]:
        """Officers as scenario dicts (plus ``post_code``): the roster's, by the module doc."""
        staff = officers_from_roster(self.roster)
        for officer in staff:
            if officer["id"] in self.full_time:
                officer["fte"] = 1.0
        return staff

    @property
    def officers(self) -> pd.DataFrame:
        """The officers of the model: id, name, post, roles (kiêm nhiệm after the first), fte."""
        staff = self.staff()
        return pd.DataFrame(
            {
                "id": [o["id"] for o in staff],
                "name_vi": [o["name_vi"] for o in staff],
                "post_code": [o["post_code"] for o in staff],
                "roles": [", ".join(o["roles"]) for o in staff],
                "fte": [o["fte"] for o in staff],
                "days_away": [_days_away(o) for o in staff],
            }
        )

    def scenario(
        self,
        *,
        horizon_days: int = HORIZON_DAYS,
        warmup_days: int = WARMUP_DAYS,
        replications: int = REPLICATIONS,
        seed: int | None = None,
    ) -> Scenario:
        """The baseline's procedures with this commune's staff and demand."""
        base = load_merged(BASELINE)
        staff = [{k: v for k, v in o.items() if k != "post_code"} for o in self.staff()]
        data: dict[str, Any] = {
            **base,
            "name": "xa-cua-toi",
            "description": t("sim.commune.description", "vi", commune=self.name),
            "start_date": START_DATE.isoformat(),
            "horizon_days": horizon_days,
            "warmup_days": warmup_days,
            "replications": replications,
            "seed": self.seed % 1_000_000 if seed is None else seed,
            "staff": staff,
            "demand": {
                **base["demand"],
                "arrivals_per_day": self.dossiers_per_day,
                "online_share": self.online_share,
            },
        }
        return parse_scenario(_assign_unheld_roles(data), source=BASELINE)


def own_commune(exercise: str, trainee: str | None = None) -> Commune:
    """The commune of ``exercise`` for ``trainee`` (default: the trainee of this environment)."""
    who = trainee_id() if trainee is None else normalise_trainee_id(trainee)
    roster = load_cases(exercise, who)["staff"]
    seed = roster_seed(roster)
    dossiers, online = commune_demand(seed)
    return workable(
        Commune(
            name=str(roster["commune"].iloc[0]),
            province_code=str(roster["province_code"].iloc[0]),
            roster=roster,
            dossiers_per_day=dossiers,
            online_share=online,
            seed=seed,
        )
    )


def roster_seed(roster: pd.DataFrame) -> int:
    """A seed from the roster's seats (commune, seat, post, citizen id): the same whether the
    roster was generated or read back from a case folder's CSV."""
    seats = "\n".join(
        f"{row.commune}|{row.seat_id}|{row.post_code}|{row.citizen_id}"
        for row in roster.itertuples(index=False)
    )
    return int.from_bytes(hashlib.sha256(seats.encode("utf-8")).digest()[:8], "big")


def workable(commune: Commune) -> Commune:
    """``commune`` with its load inside the stated range (module doc): demand lowered first,
    then, if the staff cannot carry even the lowest demand, every officer other than the
    leaders working on dossiers full time."""
    plan = commune.scenario(replications=1)
    room = headroom(plan, load_limits(plan)) / BUSIER
    lowered = math.floor(commune.dossiers_per_day * min(room, 1.0))
    commune = replace(commune, dossiers_per_day=float(max(lowered, DOSSIERS_RANGE[0])))
    plan = commune.scenario(replications=1)
    if headroom(plan, load_limits(plan)) >= BUSIER:
        return commune
    return replace(commune, full_time=tuple(o.id for o in plan.staff if "sign" not in o.roles))


def load_limits(plan: Scenario) -> dict[str, float]:
    """The highest expected load of each role: :data:`ROLE_LOAD_MAX`, and for the roles
    citizens queue at in person (the first step of an in-person route) the load whose busiest
    hour of the week stays within :data:`DESK_PEAK_MAX`."""
    desks = {next(step.role for step in p.steps if step.taken_by(False)) for p in plan.procedures}
    profile = plan.demand.profile if plan.demand and plan.demand.profile else None
    peak = 1.0
    if profile is not None:
        hours = [w for w in (profile.hours or {}).values() if w > 0] or [1.0]
        peak = max(hours) / (sum(hours) / len(hours))
        peak *= max(profile.weekday_weight(day) for day in range(6))
    return {
        role: min(ROLE_LOAD_MAX, DESK_PEAK_MAX / peak) if role in desks else ROLE_LOAD_MAX
        for role in plan.roles
    }


def commune_demand(seed: int) -> tuple[float, float]:
    """Dossiers per working day (whole) and online share (two decimals) drawn from ``seed``."""
    rng = stream(np.random.SeedSequence(seed), "commune", "demand")
    sigma = np.sqrt(np.log(1 + DEMAND_SD**2))
    factor = rng.lognormal(-(sigma**2) / 2, sigma)
    dossiers = float(np.clip(round(BASE_DOSSIERS_PER_DAY * factor), *DOSSIERS_RANGE))
    online = round(float(rng.uniform(*ONLINE_RANGE)), 2)
    return dossiers, online


def officers_from_roster(roster: pd.DataFrame) -> list[dict[str, Any]]:
    """Officers as scenario dicts (plus ``post_code``), by the rules in the module doc."""
    templates = {o["id"]: o for o in load_merged(BASELINE)["staff"]}
    seats = roster["post_code"].value_counts().to_dict()
    seen: dict[str, int] = {}
    officers = []
    for row in roster.itertuples(index=False):
        post = row.post_code
        number = seen[post] = seen.get(post, 0) + 1
        if row.status == VACANT or post not in POST_TEMPLATES:
            continue
        roles, fte, extra = _post_share(post, number, seats[post], templates)
        for covered in _split(row.concurrent_posts):
            if POST_TEMPLATES.get(covered):
                more, more_fte, more_extra = _post_share(covered, 1, 1, templates)
                roles += [r for r in more if r not in roles]
                fte += more_fte
                if "hours" in extra and "hours" in more_extra:
                    extra["hours"] = sorted({*extra["hours"], *more_extra["hours"]})
        if not roles:
            continue
        officer: dict[str, Any] = {
            "id": f"{post.replace('_', '-')}-{number}"
            if seats[post] > 1
            else post.replace("_", "-"),
            "name_vi": f"{t(f'sim.post.{post}', 'vi')} – {row.full_name}",
            "post_code": post,
            "roles": roles,
            "fte": round(min(fte, 1.0), 3),
            **extra,
        }
        away = _absence_period(row)
        if away:
            officer.setdefault("absence", {})["periods"] = [away]
        officers.append(officer)
    _chair_takes_uncovered_rounds(roster, officers, templates)
    return officers


def _chair_takes_uncovered_rounds(
    roster: pd.DataFrame, officers: list[dict[str, Any]], templates: dict[str, dict]
) -> None:
    """The signing rounds of vacant leader seats that no one covers go to the chair."""
    covered = {post for text in roster["concurrent_posts"] for post in _split(text)}
    chair = next((o for o in officers if o["post_code"] == "chu_tich"), None)
    seen: dict[str, int] = {}
    for row in roster.itertuples(index=False):
        post = row.post_code
        number = seen[post] = seen.get(post, 0) + 1
        if chair is None or row.status != VACANT or post not in LEADERS or post in covered:
            continue
        _, _, extra = _post_share(post, number, int((roster.post_code == post).sum()), templates)
        if "hours" in extra:
            chair["hours"] = sorted({*chair.get("hours", ()), *extra["hours"]})


def _post_share(
    post: str, number: int, seats: int, templates: dict[str, dict]
) -> tuple[list[str], float, dict[str, Any]]:
    """Roles, working share and other settings (hours, absence) of seat ``number`` of ``post``."""
    names = POST_TEMPLATES[post]
    if not names:
        return [], 0.0, {}
    template = templates[names[(number - 1) % len(names)]]
    share = template.get("fte", 1.0) * (len(names) / seats if seats > len(names) else 1.0)
    extra = {k: template[k] for k in ("hours",) if k in template}
    probability = template.get("absence", {}).get("daily_probability")
    if probability is not None:
        extra["absence"] = {"daily_probability": probability}
    return list(template["roles"]), share, extra


def _split(text: object) -> list[str]:
    if not isinstance(text, str) or not text.strip():
        return []
    return [part.strip() for part in text.split(";") if part.strip()]


def _absence_period(row: Any) -> dict[str, str] | None:
    start, end = row.absent_from, row.absent_until
    if pd.isna(start) or pd.isna(end):
        return None
    first, last = sorted((pd.Timestamp(start).date(), pd.Timestamp(end).date()))
    return {"start": first.isoformat(), "end": last.isoformat()}


def _days_away(officer: dict[str, Any]) -> int:
    periods = officer.get("absence", {}).get("periods", [])
    return sum(
        (dt.date.fromisoformat(p["end"]) - dt.date.fromisoformat(p["start"])).days + 1
        for p in periods
    )


def _assign_unheld_roles(data: dict[str, Any]) -> dict[str, Any]:
    """Give each role no one holds to the non-leader with the fewest roles (see module doc)."""
    held = {role for officer in data["staff"] for role in officer["roles"]}
    helpers = [o for o in data["staff"] if not set(o["roles"]) <= {"sign"}]
    for role in data["roles"]:
        if role not in held and helpers:
            chosen = min(helpers, key=lambda o: len(o["roles"]))
            chosen["roles"] = [*chosen["roles"], role]
            held.add(role)
    return data
