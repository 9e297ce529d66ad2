"""One simulated day you can watch: who waits at each desk, who is outside, minute by minute.

Frames are drawn from the run's own step records (kept when the run keeps records):
at each moment, for every role, the steps waiting in its queue (citizens at the desk
for a first step taken in person) and the steps being worked on; for every body
outside the commune, the dossiers it holds.  The frames become an animated GIF,
which a notebook and the dashboard show as an image: no script, nothing to
download, the same bytes for the same seed.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from cadrelab.i18n import Lang, default_lang, t
from cadrelab.sim.presentation.report import role_name
from cadrelab.sim.results.figures import step_table
from cadrelab.sim.results.replications import Results

FRAME_MINUTES = 20
SHOWN = 24  # markers per row; more are written as a number
MILLISECONDS_PER_FRAME = 220


@dataclass(frozen=True)
class Day:
    """The state of every station at each frame of one day (from the records)."""

    day: int
    moments: np.ndarray  # minutes since the start of the run
    labels: list[str]  # one per station: roles, then outside bodies
    outside: np.ndarray  # bool per station
    waiting: np.ndarray  # (frames, stations): steps waiting (dossiers held, outside)
    at_desk: np.ndarray  # (frames, stations): citizens waiting in person (first steps)
    working: np.ndarray  # (frames, stations): steps being worked on
    finished: np.ndarray  # (frames,): results ready so far that day


def busiest_day(results: Results, replication: int = 0) -> int:
    """The working day after the warm-up with the most arrivals (the day worth watching)."""
    records = results.replications[replication].records
    clock = results.clock
    day = (records.dossiers.arrival // 1440).astype(int)
    counts = np.bincount(day, minlength=clock.horizon_days)
    counts[: clock.warmup_days] = -1
    counts[~clock.working] = -1
    return int(np.argmax(counts))


def day_states(results: Results, replication: int = 0, day: int | None = None) -> Day:
    records = results.replications[replication].records
    scenario, clock = results.scenario, results.clock
    day = busiest_day(results, replication) if day is None else day
    opens = min(s for s, _ in clock.sessions)
    closes = max(e for _, e in clock.sessions)
    moments = day * 1440.0 + np.arange(opens, closes + 1, FRAME_MINUTES)
    steps = step_table(records, outside=True)
    stations = list(scenario.station_index())
    n = len(stations)
    ready, start = steps["ready"], np.nan_to_num(steps["start"], nan=np.inf)
    end = np.nan_to_num(steps["end"], nan=np.inf)
    desk = steps["role"] < records.desks
    first_in_person = (steps["step"] == 0) & ~records.dossiers.online[steps["dossier"]]
    waiting = np.zeros((len(moments), n), dtype=int)
    at_desk = np.zeros_like(waiting)
    working = np.zeros_like(waiting)
    for f, m in enumerate(moments):
        queued = (ready <= m) & (m < np.where(desk, start, end))
        busy = desk & (start <= m) & (m < end)
        waiting[f] = np.bincount(steps["role"][queued], minlength=n)
        at_desk[f] = np.bincount(steps["role"][queued & first_in_person], minlength=n)
        working[f] = np.bincount(steps["role"][busy], minlength=n)
    finish = records.finish
    finished = np.array([int(((finish >= day * 1440.0) & (finish <= m)).sum()) for m in moments])
    lang = default_lang()
    bodies = {body.id: body.name_vi or body.id for body in scenario.outside}
    labels = [role_name(s, lang) if s in scenario.roles else bodies[s] for s in stations]
    outside = np.array([s not in scenario.roles for s in stations])
    return Day(day, moments, labels, outside, waiting, at_desk, working, finished)


class Frames:
    """The figure of an animated day: markers made once, moved frame by frame (fast)."""

    def __init__(self, states: Day, lang: Lang | None = None) -> None:
        self.states, self.lang = states, lang
        rows = len(states.labels)
        self.figure = Figure(figsize=(8, 0.42 * rows + 1.3), dpi=72)
        self.figure.subplots_adjust(left=0.38, right=0.98, top=0.9, bottom=0.12)
        ax = self.ax = self.figure.add_subplot()
        ax.set_yticks(range(rows), states.labels[::-1], fontsize=8)
        ax.set_xlim(-0.5, SHOWN + 5)
        ax.set_ylim(-0.8, rows - 0.2)
        ax.set_xticks([])
        ax.text(0.0, -0.1, t("sim.animation.legend", lang), transform=ax.transAxes, fontsize=7)
        self.title = ax.set_title("", fontsize=10)
        empty = np.empty((0, 2))
        self.citizens = ax.scatter([], [], s=38, c="#d98e04")
        self.waiting = ax.scatter([], [], s=30, c="#1f5fa8")
        self.held = ax.scatter([], [], s=30, c="#7f8c8d", marker="s")
        self.busy = ax.scatter([], [], c="#2e8b57", marker="D")
        for markers in (self.citizens, self.waiting, self.held, self.busy):
            markers.set_offsets(empty)
        self.more = [
            ax.text(SHOWN + 1.6, rows - 1 - r, "", va="center", fontsize=8) for r in range(rows)
        ]
        self.counts = [
            ax.text(0.4, rows - 0.68 - r, "", ha="center", fontsize=7, color="#2e8b57")
            for r in range(rows)
        ]

    def draw(self, frame: int) -> None:
        states = self.states
        rows = len(states.labels)
        citizens, waiting, held, busy, sizes = [], [], [], [], []
        for row in range(rows):
            y = rows - 1 - row
            queued = int(states.waiting[frame, row])
            at_desk = min(int(states.at_desk[frame, row]), SHOWN)
            shown = min(queued, SHOWN)
            points = [(x + 1.5, y) for x in range(shown)]
            citizens += points[:at_desk]
            (held if states.outside[row] else waiting).extend(points[at_desk:])
            self.more[row].set_text(f"+{queued - SHOWN}" if queued > SHOWN else "")
            working = int(states.working[frame, row])
            if working:
                busy.append((0.4, y))
                sizes.append(60 + 12 * working)
            self.counts[row].set_text(str(working) if working else "")
        for markers, points in (
            (self.citizens, citizens),
            (self.waiting, waiting),
            (self.held, held),
            (self.busy, busy),
        ):
            markers.set_offsets(np.array(points, dtype=float).reshape(-1, 2))
        self.busy.set_sizes(sizes or [0])
        minute = int(states.moments[frame] % 1440)
        self.title.set_text(
            t(
                "sim.animation.title",
                self.lang,
                day=states.day + 1,
                time=f"{minute // 60:02d}:{minute % 60:02d}",
                finished=int(states.finished[frame]),
            )
        )


def day_gif(results: Results, replication: int = 0, day: int | None = None) -> bytes:
    """An animated GIF of one day of ``results`` (records kept): each frame drawn with Agg
    and reduced to a small palette (the figure has a handful of colours)."""
    frames = Frames(day_states(results, replication, day))
    canvas = FigureCanvasAgg(frames.figure)
    images = []
    for frame in range(len(frames.states.moments)):
        frames.draw(frame)
        canvas.draw()
        rgb = Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba())
        images.append(
            rgb.convert("RGB").quantize(
                colors=48, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE
            )
        )
    with io.BytesIO() as buffer:
        images[0].save(
            buffer,
            format="GIF",
            save_all=True,
            append_images=images[1:],
            duration=MILLISECONDS_PER_FRAME,
            loop=0,
        )
        return buffer.getvalue()


class DayAnimation:
    """Shows itself as the animated day in a notebook (``display(DayAnimation(results))``)."""

    def __init__(self, results: Results, replication: int = 0, day: int | None = None) -> None:
        self.gif = day_gif(results, replication, day)

    def _repr_html_(self) -> str:
        data = base64.b64encode(self.gif).decode("ascii")
        return f"<img class='cadrelab-day' src='data:image/gif;base64,{data}'>"
