"""Run one submission's code in a bubblewrap sandbox and talk to it line by line.

What the sandbox isolates (bubblewrap from Debian, ``bwrap``):

- files: a fresh root with only the system folders, this Python, the cadrelab
  sources and the reference tables (``datasets/reference``) mounted read-only;
  the submission is copied into a size-limited tmpfs at ``/submission``.  The
  workshop folder (``source/``, the gradebook, other trainees' submissions), the
  course sources and the rest of the home folder are not there at all.
- network: its own network namespace with nothing but a loopback (no route out).
- processes: its own PID, IPC, UTS and (where possible) cgroup namespaces; all
  capabilities dropped; user ``nobody`` in its own user namespace; killed with the
  grader (``--die-with-parent``), in a new session (no terminal injection).
- resources: memory, processes and CPU seconds of the whole process tree
  (:mod:`cadrelab.grading.resource_budget`: a control group, or a watchdog where
  none is available), every writable file system sized (``/tmp``, ``/submission``,
  ``/dev/shm``), per-process limits as a second line (``setrlimit`` in the runner),
  wall-clock limits per cell and a fixed one per submission enforced from outside by
  killing the whole sandbox; output kept per cell up to a limit; every message out
  checked by :mod:`cadrelab.grading.sandbox_messages`.

What it does not isolate: the kernel (a kernel exploit escapes any namespace
sandbox); memory bandwidth and CPU caches shared with other submissions; read
access to the system folders and to the cadrelab package (public code and
reference tables; the packaged course sources are hidden); timing side channels.
"""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import shutil
import signal
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

from cadrelab.errors import InputError
from cadrelab.grading import sandbox_messages
from cadrelab.grading.resource_budget import Budget, Limits
from cadrelab.i18n import t

SUBMISSION_DIR = "/submission"
STAGE_DIR = "/stage"
CASES_DIR = "/cases"
SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
SYSTEM_FILES = (
    "/etc/ld.so.cache",
    "/etc/localtime",
    "/etc/alternatives",
    "/etc/fonts",
    "/etc/mime.types",
)


class SandboxUnavailable(InputError):
    """bubblewrap is missing or cannot create namespaces on this machine."""


def find_bwrap() -> str | None:
    return shutil.which("bwrap")


def check_sandbox(unsafe: bool) -> str | None:
    """The bwrap path, or None when ``unsafe`` allows running without it; else refuse loudly."""
    bwrap = find_bwrap()
    problem = None
    if bwrap is None:
        problem = "bubblewrap (bwrap) is not installed"
    else:
        probe = subprocess.run(
            [bwrap, "--unshare-all", "--ro-bind", "/", "/", "true"],
            capture_output=True,
            text=True,
            timeout=30,
        )
        if probe.returncode != 0:
            problem = f"bubblewrap cannot create a sandbox here ({probe.stderr.strip()[:200]})"
    if problem is None:
        return bwrap
    if unsafe:
        banner = "!" * 78
        print(
            f"{banner}\n{t('grading.unsafe_banner', 'en', problem=problem)}\n"
            f"{t('grading.unsafe_banner', 'vi', problem=problem)}\n{banner}",
            file=sys.stderr,
            flush=True,
        )
        return None
    raise SandboxUnavailable(
        f"{problem}; install it (Debian/Ubuntu: apt-get install bubblewrap) or pass --unsafe "
        "to run trainees' code with your own rights",
        problem_vi=t("grading.sandbox_missing", "vi", problem=problem),
    )


def readable_paths() -> list[Path]:
    """Folders the runner needs: this Python's installation, its environment, cadrelab's sources.

    Only these: never ``sys.path`` as a whole, which may hold the current folder or a
    repository root (with ``courses/`` and its solutions) put there by a test runner.
    """
    import cadrelab

    paths = {Path(sys.base_prefix), Path(sys.prefix), Path(cadrelab.__file__).parents[1]}
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        paths.add(Path(sysconfig.get_paths()[key]))
    resolved = {p.resolve() for p in paths if p.exists()}
    # keep only the outermost folders
    return sorted(p for p in resolved if not any(q != p and q in p.parents for q in resolved))


def data_paths() -> list[Path]:
    """Public content the package reads at run time: reference tables and scenario files."""
    from cadrelab.content import reference_dir, simulations_dir

    readable = readable_paths()
    found = []
    for folder in (reference_dir().resolve(), simulations_dir().resolve()):
        inside = any(folder == p or p in folder.parents for p in readable)
        if folder.is_dir() and not inside:
            found.append(folder)
    return found


def hidden_paths() -> list[Path]:
    """Folders inside the readable ones that trainees' code must not see: the packaged
    course sources (solutions and hidden tests), when cadrelab runs from a wheel."""
    from cadrelab.content import checkout_root, courses_dir

    folder = courses_dir().resolve()
    return [folder] if checkout_root() is None and folder.is_dir() else []


def bwrap_argv(
    bwrap: str,
    stage: Path,
    env: dict[str, str],
    limits: Limits,
    forbidden: list[Path],
    cases: Path | None,
) -> list[str]:
    """The bwrap command line for one submission."""
    argv = [
        bwrap,
        "--unshare-all",
        "--die-with-parent",
        "--new-session",
        "--cap-drop",
        "ALL",
        "--uid",
        "65534",
        "--gid",
        "65534",
        "--hostname",
        "sandbox",
        "--clearenv",
    ]
    for name, value in env.items():
        argv += ["--setenv", name, value]
    for folder in SYSTEM_DIRS:
        path = Path(folder)
        if path.is_symlink():
            argv += ["--symlink", os.readlink(path), folder]
        elif path.is_dir():
            argv += ["--ro-bind", folder, folder]
    for file in SYSTEM_FILES:
        argv += ["--ro-bind-try", file, file]
    # /tmp first: the Python environment or the sources may live under /tmp (a clone in
    # a temporary folder), and a later mount would hide them.
    argv += [
        "--proc",
        "/proc",
        "--dev",
        "/dev",
        "--size",
        str(limits.shm_bytes),
        "--tmpfs",
        "/dev/shm",
        "--size",
        str(limits.work_bytes),
        "--tmpfs",
        "/tmp",
    ]
    for path in [*readable_paths(), *data_paths()]:
        _refuse_if_exposes(path, forbidden)
        argv += ["--ro-bind", str(path), str(path)]
    for path in hidden_paths():
        argv += ["--tmpfs", str(path), "--remount-ro", str(path)]
    if cases is not None:
        argv += ["--ro-bind", str(cases), CASES_DIR]
    argv += [
        "--size",
        str(limits.work_bytes),
        "--tmpfs",
        SUBMISSION_DIR,
        "--ro-bind",
        str(stage),
        STAGE_DIR,
        "--chdir",
        SUBMISSION_DIR,
    ]
    return argv


def _refuse_if_exposes(path: Path, forbidden: list[Path]) -> None:
    for secret in forbidden:
        secret = secret.resolve()
        if path == secret or path in secret.parents:
            raise InputError(
                f"the sandbox would need to read {path}, which contains {secret}; "
                "keep the workshop folder outside the Python installation and the cadrelab sources",
                file=secret,
            )


def sandbox_env(trainee: str, home: str, cases: str | None) -> dict[str, str]:
    env = {
        "PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin",
        "HOME": home,
        "USER": "trainee",
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONIOENCODING": "utf-8",
        "MPLBACKEND": "module://matplotlib_inline.backend_inline",
        "MPLCONFIGDIR": "/tmp/matplotlib",
        "IPYTHONDIR": "/tmp/ipython",
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "CADRELAB_TRAINEE": trainee,
    }
    if cases is not None:
        env["CADRELAB_CASES_DIR"] = cases
    for name in ("TZ", "CADRELAB_LANG", "CADRELAB_REFERENCE_DIR"):
        if name in os.environ:
            env[name] = os.environ[name]
    return env


class SessionEnded(Exception):
    """The sandboxed process is gone (it exited, crashed or was killed)."""


class SessionTimeout(Exception):
    """The sandbox did not answer in time (``limit``: ``cell`` or ``submission``); killed."""

    def __init__(self, limit: str) -> None:
        super().__init__(f"{limit} time limit")
        self.limit = limit


class SessionOverBudget(Exception):
    """The sandbox's process tree went over its budget (``limit``: memory, processes, cpu)."""

    def __init__(self, limit: str) -> None:
        super().__init__(f"{limit} limit")
        self.limit = limit


class SessionViolation(Exception):
    """The sandbox sent something that is not a well-formed protocol message; killed."""


class Session:
    """One running sandbox: send JSON lines in, read checked messages out, within budget.

    Every wait is bounded twice: by the caller's deadline (a cell, a test's call) and by
    the submission's fixed wall-clock budget, which does not grow with the number of cells.
    """

    POLL_SECONDS = 0.25

    def __init__(
        self,
        argv: list[str],
        first: dict,
        limits: Limits,
        cwd: Path,
        env: dict[str, str],
        budget: Budget,
    ) -> None:
        self.limits = limits
        self.budget = budget
        self.ends_at = time.monotonic() + limits.submission_seconds
        self.process = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            cwd=cwd,
            env=env,
            start_new_session=True,
            close_fds=True,
            preexec_fn=budget.enter,  # joins the control group before exec: nothing escapes
        )
        budget.started(self.process.pid)
        self.buffer = b""
        self.closed = False
        self.selector = selectors.DefaultSelector()
        assert self.process.stdout is not None
        os.set_blocking(self.process.stdout.fileno(), False)
        self.selector.register(self.process.stdout, selectors.EVENT_READ)
        self.send(first)

    def send(self, message: dict) -> None:
        if self.closed:
            raise SessionEnded("sandbox already stopped")
        try:
            assert self.process.stdin is not None
            self.process.stdin.write(json.dumps(message).encode("utf-8") + b"\n")
            self.process.stdin.flush()
        except (BrokenPipeError, OSError):
            self._ended()

    def receive(self, deadline: float) -> dict:
        """The next checked message; raises SessionEnded, SessionTimeout, SessionOverBudget
        or SessionViolation (the sandbox is killed in every case but the first)."""
        while True:
            line, sep, rest = self.buffer.partition(b"\n")
            if sep:
                self.buffer = rest
                try:
                    return sandbox_messages.parse(line, self.limits.message_bytes)
                except sandbox_messages.BadMessage as exc:
                    self.kill()
                    raise SessionViolation(str(exc)) from None
            if len(self.buffer) > self.limits.message_bytes:
                self.kill()
                raise SessionViolation("message too large")
            if self.closed:
                self._ended()
            over = self.budget.exceeded()
            if over is not None:
                self.kill()
                raise SessionOverBudget(over)
            now = time.monotonic()
            if now >= self.ends_at:
                self.kill()
                raise SessionTimeout("submission")
            if now >= deadline:
                self.kill()
                raise SessionTimeout("cell")
            wait = min(deadline, self.ends_at) - now
            if not self.selector.select(timeout=min(wait, self.POLL_SECONDS)):
                continue
            assert self.process.stdout is not None
            chunk = self.process.stdout.read(1 << 20)
            if chunk:
                self.buffer += chunk
            elif chunk == b"":
                self.kill()

    def _ended(self) -> None:
        """The process is gone: say why if a budget killed it (the kernel's OOM killer)."""
        self.kill()
        over = self.budget.exceeded()
        if over is not None:
            raise SessionOverBudget(over)
        raise SessionEnded("sandbox stopped")

    def kill(self) -> None:
        if self.closed:
            return
        self.closed = True
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self.selector.close()
        for stream in (self.process.stdin, self.process.stdout):
            with contextlib.suppress(OSError):
                if stream is not None:
                    stream.close()

    def close(self) -> None:
        """Say goodbye, stop the sandbox whatever it does, and free its budget."""
        if not self.closed:
            with contextlib.suppress(SessionEnded, SessionOverBudget):
                self.send({"op": "bye"})
        self.kill()
        self.budget.close()


def runner_argv() -> list[str]:
    return [sys.executable, "-I", "-m", "cadrelab.grading.inside_sandbox.runner"]


def start(
    stage: Path,
    plan: dict,
    limits: Limits,
    trainee: str,
    bwrap: str | None,
    forbidden: list[Path],
    cases: Path | None,
    scratch: Path,
    budget: Budget,
) -> Session:
    """Start the runner on ``stage``: inside bwrap, or (unsafe) directly in ``scratch``."""
    if bwrap is None:
        env = {
            **sandbox_env(trainee, str(scratch), str(cases) if cases else None),
            "MPLCONFIGDIR": str(scratch / ".mpl"),
            "IPYTHONDIR": str(scratch / ".ipython"),
        }
        first = {**plan, "stage": str(stage)}
        return Session(runner_argv(), first, limits, scratch, env, budget)
    env = sandbox_env(trainee, SUBMISSION_DIR, CASES_DIR if cases else None)
    argv = bwrap_argv(bwrap, stage, env, limits, forbidden, cases)
    return Session(
        [*argv, *runner_argv()],
        {**plan, "stage": STAGE_DIR},
        limits,
        scratch,
        {"PATH": os.environ.get("PATH", "/usr/bin:/bin")},
        budget,
    )
