"""The one-stop shop as SimPy processes: dossiers arrive, officers pull work from role queues.

The story the processes tell:

* **Citizens** arrive (``citizens``) at the times drawn in :mod:`cadrelab.sim.engine.draw`;
  each dossier joins the queue of the first role on its route.
* **Steps outside the commune** (another body, a waiting period) are handed to that
  body's station (:mod:`cadrelab.sim.engine.steps`), which gives the dossier back when
  its delay has run; the dossier then joins the queue of its next role.
* **Each role has one queue.**  Under ``fifo`` its head is the step that entered
  it first; under ``edf`` (earliest deadline first) the step of the dossier due
  soonest, ties broken by arrival order.
* **Officers** (``officer``) hold roles in order: primary role first, then the
  roles they hold concurrently (kiêm nhiệm).  The rule: *a free officer takes
  the head of the first non-empty queue among their roles, in the order the
  roles are listed.*  With nothing to do the officer waits; a step that reaches
  an empty queue is handed straight to the officer on duty who has been
  waiting longest among those holding its role.  No ``simpy.Resource``: the
  queues are plain deques or heaps, so the cost per dossier stays flat however
  long they grow.
* **Rounds.**  Officers of a role listed in ``batch_roles`` (leaders signing)
  take every step waiting in that queue at once, do them one after another and
  pass the whole stack on when the round is done.
* **Working time.**  Officers work only inside their windows (office sessions
  of working days, cut to their hours and FTE, minus absences).  A step
  unfinished when a window closes pauses and resumes at the officer's next
  window; an officer does not start a step outside a window.  An officer who
  is waiting when their window closes goes off duty; when work is queued for
  one of their roles meanwhile, they are called back for the opening of their
  next window.
* **Closing time.**  Citizens still waiting when a session closes leave their
  dossier at the desk: it keeps its place in the queue and is received first
  when the desk reopens.  Every queue — the dossier backlog — carries over
  across sessions and days; waits are measured in clock minutes.
* A dossier is finished when its last step ends; its result is then ready to
  return.

The event loop holds only these processes and one event per arrival, per step
and per call-back; drawing dossiers, deadlines and statistics are done on whole
arrays before or after the run.
"""

from __future__ import annotations

import contextlib
import gc
import heapq
import math
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import simpy
from simpy.core import NORMAL
from simpy.events import PENDING

from cadrelab.sim.engine.clock import Clock
from cadrelab.sim.engine.draw import Dossiers
from cadrelab.sim.engine.steps import KINDS
from cadrelab.sim.scenario.model import Scenario

INF = math.inf


@dataclass(frozen=True)
class Records:
    """What one run leaves behind, as arrays ready for :mod:`cadrelab.sim.results.figures`.

    Step arrays are (dossiers, width): column k is step k of the dossier's route,
    and the column after its last step holds the moment the result was ready.
    ``officer`` is -2 (``steps.OUTSIDE``) for a step outside the commune.
    """

    dossiers: Dossiers
    ready: np.ndarray  # minute the step entered its queue; NaN if it never did
    start: np.ndarray  # minute an officer started it; NaN if not started by the horizon
    officer: np.ndarray  # who started it; -1 if no one
    worked_until: np.ndarray  # minute the officer finished it; NaN if not finished
    windows: list[np.ndarray]  # per officer: (k, 2) working windows in minutes
    snapshot_times: np.ndarray  # live snapshots, when asked for (validation)
    snapshot_queues: np.ndarray  # (times, roles): queue length per role at each snapshot
    desks: int  # stations below this number are roles, the others outside bodies

    @property
    def finish(self) -> np.ndarray:
        """Minute each dossier's result was ready; NaN if unfinished."""
        return self.ready[np.arange(len(self.dossiers)), self.dossiers.length]


class Handover(simpy.Event):
    """An idle officer's wait for work, triggered at a moment chosen by whoever ends it.

    The dispatcher starts a step on the officer's behalf and schedules this event
    for the moment that work ends, so the officer resumes as if it had taken the
    step itself and waited for a timeout (one event per step, not a wake-up plus
    a timeout).  A call-back for an off-duty officer is the same event with no
    step, scheduled for the opening of the officer's next window.  It triggers
    itself the way ``simpy.Timeout`` does (value set, then scheduled with a delay);
    each officer keeps one and re-arms it once it has been processed.
    """

    def resume_after(self, delay: float, position: int | list[int] | None) -> None:
        """Resume the officer ``delay`` minutes from now with ``position`` (a step, a
        round's stack, or None for a call-back)."""
        self._ok = True
        self._value = position
        self.env.schedule(self, NORMAL, delay)

    def rearm(self) -> None:
        """Pending again after it has resumed its officer: each officer keeps one."""
        self.callbacks = []
        self._value = PENDING


class Doorbell(simpy.Event):
    """The arrivals of a run as one event that rings at each arrival and re-arms itself for
    the next: the same order and times as a process yielding a timeout per citizen, without
    a process to resume each time."""

    def __init__(self, env: simpy.Environment, times: list[float], dispatch, width: int) -> None:
        super().__init__(env)
        self.times, self.dispatch, self.width = times, dispatch, width
        self.next = 0
        self._ring_at(times[0])

    def _ring_at(self, moment: float) -> None:
        self.callbacks = [self._ring]
        self._ok = True
        self._value = None
        self.env.schedule(self, NORMAL, moment - self.env.now)

    def _ring(self, _event: simpy.Event) -> None:
        position = self.next
        self.next += 1
        now = self.env.now
        self.dispatch(position * self.width, now)
        if self.next < len(self.times):
            self._ring_at(self.times[self.next])


class Officer:
    """A member of staff during the run: roles, queues, working windows and state.

    ``opens`` and ``closes`` bound the window the officer is in, or will be in
    next (both inf after the last window).
    """

    __slots__ = ("closes", "current", "index", "opens", "queues", "roles", "wake", "windows")

    def __init__(
        self, index: int, queues: list, roles: tuple[int, ...], windows: np.ndarray
    ) -> None:
        self.index = index
        self.queues = queues
        self.roles = roles
        self.windows = [*windows.tolist(), [INF, INF]]
        self.current = 0
        self.opens, self.closes = self.windows[0]
        self.wake: Handover | None = None

    def move_to(self, now: float) -> None:
        """Make the current window the one the officer is in at ``now`` or will open next."""
        windows, i = self.windows, self.current
        while windows[i][1] <= now:
            i += 1
        self.current = i
        self.opens, self.closes = windows[i]

    def end_of_work(self, start: float, work: float) -> float:
        """When ``work`` minutes started at ``start`` in the current window are done, pausing
        over closed time (the current window becomes the one it ends in); inf when the
        officer's last window ends first."""
        windows, i = self.windows, self.current
        left = work - (windows[i][1] - start)
        while True:
            i += 1
            opens, closes = windows[i]
            if opens + left <= closes or opens == INF:
                self.current = i
                self.opens, self.closes = opens, closes
                return opens + left
            left -= closes - opens


class Office:
    """One replication of a scenario: build with the drawn dossiers, then :meth:`run`.

    A step is identified by its position ``dossier * width + k`` in flat lists
    (``role_at``, ``work_at``, ``ready_at``, ``start_at``, ``officer_at``), so the
    event loop touches no per-dossier objects; ``role_at`` is -1 after the last step.
    """

    def __init__(
        self,
        scenario: Scenario,
        clock: Clock,
        dossiers: Dossiers,
        windows: list[np.ndarray],
        snapshot_minutes: float | None = None,
    ) -> None:
        self.env = simpy.Environment()
        self.clock = clock
        self.dossiers = dossiers
        self.edf = scenario.policies.queue == "edf"
        roles = scenario.role_index()
        self.desks = len(roles)
        self.in_rounds = [role in scenario.policies.batch_roles for role in roles] + [False] * len(
            scenario.outside
        )
        self.queues: list = [[] if self.edf else deque() for _ in roles]
        self.officers = [
            Officer(
                k,
                [self.queues[roles[r]] for r in person.roles],
                tuple(roles[r] for r in person.roles),
                windows[k],
            )
            for k, person in enumerate(scenario.staff)
        ]
        self.windows = windows
        self.width = dossiers.work.shape[1]
        size = dossiers.work.size
        self.role_at = dossiers.roles.ravel().tolist()
        self.work_at = dossiers.work.ravel().tolist()
        self.due_of = dossiers.due.tolist() if self.edf else []
        self.ready_at = [math.nan] * size
        self.start_at = [math.nan] * size
        self.officer_at = [-1] * size
        self.round_done_at: dict[int, float] = {}  # steps of rounds: when the officer finished
        self.idle_by_role: list[list[Officer]] = [[] for _ in roles]
        self.snapshot_times = (
            clock.open_moments(snapshot_minutes) if snapshot_minutes else np.empty(0)
        )
        self.snapshots: list[tuple] = []
        self.dispatch = self._dispatcher()
        self.stations = [KINDS["external"].station(body, clock, self) for body in scenario.outside]

    # --- the processes -----------------------------------------------------------

    def _dispatcher(self):
        """The function that hands a step to an idle officer on duty, or queues it.

        The idle holder of the role who has waited longest and is on duty gets the
        step.  When it is queued instead, idle holders who are off duty are called
        back for the opening of their next window.  An officer waits only while
        every queue of their roles is empty, so a handed-over step never
        overtakes a queued one.
        """
        role_at, ready_at, queues = self.role_at, self.ready_at, self.queues
        work_at, start_at, officer_at = self.work_at, self.start_at, self.officer_at
        idle_by_role, due_of, width, edf = self.idle_by_role, self.due_of, self.width, self.edf
        push, call_back, inf, desks = heapq.heappush, self._call_back, INF, self.desks

        def dispatch(position: int, now: float) -> None:
            role = role_at[position]
            if role >= desks:  # outside the commune
                self.stations[role - desks](position, now)
                return
            ready_at[position] = now
            waiting = idle_by_role[role]
            if waiting:
                for officer in waiting:
                    if now >= officer.closes:
                        officer.move_to(now)
                    if officer.opens <= now:
                        for held in officer.roles:
                            idle_by_role[held].remove(officer)
                        start_at[position] = now
                        officer_at[position] = officer.index
                        work = work_at[position]
                        if now + work <= officer.closes:
                            officer.wake.resume_after(work, position)
                        else:
                            end = officer.end_of_work(now, work)
                            if end < inf:
                                officer.wake.resume_after(end - now, position)
                        return
            if edf:
                push(queues[role], (due_of[position // width], position))
            else:
                queues[role].append(position)
            if waiting:  # all off duty
                call_back(waiting, now)

        return dispatch

    def advance(self, position: int, now: float) -> None:
        """Step ``position`` is done at ``now``: the dossier moves to its next step, or its
        result is ready.  (Officers inline the same rule: it is their hot path.)"""
        position += 1
        if self.role_at[position] < 0:
            self.ready_at[position] = now
        else:
            self.dispatch(position, now)

    def _off_duty(self, officer: Officer) -> None:
        """The officer stops waiting: handed work or called back."""
        for held in officer.roles:
            self.idle_by_role[held].remove(officer)

    def _dispatch_stack(self, role: int, stack: list[int], now: float) -> None:
        """A finished round moves on as one stack: the steps that go to a role worked in
        rounds are handed to one idle officer on duty together, or queued together.

        The same rule as :meth:`_dispatcher`, for a stack instead of a single step.
        """
        for position in stack:
            self.ready_at[position] = now
        waiting = self.idle_by_role[role]
        for officer in waiting:
            if now >= officer.closes:
                officer.move_to(now)
            if officer.opens <= now:
                self._off_duty(officer)
                end = self._work_through(officer, stack, now)
                if end < INF:
                    officer.wake.resume_after(end - now, stack)
                return
        queue = self.queues[role]
        for position in stack:
            if self.edf:
                heapq.heappush(queue, (self.due_of[position // self.width], position))
            else:
                queue.append(position)
        if waiting:
            self._call_back(waiting, now)

    def _call_back(self, waiting: list[Officer], now: float) -> None:
        """Work was queued while every idle holder of the role is off duty: call each of them
        back for the opening of their next window.  (Calling only the first to open is not
        enough: that officer may take work of another role first.)"""
        for officer in list(waiting):
            self._off_duty(officer)
            if officer.opens < INF:
                officer.wake.resume_after(officer.opens - now, None)

    def _pass_on(self, stack: list[int], now: float) -> None:
        """The steps of a round are done: each dossier moves to its next step together with
        the others going the same way, or its result is ready."""
        role_at, in_rounds = self.role_at, self.in_rounds
        onward: dict[int, list[int]] = {}
        for done in stack:
            position = done + 1
            role = role_at[position]
            if role < 0:
                self.ready_at[position] = now
            elif in_rounds[role]:
                onward.setdefault(role, []).append(position)
            else:
                self.dispatch(position, now)
        for role, following in onward.items():
            self._dispatch_stack(role, following, now)

    def citizens(self) -> None:
        """Each dossier arrives at its time and joins the queue of its first step (one event
        re-armed for each arrival: see :class:`Doorbell`)."""
        arrivals = self.dossiers.arrival.tolist()
        if arrivals:
            Doorbell(self.env, arrivals, self.dispatch, self.width)

    def officer(self, officer: Officer) -> Iterator[simpy.Event]:
        """Take the next step by the rule, do it, pass the dossier on; wait when there is none."""
        env, timeout, dispatch, edf = self.env, self.env.timeout, self.dispatch, self.edf
        queues, idle_by_role, me = officer.queues, self.idle_by_role, officer.index
        role_at, work_at, ready_at = self.role_at, self.work_at, self.ready_at
        start_at, officer_at, in_rounds = self.start_at, self.officer_at, self.in_rounds
        pop, inf = heapq.heappop, INF
        wake = officer.wake = Handover(env)
        now = 0.0
        opens, closes = officer.opens, officer.closes
        while True:
            if now >= closes:
                officer.move_to(now)
                opens, closes = officer.opens, officer.closes
                if opens == inf:  # past the last window
                    return
            position = -1
            if now >= opens:  # on duty: take the head of the first non-empty queue
                for queue in queues:
                    if queue:
                        position = pop(queue)[1] if edf else queue.popleft()
                        break
            elif any(queues):  # off duty with work waiting: come back at opening
                yield timeout(opens - now)
                now = opens
                continue
            if position >= 0:
                if in_rounds[role_at[position]]:  # a round: all of `queue`, one by one
                    stack = [position]
                    while queue:
                        stack.append(pop(queue)[1] if edf else queue.popleft())
                    end = self._work_through(officer, stack, now)
                    if end == inf:
                        return
                    yield timeout(end - now)
                    now = end
                    opens, closes = officer.opens, officer.closes
                    self._pass_on(stack, now)
                    continue
                start_at[position] = now
                officer_at[position] = me
                work = work_at[position]
                if now + work <= closes:
                    yield timeout(work)
                    now += work
                else:
                    end = officer.end_of_work(now, work)
                    if end == inf:
                        return
                    yield timeout(end - now)
                    now = end
                    opens, closes = officer.opens, officer.closes
            else:  # wait to be handed work (a step or a round) or called back
                wake.rearm()
                for held in officer.roles:
                    idle_by_role[held].append(officer)
                handed = yield wake
                now = env.now
                opens, closes = officer.opens, officer.closes
                if handed is None:
                    continue
                if type(handed) is list:
                    self._pass_on(handed, now)
                    continue
                position = handed
            position += 1
            if role_at[position] < 0:
                ready_at[position] = now  # the result is ready
            else:
                dispatch(position, now)

    def _work_through(self, officer: Officer, stack: list[int], now: float) -> float:
        """Start each step of a round when the previous one is done; the round's end."""
        work_at, start_at, officer_at = self.work_at, self.start_at, self.officer_at
        for position in stack:
            if now >= officer.closes:
                officer.move_to(now)
                now = max(now, officer.opens)
            start_at[position] = now
            officer_at[position] = officer.index
            work = work_at[position]
            now = now + work if now + work <= officer.closes else officer.end_of_work(now, work)
            if now == INF:
                break
            self.round_done_at[position] = now
        return now

    def snapshot(self) -> Iterator[simpy.Event]:
        """Queue length of every role, read from the live queues at regular moments of open
        time after the warm-up: an independent check of the figures computed from records."""
        env, queues, record = self.env, self.queues, self.snapshots.append
        for moment in self.snapshot_times.tolist():
            yield env.timeout(moment - env.now)
            record((moment, *map(len, queues)))

    # --- running ------------------------------------------------------------------

    def run(self) -> Records:
        env = self.env
        self.citizens()
        for officer in self.officers:
            env.process(self.officer(officer))
        if len(self.snapshot_times):
            env.process(self.snapshot())
        with _cyclic_gc_paused():
            env.run(until=self.clock.horizon)
        return self._records()

    def _records(self) -> Records:
        """The flat lists as arrays; a round planned past the horizon is cut at it."""
        shape = self.dossiers.work.shape
        horizon = self.clock.horizon
        ready = np.array(self.ready_at, dtype=float).reshape(shape)
        start = np.array(self.start_at, dtype=float).reshape(shape)
        officer = np.array(self.officer_at, dtype=np.int64).reshape(shape)
        later = start > horizon
        start[later] = np.nan
        officer[later] = -1
        worked_until = np.full(shape, np.nan)
        worked_until[:, :-1] = ready[:, 1:]
        if self.round_done_at:
            positions = np.fromiter(self.round_done_at, dtype=np.int64)
            worked_until.ravel()[positions] = np.fromiter(self.round_done_at.values(), float)
        worked_until[(worked_until > horizon) | np.isnan(start)] = np.nan
        shots = np.array(self.snapshots, dtype=float).reshape(-1, 1 + len(self.queues))
        return Records(
            dossiers=self.dossiers,
            ready=ready,
            start=start,
            officer=officer,
            worked_until=worked_until,
            windows=self.windows,
            snapshot_times=shots[:, 0],
            snapshot_queues=shots[:, 1:],
            desks=self.desks,
        )


@contextlib.contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """The run makes hundreds of thousands of small objects and no reference cycles;
    reference counting frees them, and pausing the cycle collector keeps the cost per
    dossier flat instead of growing with the number of records kept."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
