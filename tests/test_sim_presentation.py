"""What a planner reads besides tables: the warm-up proposal, STRESS-DES, the animated day."""

from __future__ import annotations

import io

import numpy as np
import pytest
import yaml
from PIL import Image

from cadrelab.sim import load_scenario, run_scenario, with_changes
from cadrelab.sim.experiments.warmup import BATCH_DAYS, mser
from cadrelab.sim.presentation.animation import FRAME_MINUTES, DayAnimation, day_gif, day_states
from cadrelab.sim.presentation.stress import stress_report
from tests.sim_helpers import SIMULATIONS, cadrelab_sim, textbook


@pytest.fixture(scope="module")
def short_run():
    base = load_scenario(SIMULATIONS / "baseline.yaml")
    return run_scenario(with_changes(base, horizon_days=40, warmup_days=10, replications=1))


def test_mser_cuts_where_a_ramp_ends() -> None:
    rng = np.random.default_rng(1)
    series = np.concatenate([np.linspace(0, 50, 30), 50 + rng.normal(0, 2, 170)])
    assert int(np.argmin(mser(series))) * BATCH_DAYS in (25, 30, 35)


def test_cli_warmup_proposes_days_and_draws_the_plot(tmp_path) -> None:
    plot = tmp_path / "warmup.png"
    done = cadrelab_sim("warmup", "baseline", "--replications", 2, "--plot", plot, "--lang", "en")
    assert done.returncode == 0, done.stderr
    days = int(done.stdout.split("Proposed warm-up: ")[1].split(" days")[0])
    assert 10 <= days <= 60, "the backlog of a fresh office settles within weeks"
    assert plot.read_bytes().startswith(b"\x89PNG")


def test_stress_report_is_generated_from_the_scenario_and_the_run(tmp_path) -> None:
    path = tmp_path / "desk.yaml"
    path.write_text(yaml.safe_dump(textbook(2, 0.6, horizon_days=20, replications=3)), "utf-8")
    model_only = cadrelab_sim("describe", path)
    assert model_only.returncode == 0 and "## 2. Logic" in model_only.stdout
    assert "Results:" not in model_only.stdout
    out = tmp_path / "stress.md"
    assert cadrelab_sim("describe", path, "--stress", "--out", out).returncode == 0
    text = out.read_text(encoding="utf-8")
    for section in range(1, 7):
        assert f"## {section}." in text
    assert "demo: 86.40/working day" in text and "overall.on_time_rate:" in text
    baseline = stress_report(load_scenario(SIMULATIONS / "baseline.yaml"), None)
    assert (
        "outside:VPDKDD" in baseline and "VPDKDD (body, working days, capacity 14/day)" in baseline
    )


def test_the_day_is_drawn_from_the_run_s_own_records(short_run) -> None:
    states = day_states(short_run)
    assert short_run.clock.working[states.day] and states.day >= 10
    assert np.all(np.diff(states.moments) == FRAME_MINUTES)
    queues = short_run.queue_lengths(every_minutes=FRAME_MINUTES)
    for frame in (5, 12):
        at = queues[queues.minute == states.moments[frame]]
        for r, role in enumerate(short_run.scenario.roles):
            expected = int(at.loc[at.role == role, "queue_length"].iloc[0])
            assert states.waiting[frame, r] == expected, (frame, role)
    assert states.outside.sum() == len(short_run.scenario.outside)
    assert states.waiting[:, states.outside].sum() > 0, "land dossiers are out at the branch"


def test_the_animation_is_a_gif_of_every_frame_and_the_same_for_the_same_seed(short_run) -> None:
    gif = day_gif(short_run)
    image = Image.open(io.BytesIO(gif))
    assert image.format == "GIF" and image.n_frames == len(day_states(short_run).moments)
    assert day_gif(short_run) == gif
    assert "data:image/gif;base64," in DayAnimation(short_run)._repr_html_()
