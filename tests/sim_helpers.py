"""Small scenarios for the simulation tests."""

from __future__ import annotations

import copy
import subprocess
from pathlib import Path

from cadrelab.sim import parse_scenario
from cadrelab.sim.scenario.model import Scenario
from tests.conftest import cadrelab_command

SIMULATIONS = Path(__file__).resolve().parents[1] / "simulations"

MINUTES_PER_DAY = 1440


def textbook(
    servers: int,
    utilisation: float,
    *,
    mean: float = 20.0,
    horizon_days: int = 110,
    warmup_days: int = 10,
    replications: int = 10,
    seed: int = 7,
) -> dict:
    """M/M/c as a scenario: continuous calendar, one role, ``servers`` officers."""
    per_day = utilisation * servers / mean * MINUTES_PER_DAY
    return {
        "name": f"mm{servers}",
        "calendar": "continuous",
        "horizon_days": horizon_days,
        "warmup_days": warmup_days,
        "replications": replications,
        "seed": seed,
        "roles": ["desk"],
        "staff": [{"id": f"o{k}", "roles": ["desk"]} for k in range(servers)],
        "procedures": [
            {
                "code": "demo",
                "arrivals_per_day": per_day,
                "deadline_working_days": 5,
                "steps": [{"role": "desk", "minutes": {"dist": "exponential", "mean": mean}}],
            }
        ],
    }


def scenario(data: dict, **changes: object) -> Scenario:
    data = copy.deepcopy(data)
    data.update(changes)
    return parse_scenario(data)


def cadrelab_sim(*args: object) -> subprocess.CompletedProcess:
    """``cadrelab sim ARGS`` as a user runs it: a separate process, output captured."""
    return subprocess.run(
        [*cadrelab_command(), "sim", *map(str, args)], capture_output=True, text=True, check=False
    )


def assert_input_error(done: subprocess.CompletedProcess) -> None:
    """Bad input: exit status 2 and one line on stderr, no traceback."""
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().count("\n") == 0 and "Traceback" not in done.stderr
