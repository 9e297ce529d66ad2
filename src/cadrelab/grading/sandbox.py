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
- resources: per process, address space (memory), CPU seconds, file size, open
  files and process count (``setrlimit`` in the runner before any trainee code);
  wall-clock limits per cell and per submission enforced from outside by killing
  the whole sandbox; output kept per cell up to a limit, protocol lines capped.

What it does not isolate: the kernel (a kernel exploit escapes any namespace
sandbox); CPU time and memory bandwidth shared with other submissions (limits are
per process, not per group: a fork bomb is stopped by the process limit only when
the grader does not run as root, otherwise by the wall clock); read access to the
system folders and to the cadrelab package sources (public code and reference
tables, no answers); timing side channels.
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
from dataclasses import asdict, dataclass
from pathlib import Path

from cadrelab.errors import InputError
from cadrelab.i18n import t

SUBMISSION_DIR = "/submission"
STAGE_DIR = "/stage"
SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
SYSTEM_FILES = (
    "/etc/ld.so.cache",
    "/etc/localtime",
    "/etc/alternatives",
    "/etc/fonts",
    "/etc/mime.types",
)


@dataclass(frozen=True)
class Limits:
    """Resource limits for one submission (bytes, seconds)."""

    cell_timeout: float = 30.0
    memory_bytes: int = 1 << 30
    output_bytes: int = 256_000
    file_bytes: int = 16 << 20
    work_bytes: int = 64 << 20
    processes: int = 64
    message_bytes: int = 48 << 20

    def wall_seconds(self, cells: int) -> float:
        """The whole submission's wall-clock budget: every cell may use its full timeout."""
        return self.cell_timeout * (cells + 2)

    def for_runner(self, cells: int) -> dict:
        return {**asdict(self), "cpu_seconds": int(self.wall_seconds(cells)) + 1}


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
    """The reference tables (public, with their legal basis) that cases are generated from."""
    from cadrelab.reference import reference_dir

    folder = reference_dir().resolve()
    return [folder] if folder.is_dir() and folder not in readable_paths() else []


def bwrap_argv(
    bwrap: str,
    stage: Path,
    env: dict[str, str],
    limits: Limits,
    forbidden: list[Path],
    extra_readable: list[Path],
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
        str(limits.work_bytes),
        "--tmpfs",
        "/tmp",
    ]
    for path in [*readable_paths(), *data_paths(), *extra_readable]:
        _refuse_if_exposes(path, forbidden)
        argv += ["--ro-bind", str(path), str(path)]
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


def sandbox_env(trainee: str, home: str) -> dict[str, str]:
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
        # Generated cases withhold their ground truth inside the sandbox (cadrelab.data.cases).
        "CADRELAB_GRADING": "sandbox",
    }
    for name in ("TZ", "CADRELAB_LANG", "CADRELAB_REFERENCE_DIR"):
        if name in os.environ:
            env[name] = os.environ[name]
    return env


class SessionEnded(Exception):
    """The sandboxed process is gone (it exited, crashed or was killed)."""


class SessionTimeout(Exception):
    """The sandboxed process did not answer in time; it has been killed."""


class SessionViolation(Exception):
    """The sandboxed process sent something that is not a protocol line; it has been killed."""


class Session:
    """One running sandbox: send JSON lines in, read JSON lines out, with deadlines."""

    def __init__(
        self, argv: list[str], plan: dict, limits: Limits, cwd: Path, env: dict[str, str]
    ) -> None:
        self.limits = limits
        self.process = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            cwd=cwd,
            env=env,
            start_new_session=True,
            close_fds=True,
        )
        self.buffer = b""
        self.closed = False
        self.selector = selectors.DefaultSelector()
        assert self.process.stdout is not None
        os.set_blocking(self.process.stdout.fileno(), False)
        self.selector.register(self.process.stdout, selectors.EVENT_READ)
        self.send(plan)

    def send(self, message: dict) -> None:
        if self.closed:
            raise SessionEnded("sandbox already stopped")
        try:
            assert self.process.stdin is not None
            self.process.stdin.write(json.dumps(message).encode("utf-8") + b"\n")
            self.process.stdin.flush()
        except (BrokenPipeError, OSError):
            self.kill()
            raise SessionEnded("sandbox stopped reading") from None

    def receive(self, deadline: float) -> dict:
        """The next message; raises SessionEnded, SessionTimeout or SessionViolation."""
        while True:
            line, sep, rest = self.buffer.partition(b"\n")
            if sep:
                self.buffer = rest
                return self._parse(line)
            if len(self.buffer) > self.limits.message_bytes:
                self.kill()
                raise SessionViolation("message too large")
            if self.closed:
                raise SessionEnded("sandbox stopped")
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self.kill()
                raise SessionTimeout("no answer in time")
            if not self.selector.select(timeout=remaining):
                continue
            assert self.process.stdout is not None
            chunk = self.process.stdout.read(1 << 20)
            if chunk:
                self.buffer += chunk
            elif chunk == b"":
                self.kill()

    def _parse(self, line: bytes) -> dict:
        try:
            message = json.loads(line)
        except (json.JSONDecodeError, UnicodeDecodeError, RecursionError):
            self.kill()
            raise SessionViolation("not a JSON line") from None
        if not isinstance(message, dict) or not isinstance(message.get("op"), str):
            self.kill()
            raise SessionViolation("not a protocol message")
        return message

    def kill(self) -> None:
        if self.closed:
            return
        self.closed = True
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self.selector.close()
        for stream in (self.process.stdin, self.process.stdout):
            try:
                if stream is not None:
                    stream.close()
            except OSError:
                pass

    def close(self) -> None:
        """Say goodbye and stop the sandbox, whatever it does."""
        if not self.closed:
            try:
                self.send({"op": "bye"})
            except SessionEnded:
                return
        self.kill()


def runner_argv() -> list[str]:
    return [sys.executable, "-I", "-m", "cadrelab.grading.inside_sandbox.runner"]


def start(
    stage: Path,
    plan: dict,
    limits: Limits,
    trainee: str,
    bwrap: str | None,
    forbidden: list[Path],
    extra_readable: list[Path],
    scratch: Path,
) -> Session:
    """Start the runner on ``stage``: inside bwrap, or (unsafe) directly in ``scratch``."""
    if bwrap is None:
        env = {
            **sandbox_env(trainee, str(scratch)),
            "MPLCONFIGDIR": str(scratch / ".mpl"),
            "IPYTHONDIR": str(scratch / ".ipython"),
        }
        return Session(runner_argv(), {**plan, "stage": str(stage)}, limits, scratch, env)
    argv = bwrap_argv(
        bwrap, stage, sandbox_env(trainee, SUBMISSION_DIR), limits, forbidden, extra_readable
    )
    return Session(
        [*argv, *runner_argv()],
        {**plan, "stage": STAGE_DIR},
        limits,
        scratch,
        {"PATH": os.environ.get("PATH", "/usr/bin:/bin")},
    )
