"""A STRESS-DES report of a scenario and its run, generated, never written by hand.

STRESS-DES (Monks et al. 2019, "Strengthening the reporting of empirical simulation
studies") lists what a discrete-event simulation study should report: objectives,
model logic, data, experimentation, implementation and code access.  Every line
below is built from the scenario, the metric registry and, with ``--stress``, the
results of a run, so the report cannot drift from the model it describes.
English, for reviewers; figures with their 95% intervals.
"""

from __future__ import annotations

import platform
from importlib import metadata
from pathlib import Path

from cadrelab.sim.engine.steps import DeskStep, ExternalStep
from cadrelab.sim.presentation.report import shown
from cadrelab.sim.results.metrics import KEY_FIGURES, METRICS, key_text
from cadrelab.sim.results.replications import Results
from cadrelab.sim.scenario.model import Scenario


def _distribution(d) -> str:
    parameters = ", ".join(
        f"{name}={getattr(d, name)}" if name != "values" else f"{len(d.values)} values"
        for name in ("mean", "sd", "low", "mode", "high", "value", "values")
        if getattr(d, name) is not None
    )
    return f"{d.dist}({parameters})"


def _route(scenario: Scenario, procedure) -> str:
    parts = []
    for step in procedure.steps:
        channel = "" if step.channel == "both" else f" [{step.channel}]"
        if isinstance(step, DeskStep):
            parts.append(f"{step.role} {_distribution(step.minutes)} min{channel}")
        elif isinstance(step, ExternalStep):
            parts.append(f"outside:{step.external} {_distribution(step.delay)} days{channel}")
    return " → ".join(parts)


def stress_report(scenario: Scenario, results: Results | None, source: Path | None = None) -> str:
    """The model (always) and, given ``results``, the experiment and its results."""
    lines = [
        f"# STRESS-DES report: scenario `{scenario.name}`",
        "",
        f"Source: `{source}`" if source else "Source: built in code",
        "",
        "## 1. Objectives",
        f"- 1.1 Purpose: {scenario.description or scenario.name}.",
        "- 1.2 Model outputs: "
        + "; ".join(f"{m.name} ({', '.join(m.scopes)}; {m.unit})" for m in METRICS)
        + ".",
        "- 1.3 Experimentation aims: estimate the outputs with 95% confidence intervals over "
        "independent replications; compare scenarios by paired differences under common "
        "random numbers.",
        "",
        "## 2. Logic",
        "- 2.1 Base model: dossiers arrive (Poisson, by procedure, hour and weekday profile), "
        "follow their procedure's route of desk steps (officers pull work from per-role "
        "queues: a free officer takes the head of the first non-empty queue among their "
        "roles, in the order held) and steps outside the commune (fixed delays in working "
        "or calendar days, optional daily capacity); the result is ready after the last step.",
        f"- 2.2 Queue discipline: {scenario.policies.queue}; roles worked in rounds: "
        f"{', '.join(scenario.policies.batch_roles) or 'none'}.",
        f"- 2.3 Calendar: {scenario.calendar} (start {scenario.start_date}); deadlines from the "
        "procedure catalogue for each dossier's receipt date unless the scenario sets one.",
        "- 2.4 Algorithms: inversion of the cumulative arrival rate; officers as SimPy "
        "processes handed work by a dispatcher (no shared resource objects); figures computed "
        "from per-step records after the run.",
        "- 2.5 Components:",
        f"  - Entities: dossiers of {len(scenario.procedures)} procedures.",
        f"  - Resources (officers): {len(scenario.staff)} — "
        + "; ".join(
            f"{o.id} [{', '.join(o.roles)}] fte {o.fte}"
            + (f", hours {', '.join(o.hours)}" if o.hours else "")
            + (f", absent p={o.absence.daily_probability}" if o.absence.daily_probability else "")
            for o in scenario.staff
        ),
        f"  - Queues: one per role — {', '.join(scenario.roles)}.",
        "  - Outside the commune: "
        + (
            "; ".join(
                f"{b.id} ({b.kind}, {b.days} days"
                + (f", capacity {b.capacity_per_day}/day" if b.capacity_per_day else "")
                + ")"
                for b in scenario.outside
            )
            or "none"
        )
        + ".",
        "  - Entry/exit: arrival during office sessions; exit when the result is ready.",
        "",
        "## 3. Data",
        "- 3.1 Sources: procedure catalogue (deadlines, names); working calendar and office "
        "hours (public holidays, make-up days, the same-day cut-off where the law applies it); "
        "the scenario file.",
        "- 3.2 Pre-processing: none at run time; `cadrelab sim calibrate` fits arrivals, "
        "online shares and outside delays from a dossier log.",
        "- 3.3 Input parameters (routes, per procedure):",
    ]
    for p in scenario.procedures:
        lines.append(
            f"  - {p.code}: {scenario.arrivals_per_day(p):.2f}/working day, "
            f"online {scenario.online_share(p):.1%}, deadline {scenario.deadline(p).days} "
            f"{scenario.deadline(p).counts} days; {_route(scenario, p)}"
        )
    lines += [
        "- 3.4 Assumptions: service times and working shares as in the scenario file "
        "(planning assumptions unless calibrated); absences independent day to day.",
        "",
        "## 4. Experimentation",
        f"- 4.1 Initialisation: empty office; warm-up {scenario.warmup_days} days "
        "(`cadrelab sim warmup` proposes one by MSER-5).",
        f"- 4.2 Run length: {scenario.horizon_days} days.",
    ]
    if results is None:
        lines.append(
            f"- 4.3 Estimation: {scenario.replications} replications by default "
            "(run `cadrelab sim describe --stress` for the results)."
        )
    else:
        lines.append(
            f"- 4.3 Estimation: {len(results.replications)} replications, seed {results.seed}; "
            "means with 95% t intervals (Wilson-type inside [0, 1] for rates)."
        )
        lines.append("- Results:")
        lines += [
            f"  - {key_text(key)}: {shown(key, results.estimate(key), 'en')}" for key in KEY_FIGURES
        ]
    lines += [
        "",
        "## 5. Implementation",
        f"- 5.1 Software: Python {platform.python_version()}, SimPy "
        f"{metadata.version('simpy')}, NumPy {metadata.version('numpy')}, cadrelab "
        f"{metadata.version('cadrelab')}.",
        "- 5.2 Random sampling: one PCG64 stream per activity (arrivals per procedure, "
        "channel, service per step, absences per officer), named and spawned from one "
        "SeedSequence per replication: the same seed gives the same citizens in every "
        "scenario (common random numbers).",
        "- 5.3 Model execution: event-driven (SimPy), officers as processes.",
        f"- 5.4 System: {platform.system()} {platform.machine()}.",
        "",
        "## 6. Code access",
        "- The cadrelab package (`cadrelab.sim`), docs/simulation.md; this report is "
        "generated by `cadrelab sim describe --stress`.",
    ]
    return "\n".join(lines) + "\n"
