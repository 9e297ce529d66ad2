"""Step kinds: what a dossier's route is made of, from the scenario key to the event loop.

A route step is one of the kinds in :data:`KINDS`, told apart by the key that names it:

* ``role:`` — **desk work** by commune staff: an officer holding the role takes the
  step from the role's queue and works ``minutes`` on it (the officers' side is
  :mod:`cadrelab.sim.engine.office`).
* ``external:`` — **time outside the commune**: another body (the land registration
  office branch, the tax authority) or a waiting period (public posting, the citizen
  paying a tax notice, a site visit) from the scenario's ``outside`` list.  The step
  lasts ``delay`` days, counted in working or calendar days as that entry says;
  with a ``capacity_per_day`` the body starts at most that many of the commune's
  dossiers per working day, first come first served.

Each kind is one class here and nothing else needs to change to add one: its
scenario keys (pydantic), what is drawn for every dossier when it arrives
(:meth:`amounts`, from the dossier's own named streams: common random numbers),
where its time counts (``place``: at the commune or outside), and, for kinds other
than desk work, the station that handles it during a run (:meth:`station`).
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, ClassVar, Literal, Union

import numpy as np
from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag

from cadrelab.sim.scenario.distributions import Distribution

if TYPE_CHECKING:
    from cadrelab.sim.engine.clock import Clock

Identifier = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")]
Channel = Literal["both", "in_person", "online"]
StreamFor = Callable[..., np.random.Generator]

#: ``officer`` in the records of a step that was outside the commune.
OUTSIDE = -2


class _Model(BaseModel):
    model_config = ConfigDict(
        frozen=True, extra="forbid", allow_inf_nan=False, str_strip_whitespace=True
    )


class _RouteStep(_Model):
    """What every step kind has: the channel of the dossiers that take it."""

    channel: Channel = "both"

    def taken_by(self, online: bool) -> bool:
        return self.channel == "both" or self.channel == ("online" if online else "in_person")


class DeskStep(_RouteStep):
    """Work at the commune: the role that does it and how many minutes it takes.

    ``channel`` limits the step to dossiers submitted in person or online (the
    desk receives citizens in person; online submissions are checked on the
    portal); ``online_minutes`` gives online dossiers a different duration.
    """

    place: ClassVar[str] = "commune"

    role: Identifier
    minutes: Distribution
    online_minutes: Distribution | None = None

    @property
    def station_name(self) -> str:
        return self.role

    def amounts(
        self, stream_for: StreamFor, n: int, online: np.ndarray, time_factor: float
    ) -> np.ndarray:
        """Minutes of work for ``n`` dossiers (``time_factor``: reception support, in person)."""
        drawn = self.minutes.sample(stream_for("in_person"), n)
        on_line = (
            drawn
            if self.online_minutes is None
            else self.online_minutes.sample(stream_for("online"), n)
        )
        in_person = drawn if time_factor == 1.0 else drawn * time_factor
        return in_person if on_line is in_person else np.where(online, on_line, in_person)


class ExternalStep(_RouteStep):
    """Time outside the commune: ``delay`` days at the body or waiting period ``external``."""

    place: ClassVar[str] = "outside"

    external: Identifier
    delay: Distribution

    @property
    def station_name(self) -> str:
        return self.external

    def amounts(
        self, stream_for: StreamFor, n: int, online: np.ndarray, time_factor: float
    ) -> np.ndarray:
        """Days of delay for ``n`` dossiers (reception support does not speed up other bodies)."""
        return self.delay.sample(stream_for("delay"), n)

    @staticmethod
    def station(body: Outside, clock: Clock, office) -> OutsideStation:
        return OutsideStation(body, clock, office)


class Outside(_Model):
    """A body outside the commune, or a waiting period, that route steps name.

    ``days``: whether a step's ``delay`` counts working days (the body's office
    days) or calendar days (a posting period, a citizen paying).
    ``capacity_per_day``: dossiers of this commune the body starts per working day
    (for a branch serving several communes, the commune's part of its capacity).
    """

    id: Identifier
    name_vi: str | None = Field(default=None, max_length=200)
    kind: Literal["body", "waiting"] = "body"
    days: Literal["working", "calendar"]
    capacity_per_day: Annotated[int, Field(strict=True, ge=1, le=100_000)] | None = None


#: Every step kind, by the key that names it in a scenario file.
KINDS: dict[str, type[_Model]] = {"role": DeskStep, "external": ExternalStep}


def _tag(key: str) -> str:
    """The union tag of a kind; :func:`~cadrelab.sim.scenario.problems.key_path` leaves
    ``<...>`` tags out of the key paths it shows."""
    return f"<{key}>"


def _kind_of(step: object) -> str:
    """The kind of a step: the first kind whose key it has (desk work if none)."""
    for key, model in KINDS.items():
        if (key in step) if isinstance(step, dict) else isinstance(step, model):
            return _tag(key)
    return _tag("role")


Step = Annotated[
    Union[tuple(Annotated[model, Tag(_tag(key))] for key, model in KINDS.items())],  # noqa: UP007
    Discriminator(_kind_of),
]


class OutsideStation:
    """An outside body or waiting period during a run: receives a step, hands it back later.

    The step's amount is its delay in days; the dossier is back at the commune when
    the delay has run from the moment the body starts it (at once, or on the first
    working day with capacity left).
    """

    __slots__ = ("capacity", "clock", "day", "env", "office", "used", "working")

    def __init__(self, body: Outside, clock: Clock, office) -> None:
        self.office = office
        self.env = office.env
        self.clock = clock
        self.working = body.days == "working"
        self.capacity = body.capacity_per_day
        self.day = -1  # the working day whose capacity is being used
        self.used = 0

    def __call__(self, position: int, now: float) -> None:
        office = self.office
        office.ready_at[position] = now
        start = now if self.capacity is None else self._slot(now)
        office.start_at[position] = start
        office.officer_at[position] = OUTSIDE
        if start == math.inf:  # no capacity left before the horizon
            return
        end = self.clock.after_days(start, office.work_at[position], self.working)
        if end < math.inf:
            back = self.env.timeout(end - now)
            back.callbacks.append(lambda _event: office.advance(position, end))

    def _slot(self, now: float) -> float:
        """When the body starts a dossier that reaches it at ``now`` (first come, first served)."""
        days = self.clock.working_day_numbers
        first = bisect.bisect_left(days, int(now // 1440))
        if first < len(days) and days[first] < self.day:
            first = bisect.bisect_left(days, self.day)
        if first < len(days) and days[first] == self.day and self.used >= self.capacity:
            first += 1
        if first >= len(days):
            return math.inf
        if days[first] != self.day:
            self.day, self.used = days[first], 0
        self.used += 1
        return max(now, self.day * 1440.0)
