"""One submission's resource budget, for all its processes together.

Per-process limits (``setrlimit``) let a trainee's code add up gigabytes with a few
child processes, so the whole process tree of a sandbox is held to one budget:
memory (tmpfs pages written to ``/tmp``, ``/submission`` and ``/dev/shm`` count too,
because the kernel charges them to the writer's control group), number of
processes, and CPU seconds.  The wall-clock budget is fixed per submission and
enforced by the caller.

Three ways to hold a tree to a budget, tried in this order:

* cgroup v2, when this process may create a child group with the ``memory`` and
  ``pids`` controllers (a delegated subtree, or root);
* cgroup v1, when the ``memory``, ``pids`` and ``cpuacct`` hierarchies are writable;
* otherwise a watchdog that sums the memory and CPU of the sandbox's processes from
  ``/proc`` a few times a second and kills the sandbox over budget (coarser: a fast
  allocation can overshoot between two looks; the per-process limits still apply).

The process enters its group between ``fork`` and ``exec`` (:meth:`Budget.enter`),
so nothing it starts can escape.  :meth:`Budget.exceeded` names the limit a
sandbox went over, for the report.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import signal
from dataclasses import dataclass
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")
_counter = itertools.count()


@dataclass(frozen=True)
class Limits:
    """A submission's limits (bytes, seconds).  Nothing here grows with the trainee's cells."""

    cell_timeout: float = 30.0
    submission_seconds: float = 300.0
    memory_bytes: int = 1 << 30
    processes: int = 64
    cpu_seconds: float = 240.0
    output_bytes: int = 256_000
    file_bytes: int = 16 << 20
    work_bytes: int = 64 << 20
    shm_bytes: int = 8 << 20
    message_bytes: int = 48 << 20
    max_cells: int = 400

    def for_runner(self, tree_held: bool) -> dict:
        """The per-process limits the runner sets on itself before any trainee code."""
        memory = self.memory_bytes * 4 if tree_held else self.memory_bytes
        return {
            "memory_bytes": memory,
            "cpu_seconds": int(self.cpu_seconds) + 1,
            "file_bytes": self.file_bytes,
            "processes": self.processes,
            "output_bytes": self.output_bytes,
        }


class Budget:
    """Holds one process tree to the limits; ``kind`` says how."""

    kind = "none"

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.root_pid: int | None = None

    def enter(self) -> None:
        """Run in the child between fork and exec: join the group."""

    def started(self, pid: int) -> None:
        self.root_pid = pid

    def exceeded(self) -> str | None:
        """The limit the tree went over so far: ``memory``, ``processes``, ``cpu``, or None."""
        return None

    def close(self) -> None:
        """Kill whatever is left in the group and remove it."""


class _CgroupBudget(Budget):
    def __init__(self, limits: Limits, groups: dict[str, Path]) -> None:
        super().__init__(limits)
        self.groups = groups

    def enter(self) -> None:
        pid = str(os.getpid()).encode()
        for group in self.groups.values():
            fd = os.open(group / "cgroup.procs", os.O_WRONLY)
            try:
                os.write(fd, pid)
            finally:
                os.close(fd)

    def _pids(self) -> list[int]:
        pids: set[int] = set()
        for group in self.groups.values():
            with contextlib.suppress(OSError, ValueError):
                pids.update(int(x) for x in (group / "cgroup.procs").read_text().split())
        return sorted(pids)

    def close(self) -> None:
        for _ in range(50):
            pids = self._pids()
            if not pids:
                break
            for pid in pids:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)
            _pause()
        for group in self.groups.values():
            with contextlib.suppress(OSError):
                group.rmdir()


class CgroupV1Budget(_CgroupBudget):
    kind = "cgroup v1"

    @classmethod
    def create(cls, limits: Limits, name: str) -> CgroupV1Budget | None:
        groups: dict[str, Path] = {}
        try:
            for controller in ("memory", "pids", "cpuacct"):
                group = CGROUP_ROOT / controller / name
                group.mkdir()
                groups[controller] = group
            _write(groups["memory"] / "memory.limit_in_bytes", limits.memory_bytes)
            with contextlib.suppress(OSError):  # without swap accounting there is no memsw
                _write(groups["memory"] / "memory.memsw.limit_in_bytes", limits.memory_bytes)
            _write(groups["pids"] / "pids.max", limits.processes)
        except OSError:
            cls(limits, groups).close()
            return None
        return cls(limits, groups)

    def exceeded(self) -> str | None:
        memory = _read_fields(self.groups["memory"] / "memory.oom_control")
        if memory.get("oom_kill", 0) > 0:
            return "memory"
        if _read_fields(self.groups["pids"] / "pids.events").get("max", 0) > 0:
            return "processes"
        try:
            used = int((self.groups["cpuacct"] / "cpuacct.usage").read_text()) / 1e9
        except (OSError, ValueError):
            used = 0.0
        return "cpu" if used > self.limits.cpu_seconds else None


class CgroupV2Budget(_CgroupBudget):
    kind = "cgroup v2"

    @classmethod
    def create(cls, limits: Limits, name: str) -> CgroupV2Budget | None:
        parent = _own_v2_group()
        if parent is None:
            return None
        group = parent / name
        try:
            controllers = (parent / "cgroup.subtree_control").read_text().split()
            if not {"memory", "pids"} <= set(controllers):
                return None
            group.mkdir()
            _write(group / "memory.max", limits.memory_bytes)
            with contextlib.suppress(OSError):
                _write(group / "memory.swap.max", 0)
            _write(group / "pids.max", limits.processes)
        except OSError:
            with contextlib.suppress(OSError):
                group.rmdir()
            return None
        return cls(limits, {"unified": group})

    def exceeded(self) -> str | None:
        group = self.groups["unified"]
        if _read_fields(group / "memory.events").get("oom_kill", 0) > 0:
            return "memory"
        if _read_fields(group / "pids.events").get("max", 0) > 0:
            return "processes"
        used = _read_fields(group / "cpu.stat").get("usage_usec", 0) / 1e6
        return "cpu" if used > self.limits.cpu_seconds else None


class WatchdogBudget(Budget):
    """No control group available: look at the tree's processes from ``/proc`` instead."""

    kind = "watchdog"

    def __init__(self, limits: Limits) -> None:
        super().__init__(limits)
        self.cause: str | None = None
        self.page = os.sysconf("SC_PAGE_SIZE")
        self.tick = os.sysconf("SC_CLK_TCK")

    def exceeded(self) -> str | None:
        if self.cause is None and self.root_pid is not None:
            tree = _descendants(self.root_pid)
            memory = cpu = 0.0
            for pid in tree:
                with contextlib.suppress(OSError, ValueError, IndexError):
                    memory += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * self.page
                    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                    cpu += (int(fields[11]) + int(fields[12])) / self.tick
            if memory > self.limits.memory_bytes:
                self.cause = "memory"
            elif len(tree) > self.limits.processes + 2:  # bwrap and its init are not the trainee's
                self.cause = "processes"
            elif cpu > self.limits.cpu_seconds:
                self.cause = "cpu"
        return self.cause


def budget_for(limits: Limits) -> Budget:
    """The strongest budget this machine offers for one sandbox."""
    name = f"cadrelab-{os.getpid()}-{next(_counter)}"
    return (
        CgroupV2Budget.create(limits, name)
        or CgroupV1Budget.create(limits, name)
        or WatchdogBudget(limits)
    )


def _own_v2_group() -> Path | None:
    """This process's cgroup v2 folder, when the unified hierarchy is mounted at the root."""
    try:
        if (CGROUP_ROOT / "cgroup.controllers").exists():
            for line in Path("/proc/self/cgroup").read_text().splitlines():
                if line.startswith("0::"):
                    return CGROUP_ROOT / line[3:].lstrip("/")
    except OSError:
        return None
    return None


def _descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            with contextlib.suppress(OSError, ValueError, IndexError):
                stat = Path(f"/proc/{entry.name}/stat").read_text()
                parent = int(stat.rsplit(")", 1)[1].split()[1])
                children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def _write(path: Path, value: int) -> None:
    path.write_text(str(value))


def _read_fields(path: Path) -> dict[str, int]:
    """``key value`` lines (memory.events, pids.events, oom_control, cpu.stat) as a dict."""
    fields: dict[str, int] = {}
    with contextlib.suppress(OSError):
        for line in path.read_text().splitlines():
            key, _, value = line.partition(" ")
            with contextlib.suppress(ValueError):
                fields[key] = int(value)
    return fields


def _pause() -> None:
    import time

    time.sleep(0.02)


def remove_stale_groups() -> None:
    """Remove the control groups of sandboxes whose grader was killed (empty by now)."""
    for parent in [CGROUP_ROOT / c for c in ("memory", "pids", "cpuacct")] + [
        p for p in [_own_v2_group()] if p is not None
    ]:
        with contextlib.suppress(OSError):
            for group in parent.glob("cadrelab-*"):
                pid = group.name.split("-")[1]
                if pid.isdigit() and not Path(f"/proc/{pid}").exists():
                    with contextlib.suppress(OSError):
                        group.rmdir()
