"""Start a trainee's server on one training server: their own Unix user, their own files.

Before the server starts, the hub (root) delivers into the trainee's home folder:

* ``~/cadrelab-cases/``: the trainee's cases of the workshop, copied from
  ``WORKSHOP/cases/<user>/`` (written by ``cadrelab workshop release``: tables only,
  never the ground truth or the secret); the server's ``CADRELAB_CASES_DIR`` points
  there, so ``cadrelab.data.load_cases`` reads them;
* ``~/khoa-hoc/``: the trainee version of the courses, only the files the trainee
  does not have yet, so edited notebooks are never overwritten.

The home folder is closed to everyone else (0700).  Everything is written through
file descriptors opened without following links, so a link the trainee planted in
their home cannot make the hub write anywhere else; whatever stands in the way
(a file named like the folder, a link) is renamed aside, never deleted.

Stopping a trainee's server (the hub stopping, the idle culler, the trainee) ends
every process of the trainee's user, so no kernel outlives its server.

Limits per trainee: ``mem_limit`` caps the data memory of each of the trainee's
processes (the server and each kernel), ``process_limit`` the number of processes
and threads of the trainee's user, and ``cpu_limit`` the threads numerical
libraries start.  A hard share of CPU time per trainee needs a cgroup-based
spawner (the Kubernetes set-up has one).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import pwd
import resource
import signal
import stat
import time
from pathlib import Path

from jupyterhub.spawner import LocalProcessSpawner
from traitlets import Integer, Unicode

from cadrelab.hub.home import CASES_ENV, CASES_FOLDER, COURSES_FOLDER

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW
FIRST_TRAINEE_UID = 1000  # below: system accounts (root, daemons), never a trainee


class HomeWriter:
    """Write into a user's home as root without following anything the user controls."""

    def __init__(self, home: Path, uid: int, gid: int) -> None:
        self.uid, self.gid = uid, gid
        self.home_fd = os.open(home, _DIR_FLAGS)

    def close(self) -> None:
        os.close(self.home_fd)

    def lock_home(self) -> None:
        """Nobody but the trainee reads or lists their home folder."""
        if os.fstat(self.home_fd).st_uid == self.uid:
            os.fchmod(self.home_fd, 0o700)

    def _move_aside(self, parent_fd: int, name: str) -> None:
        aside = f"{name}.cadrelab-{time.strftime('%Y%m%d-%H%M%S')}"
        os.rename(name, aside, src_dir_fd=parent_fd, dst_dir_fd=parent_fd)

    def _folder(self, parent_fd: int, name: str) -> int:
        """The real folder ``name`` in ``parent_fd`` (created if needed), owned by the user."""
        with contextlib.suppress(FileExistsError):
            os.mkdir(name, 0o700, dir_fd=parent_fd)
        try:
            fd = os.open(name, _DIR_FLAGS, dir_fd=parent_fd)
        except OSError:
            self._move_aside(parent_fd, name)
            os.mkdir(name, 0o700, dir_fd=parent_fd)
            fd = os.open(name, _DIR_FLAGS, dir_fd=parent_fd)
        os.fchown(fd, self.uid, self.gid)
        return fd

    def _write(self, folder_fd: int, name: str, data: bytes, replace: bool) -> bool:
        try:
            existing = os.stat(name, dir_fd=folder_fd, follow_symlinks=False)
        except FileNotFoundError:
            existing = None
        if existing is not None:
            if not replace:
                return False
            if stat.S_ISDIR(existing.st_mode):
                self._move_aside(folder_fd, name)
        temporary = f".{name}.cadrelab-tmp"
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary, dir_fd=folder_fd)
        fd = os.open(
            temporary,
            os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW,
            0o600,
            dir_fd=folder_fd,
        )
        try:
            os.write(fd, data)
            os.fchown(fd, self.uid, self.gid)
        finally:
            os.close(fd)
        os.replace(temporary, name, src_dir_fd=folder_fd, dst_dir_fd=folder_fd)
        return True

    def copy(self, source: Path, folder: str, replace: bool) -> list[str]:
        """Copy the files under ``source`` into ``~/folder``; returns those written.

        ``replace``: files already there are replaced (the trainer's data) or kept
        (the trainee's work)."""
        written = []
        opened = {(): self._folder(self.home_fd, folder)}
        try:
            for path in sorted(source.rglob("*")):
                if path.is_symlink() or not path.is_file():
                    continue
                parts = path.relative_to(source).parts
                for depth in range(1, len(parts)):
                    if parts[:depth] not in opened:
                        opened[parts[:depth]] = self._folder(
                            opened[parts[: depth - 1]], parts[depth - 1]
                        )
                if self._write(opened[parts[:-1]], parts[-1], path.read_bytes(), replace):
                    written.append("/".join(parts))
        finally:
            for fd in opened.values():
                os.close(fd)
        return written


def deliver(user: str, workshop: Path, trainee_courses: Path | None) -> bool:
    """Put ``user``'s cases and course copy into their home; True when they have cases."""
    account = pwd.getpwnam(user)
    if account.pw_uid < FIRST_TRAINEE_UID:
        raise RuntimeError(f"{user!r} is a system account (uid {account.pw_uid}), not a trainee")
    writer = HomeWriter(Path(account.pw_dir), account.pw_uid, account.pw_gid)
    try:
        writer.lock_home()
        cases = workshop / "cases" / user
        if cases.is_dir():
            writer.copy(cases, CASES_FOLDER, replace=True)
        if trainee_courses is not None and trainee_courses.is_dir():
            writer.copy(trainee_courses, COURSES_FOLDER, replace=False)
    finally:
        writer.close()
    return cases.is_dir()


def end_processes_of(uid: int, grace_seconds: float = 5.0) -> list[int]:
    """Stop every process of ``uid`` (kernels a stopped server left behind): SIGTERM, then
    SIGKILL after ``grace_seconds``; the process ids that were still running."""

    def running() -> list[int]:
        found = []
        for entry in os.listdir("/proc"):
            with contextlib.suppress(OSError):
                if entry.isdigit() and os.stat(f"/proc/{entry}").st_uid == uid:
                    found.append(int(entry))
        return found

    if uid < FIRST_TRAINEE_UID:
        return []
    left = running()
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid in left:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)
        deadline = time.monotonic() + grace_seconds
        while running() and time.monotonic() < deadline:
            time.sleep(0.2)
    return left


class WorkshopSpawner(LocalProcessSpawner):
    """LocalProcessSpawner with the workshop's delivery step and per-trainee limits."""

    workshop = Unicode(help="The workshop folder (cases/<user>/ is copied from here).").tag(
        config=True
    )
    trainee_courses = Unicode(help="The trainee version of the courses, for ~/khoa-hoc.").tag(
        config=True
    )
    process_limit = Integer(512, help="Processes and threads per trainee.").tag(config=True)

    _has_cases = False

    async def start(self):  # type: ignore[override]
        courses = Path(self.trainee_courses) if self.trainee_courses else None
        self._has_cases = await asyncio.to_thread(
            deliver, self.user.name, Path(self.workshop), courses
        )
        return await super().start()

    async def stop(self, now: bool = False) -> None:  # type: ignore[override]
        """Stop the server, then whatever of the trainee's still runs (a kernel the server
        could not shut down in time): a stopped trainee holds no memory."""
        await super().stop(now=now)
        await asyncio.to_thread(end_processes_of, pwd.getpwnam(self.user.name).pw_uid)

    def get_env(self) -> dict:
        env = super().get_env()
        if self._has_cases:
            env[CASES_ENV] = str(Path(env["HOME"]) / CASES_FOLDER)
        threads = str(max(1, int(self.cpu_limit or 1)))
        for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
            env[variable] = threads
        return env

    def make_preexec_fn(self, name: str):
        become_user = super().make_preexec_fn(name)
        memory, processes = int(self.mem_limit or 0), int(self.process_limit)

        def limit_and_become_user() -> None:
            if memory:
                resource.setrlimit(resource.RLIMIT_DATA, (memory, memory))
            resource.setrlimit(resource.RLIMIT_NPROC, (processes, processes))
            become_user()

        return limit_and_become_user
