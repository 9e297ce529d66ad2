"""Course 04-mo-phong for every trainee: a workable commune, and the lessons' claims hold.

The staffing lessons run the model on each trainee's own commune and tell the trainee
what to see: more replications narrow the interval; a busier season makes the desk busier
and, as a rule, the wait longer; comparing options on the same citizens usually narrows
the interval of a difference, and where it does not one unusual replication dominates.
Here the lessons' computations run, through the library, for 40 trainee ids, and every
claim is checked for each of them, with the bounds a trainee's commune must respect.
"""

from __future__ import annotations

import math
import os
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pytest

from cadrelab.sim import compare, edit_staff, paired, run_scenario, with_demand
from cadrelab.sim.commune import BUSIER, DOSSIERS_RANGE, ROLE_LOAD_MAX, load_limits, own_commune
from cadrelab.sim.experiments.theory import balanced_utilisation, headroom
from cadrelab.sim.results.replications import Results

TRAINEES = [f"hv-{i:02d}" for i in range(1, 41)]
EXERCISE = "mo-phong-01"
COUNTER = ("overall", "all", "counter_wait_minutes")
ON_TIME = ("overall", "all", "on_time_rate")
LEAD = ("overall", "all", "lead_time_working_days")


def lessons(trainee: str) -> dict[str, object]:
    """What the two lessons compute for ``trainee``, reduced to the facts they claim."""
    xa = own_commune(EXERCISE, trainee)
    roster = xa.roster
    plan = xa.scenario()
    facts: dict[str, object] = {
        "self_concurrent": [
            row.post_code
            for row in roster.itertuples()
            if isinstance(row.concurrent_posts, str)
            and row.post_code in [p.strip() for p in row.concurrent_posts.split(";")]
        ],
        "dossiers": xa.dossiers_per_day,
        "headroom": headroom(plan, load_limits(plan)),
        "busiest_role": balanced_utilisation(plan),
        "full_time": bool(xa.full_time),
    }
    # lesson 1: 10 replications, then 40 (the first 10 are the same: same seed)
    kq_40 = run_scenario(plan, replications=40)
    kq = Results(plan, kq_40.seed, kq_40.replications[:10])
    facts["on_time"] = kq.estimate(ON_TIME).mean
    facts["counter_wait"] = kq.estimate(COUNTER).mean
    facts["lowest_low"] = min(
        (kq.estimate(k).low for k in kq.keys if not math.isnan(kq.estimate(k).low)), default=0
    )
    facts["rate_bounds_ok"] = all(
        0 <= kq.estimate(k).low <= kq.estimate(k).high <= 1
        for k in kq.keys
        if k[2] in ("on_time_rate", "utilization") and kq.estimate(k).n >= 2
    )
    facts["narrower_lead"] = kq_40.estimate(LEAD).half_width < kq.estimate(LEAD).half_width
    facts["on_time_widths"] = (kq.estimate(ON_TIME).half_width, kq_40.estimate(ON_TIME).half_width)
    # lesson 2: 20% more dossiers, two options, paired comparisons
    now = xa.scenario(horizon_days=60, replications=8)
    busier = with_demand(now, arrivals_per_day=xa.dossiers_per_day * 1.2, name="dong-hon")
    kq_now, kq_busier = run_scenario(now), run_scenario(busier)
    busy = {o.id: kq_busier.estimate(("officer", o.id, "utilization")).mean for o in busier.staff}
    chosen = [o.id for o in busier.staff if o.roles != ("sign",) and "reception" not in o.roles]
    facts["someone_to_help"] = bool(chosen)
    helper = min(chosen, key=lambda i: busy[i])
    pa1 = edit_staff(busier, add_roles={helper: ["reception"]}, name="kiem-nhiem")
    pa2 = edit_staff(
        busier,
        add=[{"id": "hop-dong", "roles": ["reception", "return"], "fte": 0.5}],
        name="hop-dong",
    )
    kq1, kq2 = run_scenario(pa1), run_scenario(pa2)
    other_citizens = run_scenario(pa1, seed=busier.seed + 1)
    options = compare(kq_busier, [kq1, kq2])
    same = options.differences(kq1)[COUNTER]
    other = paired(kq_busier.values(COUNTER), other_citizens.values(COUNTER))
    desk = ("role", "reception", "utilization")
    facts["busier_desk_is_busier"] = kq_busier.estimate(desk).mean > kq_now.estimate(desk).mean
    facts["busier_waits"] = (
        kq_busier.estimate(COUNTER).mean > kq_now.estimate(COUNTER).mean,
        compare(kq_now, [kq_busier]).differences(kq_busier)[COUNTER].high >= 0,
    )
    facts["same_citizens_narrower"] = same.half_width < other.half_width
    gaps = kq1.values(COUNTER) - kq_busier.values(COUNTER)
    spread = (gaps - gaps.mean()) ** 2
    facts["one_season_dominates"] = bool(spread.max() > 0.5 * spread.sum())
    extra_desk = options.differences(kq2)[COUNTER]
    facts["extra_desk_officer_helps"] = extra_desk.mean <= 0
    facts["extra_desk_officer_never_clearly_worse"] = extra_desk.low <= 0
    return facts


@pytest.fixture(scope="module")
def facts() -> dict[str, dict[str, object]]:
    workers = min(2, os.cpu_count() or 1)
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return dict(zip(TRAINEES, pool.map(lessons, TRAINEES), strict=True))


@pytest.mark.slow
def test_every_commune_is_workable(facts) -> None:
    for trainee, f in facts.items():
        assert f["self_concurrent"] == [], (trainee, "a post concurrent with itself")
        assert DOSSIERS_RANGE[0] <= f["dossiers"] <= DOSSIERS_RANGE[1], trainee
        if not f["full_time"]:
            assert f["headroom"] >= BUSIER - 0.01, (trainee, f["headroom"])
            assert f["busiest_role"] <= ROLE_LOAD_MAX / BUSIER + 0.01, trainee
        assert f["on_time"] >= 0.8, (trainee, "most dossiers on time")
        assert f["counter_wait"] <= 30, (trainee, "no hours-long waits at the desk")
        assert f["lowest_low"] >= 0, (trainee, "no negative values in intervals")
        assert f["rate_bounds_ok"], (trainee, "rates' intervals inside [0, 1]")


@pytest.mark.slow
def test_the_lessons_claims_hold_for_every_trainee(facts) -> None:
    claims = (
        "narrower_lead",
        "someone_to_help",
        "busier_desk_is_busier",
        "extra_desk_officer_never_clearly_worse",
    )
    failing = {claim: [t for t, f in facts.items() if not f[claim]] for claim in claims}
    assert not any(failing.values()), failing
    # lesson 1 on the on-time rate: about twice narrower, "not exactly" (the spread is estimated
    # again): never much wider, and narrower for most trainees
    widths = [f["on_time_widths"] for f in facts.values()]
    assert all(w40 <= 1.5 * w10 for w10, w40 in widths), widths
    assert sum(w40 < w10 for w10, w40 in widths) >= 0.75 * len(widths)
    # lesson 2: half a contract officer at the desk shortens the wait as a rule (where the desk
    # is quiet, the change is within the noise: practice 1 asks how many minutes, of either sign)
    helps = [f["extra_desk_officer_helps"] for f in facts.values()]
    assert sum(helps) >= 0.9 * len(helps), helps
    # lesson 2: the same citizens usually give a much narrower interval of a difference; where
    # they do not, one unusual replication (a very busy season) dominates the differences
    narrower = [f["same_citizens_narrower"] for f in facts.values()]
    assert sum(narrower) >= 0.9 * len(narrower), narrower
    exceptions = [t for t, f in facts.items() if not f["same_citizens_narrower"]]
    assert all(facts[t]["one_season_dominates"] for t in exceptions), exceptions
    # lesson 2: a busier season keeps citizens at the desk longer as a rule; where the change
    # is smaller than the noise (a small commune) it is never clearly shorter
    waits = [f["busier_waits"] for f in facts.values()]
    assert all(not_shorter for _, not_shorter in waits), waits
    assert sum(longer for longer, _ in waits) >= 0.75 * len(waits)
    assert len(facts) == 40 and len({f["dossiers"] for f in facts.values()}) > 5
    assert np.mean([f["on_time"] for f in facts.values()]) < 0.999, "figures vary by commune"
