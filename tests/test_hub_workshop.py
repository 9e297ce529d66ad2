"""Thirty trainees on a real JupyterHub, from the wheel, with the generated configuration.

As root: JupyterHub on 127.0.0.1 with configurable-http-proxy and the workshop's spawner
(a local process per trainee, each trainee a Unix user created at the first login).
The trainer (a Unix user of their own, the workshop in a home only they can read)
copies the courses, keeps a real lesson and the grader's fixture exercise, runs
init, roster import and release (which writes every trainee's cases).  Each trainee
logs in through the hub's login form and REST API, starts a server, fetches the
exercise through the nbgrader exchange, runs right, wrong or hostile answers in their
own kernel, saves and submits; the trainer collects, autogrades with --jobs 2 and
releases feedback, which every trainee fetches.  Checked: every score and status,
that each trainee reads their own cases, that nobody reaches another trainee's files,
the source, the gradebook, the secret or the hub's state (contents API and kernel
alike), a login not on the roster, a second hub on the same port, and that stopping
the hub leaves no trainee process.  Hub CPU, memory per trainee server and the time
of each phase are printed and written to test-artifacts/hub-sizing.json.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import http.cookiejar
import io
import json
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import pytest
from tornado.httpclient import HTTPRequest
from tornado.websocket import websocket_connect

from graders.fixtures import submissions as fixtures
from tests.conftest import free_port, require_executable
from tests.servers import ARTIFACTS
from tests.test_workshop_e2e import ASSIGNMENT, EXPECTED, NOTEBOOK, POINTS

pytestmark = pytest.mark.slow

COURSE = "lop-hub"
LESSON = "00-nhap-mon/01-lam-quen"  # a real lesson: release writes every trainee's cases
LESSON_EXERCISE = "nhap-mon-01"
TRAINER = "cadrelab-gv"
MARK = "cadrelab hub test"  # the comment field of every user this test creates
KINDS = (
    ["good"] * 18
    + ["wrong"] * 3
    + ["partly_wrong"] * 3
    + ["blank"] * 2
    + ["transformer", "deleted_cells", "edited_locked", "writes_gradebook"]
)
TRAINEES = {f"hv{n:03d}": kind for n, kind in enumerate(KINDS, start=1)}
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng"]
GIVEN = ["An", "Bình", "Cường", "Dung", "Đức", "Hà"]
NAMES = {t: f"{FAMILY[n % 5]} Văn {GIVEN[n // 5]}" for n, t in enumerate(TRAINEES)}
WORKERS = 10


def require_root_hub() -> None:
    """The hub needs root (one Unix user per trainee); skip locally, fail under CI.

    Users an interrupted run of this test left behind (marked :data:`MARK`) are removed
    first; a user of the same name that this test did not create is never touched."""
    problems = []
    if os.geteuid() != 0:
        problems.append("the hub test must run as root (one Unix user per trainee)")
    else:
        remove_users(only_marked=True)
    for user in [TRAINER, *TRAINEES]:
        with contextlib.suppress(KeyError):
            pwd.getpwnam(user)
            problems.append(f"a Unix user {user!r} not made by this test exists on this machine")
    if problems:
        if os.environ.get("CI"):
            pytest.fail("; ".join(problems))
        pytest.skip("; ".join(problems))
    for tool in ("configurable-http-proxy", "bwrap", "adduser", "useradd", "usermod", "userdel"):
        require_executable(tool)


# --- talking to the hub and to a trainee's server ----------------------------------------


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@dataclass
class Browser:
    """A trainee's session: the hub's cookies, then an API token."""

    hub: str
    name: str
    jar: http.cookiejar.CookieJar = field(default_factory=http.cookiejar.CookieJar)
    token: str = ""

    def __post_init__(self) -> None:
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect()
        )

    def cookie(self, name: str) -> str:
        return next((c.value for c in self.jar if c.name == name), "")

    def call(self, method: str, url: str, body: object = None, form: dict | None = None):
        data, headers = None, {}
        if form is not None:
            data = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        elif body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if self.token:
            headers["Authorization"] = f"token {self.token}"
        elif self.cookie("_xsrf"):
            headers["X-XSRFToken"] = self.cookie("_xsrf")
        request = urllib.request.Request(url, data=data, headers=headers, method=method)
        try:
            with self.opener.open(request, timeout=120) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def login(self, password: str) -> tuple[int, bytes]:
        self.call("GET", f"{self.hub}/hub/login")
        form = {"username": self.name, "password": password, "_xsrf": self.cookie("_xsrf")}
        return self.call("POST", f"{self.hub}/hub/login", form=form)

    def get_token(self) -> None:
        status, body = self.call(
            "POST", f"{self.hub}/hub/api/users/{self.name}/tokens", {"note": "hub test"}
        )
        assert status == 201, (self.name, status, body[:300])
        self.token = json.loads(body)["token"]

    @property
    def server(self) -> str:
        return f"{self.hub}/user/{self.name}"

    def contents(self, path: str) -> tuple[int, dict]:
        quoted = urllib.parse.quote(path)
        status, body = self.call("GET", f"{self.server}/api/contents/{quoted}?content=1")
        return status, (json.loads(body) if status == 200 else {})


def execute_request(code: str, session: str) -> tuple[str, str]:
    msg_id = uuid.uuid4().hex
    message = {
        "header": {
            "msg_id": msg_id,
            "username": "hv",
            "session": session,
            "msg_type": "execute_request",
            "version": "5.3",
        },
        "parent_header": {},
        "metadata": {},
        "content": {
            "code": code,
            "silent": False,
            "store_history": True,
            "user_expressions": {},
            "allow_stdin": False,
            "stop_on_error": False,
        },
        "channel": "shell",
        "buffers": [],
    }
    return msg_id, json.dumps(message)


async def run_in_kernel(browser: Browser, kernel: str, cells: list[str]) -> list[list[dict]]:
    """Run ``cells`` in the trainee's kernel over its websocket; the outputs of each cell."""
    url = browser.server.replace("http://", "ws://") + f"/api/kernels/{kernel}/channels"
    request = HTTPRequest(
        url,
        headers={"Authorization": f"token {browser.token}"},
        connect_timeout=300,
        request_timeout=300,
    )
    connection = await websocket_connect(request)
    session = uuid.uuid4().hex
    results = []
    try:
        for code in cells:
            msg_id, message = execute_request(code, session)
            await connection.write_message(message)
            outputs: list[dict] = []
            replied = idle = False
            while not (replied and idle):
                raw = await asyncio.wait_for(connection.read_message(), timeout=300)
                assert raw is not None, "kernel channel closed"
                reply = json.loads(raw)
                if reply.get("parent_header", {}).get("msg_id") != msg_id:
                    continue
                kind, content = reply["msg_type"], reply["content"]
                if kind == "stream":
                    outputs.append({"output_type": "stream", **content})
                elif kind in ("execute_result", "display_data"):
                    outputs.append({"output_type": kind, "metadata": {}, **content})
                elif kind == "error":
                    outputs.append({"output_type": "error", **content})
                elif kind == "execute_reply":
                    replied = True
                elif kind == "status" and content["execution_state"] == "idle":
                    idle = True
            results.append(outputs)
    finally:
        connection.close()
    return results


def printed(outputs: list[dict]) -> str:
    return "".join(o.get("text", "") for o in outputs if o["output_type"] == "stream")


# --- what runs inside each trainee's kernel -----------------------------------------------

CASES_PROBE = f"""
import json, os
from cadrelab.data import load_cases
cases = load_cases({LESSON_EXERCISE!r})
folder = os.environ.get("CADRELAB_CASES_DIR", "")
with open(os.path.join(folder, {LESSON_EXERCISE!r}, "manifest.json"), encoding="utf-8") as f:
    manifest = json.load(f)
print(json.dumps({{"folder": folder, "trainee": manifest["trainee"],
                  "rows": {{name: len(table) for name, table in cases.tables.items()}}}}))
"""


def isolation_probe(targets: dict[str, str]) -> str:
    return f"""
import json, os
result = {{}}
for name, path in {targets!r}.items():
    try:
        if os.path.isdir(path):
            os.listdir(path)
        else:
            open(path, "rb").read(1)
        result[name] = "read"
    except PermissionError:
        result[name] = "denied"
    except OSError as error:
        result[name] = type(error).__name__
print(json.dumps(result))
"""


# --- the hub -------------------------------------------------------------------------------


@dataclass
class Hub:
    base: Path
    installed: object
    workshop: Path
    out: Path
    url: str
    process: subprocess.Popen
    log: Path
    exchange: Path
    phases: dict[str, float] = field(default_factory=dict)
    sessions: dict[str, dict] = field(default_factory=dict)
    metrics: dict[str, object] = field(default_factory=dict)


def as_trainer(hub_base: Path, installed, *argv: str, check: bool = True):
    home = hub_base / "trainer"
    done = subprocess.run(
        [str(installed.bin / "cadrelab"), *argv],
        cwd=home,
        env=installed.env(home),
        user=TRAINER,
        group=TRAINER,
        extra_groups=[],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=900,
        check=False,
    )
    if check:
        assert done.returncode == 0, (argv, done.stdout[-2000:], done.stderr[-2000:])
    return done


def give_to_trainer(path: Path) -> None:
    for item in [path, *path.rglob("*")]:
        shutil.chown(item, TRAINER, TRAINER)


def prepare_workshop(base: Path, installed) -> tuple[Path, Path]:
    """As the trainer: courses (a real lesson and the fixture exercise), init, roster, release."""
    home = base / "trainer"
    subprocess.run(
        [
            "useradd",
            "--comment",
            MARK,
            "--home-dir",
            str(home),
            "--create-home",
            "--shell",
            "/bin/sh",
            TRAINER,
        ],
        check=True,
    )
    home.chmod(0o700)
    exchange = base / "exchange"
    exchange.mkdir()
    exchange.chmod(0o777)
    as_trainer(base, installed, "courses", "copy", "kho", "--with-solutions")
    # the exercise set trainees cannot browse: one real lesson and the grader's fixture
    courses = home / "kho-bai"
    shutil.copytree(home / "kho" / LESSON, courses / LESSON)
    shutil.copytree(fixtures.COURSES / "thuc-hanh" / "bai-01", courses / "thuc-hanh" / "bai-01")
    roster = home / "danh-sach.csv"
    rows = "".join(f"{t},{NAMES[t]},Xã Tân Lập,\n" for t in TRAINEES)
    roster.write_text("ma_hoc_vien,ho_ten,don_vi,email\n" + rows, encoding="utf-8")
    give_to_trainer(courses)
    give_to_trainer(roster)
    workshop = home / "lop"
    as_trainer(
        base, installed, "workshop", "init", str(workshop), "--course-id", COURSE,
        "--courses", str(courses), "--exchange", str(exchange),
    )  # fmt: skip
    as_trainer(base, installed, "workshop", "roster", "import", str(roster), "--dir", str(workshop))
    as_trainer(base, installed, "workshop", "release", "--all", "--dir", str(workshop))
    return workshop, exchange


def password(trainee: str) -> str:
    return f"mat-khau-{trainee}-2025"


def start_hub(installed, out: Path, workshop: Path, port: int) -> tuple[subprocess.Popen, Path]:
    ports = ["--port", str(port), "--hub-port", str(free_port())]
    done = subprocess.run(
        [str(installed.bin / "cadrelab"), "workshop", "hub-config", str(out),
         "--dir", str(workshop), "--ip", "127.0.0.1", *ports,
         "--proxy-api-port", str(free_port())],
        env=installed.env(out.parent), capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    log = out.parent / "hub.log"
    process = subprocess.Popen(
        [str(installed.bin / "jupyterhub"), "-f", str(out / "jupyterhub_config.py")],
        cwd=out,
        env=installed.env(out),
        stdout=log.open("w", encoding="utf-8"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        # the proxy answers 404 until the hub's route is in
        with (
            contextlib.suppress(OSError),
            urllib.request.urlopen(f"http://127.0.0.1:{port}/hub/api", timeout=5) as answer,
        ):
            if answer.status == 200:
                return process, log
        time.sleep(0.5)
    process.kill()
    pytest.fail("the hub did not start:\n" + log.read_text(encoding="utf-8")[-4000:])


def trainee_processes(uids: set[int]) -> list[psutil.Process]:
    found = []
    for process in psutil.process_iter(["uids"]):
        with contextlib.suppress(psutil.Error):
            if process.info["uids"] and process.info["uids"].real in uids:
                found.append(process)
    return found


def stop_hub(hub: Hub) -> list[str]:
    """SIGTERM, as a service manager stops it; what of the hub's (its proxy, its culler) and
    of the trainees' and the trainer's is still running after."""
    started_by_hub: list[psutil.Process] = []
    with contextlib.suppress(psutil.Error):
        started_by_hub = psutil.Process(hub.process.pid).children(recursive=True)
    hub.process.send_signal(signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        hub.process.wait(timeout=120)
    if hub.process.poll() is None:
        hub.process.kill()
    uids = set()
    for user in [*TRAINEES, TRAINER]:
        with contextlib.suppress(KeyError):
            uids.add(pwd.getpwnam(user).pw_uid)
    _, alive = psutil.wait_procs([*started_by_hub, *trainee_processes(uids)], timeout=20)
    left = [f"{p.pid} {p.username()} {' '.join(p.cmdline())[:100]}" for p in alive]
    for process in alive:
        with contextlib.suppress(psutil.Error):
            process.kill()
    return left


def remove_users(only_marked: bool = False) -> list[str]:
    """Remove the test's users (with their homes and any process still theirs); the users
    that could not be removed.  ``only_marked``: only those carrying :data:`MARK`."""
    left = []
    for user in [*TRAINEES, TRAINER]:
        try:
            entry = pwd.getpwnam(user)
        except KeyError:
            continue
        if only_marked and entry.pw_gecos.split(",")[0] != MARK:
            continue
        for process in trainee_processes({entry.pw_uid}):
            with contextlib.suppress(psutil.Error):
                process.kill()
        done = subprocess.run(["userdel", "--force", "--remove", user], capture_output=True)
        with contextlib.suppress(KeyError):
            pwd.getpwnam(user)
            left.append(f"{user}: {done.stderr.decode(errors='replace').strip()}")
    return left


def spawn(hub: Hub, trainee: str) -> dict:
    started = time.monotonic()
    browser = Browser(hub.url, trainee)
    status, body = browser.login(password(trainee))
    assert status == 302, (trainee, status, body[:500])
    subprocess.run(["usermod", "--comment", MARK, trainee], check=True)  # made by the hub
    browser.get_token()
    status, body = browser.call("POST", f"{hub.url}/hub/api/users/{trainee}/server")
    assert status in (201, 202), (trainee, status, body[:300])
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        status, body = browser.call("GET", f"{hub.url}/hub/api/users/{trainee}")
        server = json.loads(body).get("servers", {}).get("", {})
        if server.get("ready"):
            break
        time.sleep(1)
    else:
        pytest.fail(f"{trainee}'s server did not start")
    return {"browser": browser, "spawn_seconds": time.monotonic() - started}


def targets(hub: Hub, trainee: str) -> dict[str, str]:
    """What a trainee must not read: the neighbour's files, the workshop, the hub's state."""
    names = list(TRAINEES)
    neighbour = names[(names.index(trainee) + 1) % len(names)]
    return {
        "neighbour_home": pwd.getpwnam(neighbour).pw_dir,
        "neighbour_cases": f"{pwd.getpwnam(neighbour).pw_dir}/cadrelab-cases",
        "workshop": str(hub.workshop),
        "neighbour_cases_in_workshop": str(hub.workshop / "cases" / neighbour),
        "source": str(hub.workshop / "source" / ASSIGNMENT / f"{NOTEBOOK}.ipynb"),
        "gradebook": str(hub.workshop / "gradebook.db"),
        "secret": str(hub.workshop / ".cadrelab" / "secret"),
        "hub_state": str(hub.out / "state"),
        "hub_database": str(hub.out / "state" / "jupyterhub.sqlite"),
        "hub_config": str(hub.out / "jupyterhub_config.py"),
        "inbound": str(hub.exchange / COURSE / "inbound"),
    }


def links(hub: Hub, trainee: str) -> str:
    names = list(TRAINEES)
    neighbour = names[(names.index(trainee) + 1) % len(names)]
    return (
        "import os\n"
        f"os.symlink({str(hub.workshop)!r}, os.path.expanduser('~/lien-ket-lop'))\n"
        f"os.symlink({pwd.getpwnam(neighbour).pw_dir!r}, os.path.expanduser('~/lien-ket-ban'))\n"
    )


def start_kernel(browser: Browser, path: str) -> str:
    body = {"name": "python3", "path": path}
    status, reply = browser.call("POST", f"{browser.server}/api/kernels", body)
    assert status == 201, (browser.name, reply[:300])
    return json.loads(reply)["id"]


def printed_json(outputs: list[dict]) -> dict:
    """The JSON line a probe printed (the outputs, errors included, when there is none)."""
    lines = printed(outputs).strip().splitlines()
    assert lines, outputs
    return json.loads(lines[-1])


def memory_of(trainee: str) -> dict[str, int]:
    """Resident memory of the trainee's server and of their kernels, in bytes."""
    memory = {"server": 0, "kernel": 0}
    for process in trainee_processes({pwd.getpwnam(trainee).pw_uid}):
        with contextlib.suppress(psutil.Error):
            part = "kernel" if "ipykernel" in " ".join(process.cmdline()) else "server"
            memory[part] += process.memory_info().rss
    return memory


def work(hub: Hub, trainee: str) -> dict:
    """Fetch, run the answers in the trainee's own kernel, save, submit; then, in a second
    kernel (the exercise's may have been made useless by a hostile answer), probe."""
    browser: Browser = hub.sessions[trainee]["browser"]
    started = time.monotonic()
    body = {"course_id": COURSE, "assignment_id": ASSIGNMENT}
    status, reply = browser.call("POST", f"{browser.server}/assignments/fetch", body)
    assert status == 200, (trainee, reply[:300])
    status, model = browser.contents(f"{ASSIGNMENT}/{NOTEBOOK}.ipynb")
    assert status == 200, (trainee, "fetched notebook")
    kind = fixtures.load_kinds()[ASSIGNMENT]["kinds"][TRAINEES[trainee]]
    notebook = json.loads(fixtures.build_notebook(model["content"], kind))
    code_cells = [c for c in notebook["cells"] if c["cell_type"] == "code"]
    kernel = start_kernel(browser, ASSIGNMENT)
    outputs = asyncio.run(run_in_kernel(browser, kernel, [c["source"] for c in code_cells]))
    for cell, cell_outputs in zip(code_cells, outputs, strict=True):
        cell["outputs"], cell["execution_count"] = cell_outputs, None
    saved = {"type": "notebook", "format": "json", "content": notebook}
    status, reply = browser.call(
        "PUT", f"{browser.server}/api/contents/{ASSIGNMENT}/{NOTEBOOK}.ipynb", saved
    )
    assert status == 200, (trainee, reply[:300])
    memory = memory_of(trainee)
    browser.call("DELETE", f"{browser.server}/api/kernels/{kernel}")
    status, reply = browser.call("POST", f"{browser.server}/assignments/submit", body)
    assert status == 200 and b'"success": false' not in reply, (trainee, reply[:300])
    work_seconds = time.monotonic() - started

    probe = start_kernel(browser, "")
    probes = [CASES_PROBE, isolation_probe(targets(hub, trainee)), links(hub, trainee)]
    cases, isolation, _ = asyncio.run(run_in_kernel(browser, probe, probes))
    browser.call("DELETE", f"{browser.server}/api/kernels/{probe}")
    through_api = {
        path: browser.contents(path)[0]
        for path in (
            "lien-ket-lop/source",
            "lien-ket-lop/gradebook.db",
            "lien-ket-ban/cadrelab-cases",
            "../" + next(iter(TRAINEES)),
        )
    }
    grade_ids = [c["metadata"]["nbgrader"]["grade_id"] for c in code_cells]
    return {
        "outputs": dict(zip(grade_ids, outputs, strict=True)),
        "cases": printed_json(cases),
        "isolation": printed_json(isolation),
        "contents_api": through_api,
        "memory": memory,
        "work_seconds": work_seconds,
    }


def fetch_feedback(hub: Hub, trainee: str) -> str:
    browser: Browser = hub.sessions[trainee]["browser"]
    body = {"course_id": COURSE, "assignment_id": ASSIGNMENT}
    status, reply = browser.call("POST", f"{browser.server}/assignments/fetch_feedback", body)
    assert status == 200, (trainee, reply[:300])
    status, folder = browser.contents(f"{ASSIGNMENT}/feedback")
    assert status == 200 and folder["content"], (trainee, "no feedback folder")
    (stamp,) = [item["path"] for item in folder["content"]]
    status, fetched = browser.contents(stamp)
    pages = [item["path"] for item in fetched["content"] if item["name"].endswith(".html")]
    assert status == 200 and len(pages) == 1, (trainee, fetched)
    status, page = browser.contents(pages[0])
    assert status == 200, (trainee, "no feedback page")
    return page["content"]


def timed(hub: Hub, name: str, action):
    started = time.monotonic()
    result = action()
    hub.phases[name] = round(time.monotonic() - started, 1)
    return result


def every_trainee(pool: ThreadPoolExecutor, action) -> dict:
    return dict(zip(TRAINEES, pool.map(action, TRAINEES), strict=True))


def record_sizing(hub: Hub) -> None:
    """Hub CPU, memory per trainee server and phase times: printed and kept as JSON."""
    process = psutil.Process(hub.process.pid)
    proxy = [p for p in process.children(recursive=True) if "node" in p.name()]
    cpu = process.cpu_times()
    servers = sorted(s["memory"]["server"] for s in hub.sessions.values())
    kernels = sorted(s["memory"]["kernel"] for s in hub.sessions.values())
    spawn = sorted(s["spawn_seconds"] for s in hub.sessions.values())
    mib = 1 << 20
    hub.metrics["sizing"] = sizing = {
        "trainees": len(TRAINEES),
        "phases_seconds": hub.phases,
        "hub_cpu_seconds": round(cpu.user + cpu.system, 1),
        "proxy_cpu_seconds": round(sum(sum(p.cpu_times()[:2]) for p in proxy), 1),
        "hub_memory_mib": round(process.memory_info().rss / mib),
        "server_memory_mib_median_max": [
            round(servers[len(servers) // 2] / mib),
            round(servers[-1] / mib),
        ],
        "kernel_memory_mib_median_max": [
            round(kernels[len(kernels) // 2] / mib),
            round(kernels[-1] / mib),
        ],
        "spawn_seconds_median_max": [round(spawn[len(spawn) // 2], 1), round(spawn[-1], 1)],
        "cores": os.cpu_count(),
    }
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "hub-sizing.json").write_text(json.dumps(sizing, indent=2) + "\n", "utf-8")
    print("hub sizing:", json.dumps(sizing, indent=2))


@pytest.fixture(scope="module")
def hub(installed_cadrelab):
    require_root_hub()
    base = Path(tempfile.mkdtemp(prefix="cadrelab-hub-"))
    base.chmod(0o755)
    running = None
    try:
        started = time.monotonic()
        workshop, exchange = prepare_workshop(base, installed_cadrelab)
        setup = round(time.monotonic() - started, 1)
        port = free_port()
        process, log = start_hub(installed_cadrelab, base / "hub", workshop, port)
        running = Hub(
            base, installed_cadrelab, workshop, base / "hub", f"http://127.0.0.1:{port}",
            process, log, exchange, phases={"trainer_setup_and_release": setup},
        )  # fmt: skip
        trainer = ("--dir", str(workshop))

        def trainer_step(*argv: str):
            return as_trainer(base, installed_cadrelab, "workshop", *argv, *trainer)

        with ThreadPoolExecutor(WORKERS) as pool:
            spawned = timed(
                running,
                "login_and_start_servers",
                lambda: every_trainee(pool, lambda t: spawn(running, t)),
            )
            running.sessions.update(spawned)
            worked = timed(
                running,
                "fetch_run_save_submit",
                lambda: every_trainee(pool, lambda t: work(running, t)),
            )
            for trainee, record in worked.items():
                running.sessions[trainee].update(record)
            timed(running, "collect", lambda: trainer_step("collect"))
            timed(
                running,
                "autograde_jobs_2",
                lambda: trainer_step("autograde", ASSIGNMENT, "--jobs", "2", "--timeout", "10"),
            )
            timed(running, "feedback", lambda: trainer_step("feedback", ASSIGNMENT))
            pages = timed(
                running,
                "fetch_feedback",
                lambda: every_trainee(pool, lambda t: fetch_feedback(running, t)),
            )
        for trainee, page in pages.items():
            running.sessions[trainee]["feedback"] = page
        export = workshop.parent / "diem.csv"
        trainer_step("export", str(export))
        running.metrics["export"] = export.read_text(encoding="utf-8-sig")
        record_sizing(running)
        yield running
    finally:
        left = stop_hub(running) if running else []
        if (base / "hub.log").exists():
            ARTIFACTS.mkdir(exist_ok=True)
            shutil.copyfile(base / "hub.log", ARTIFACTS / "hub.log")
        not_removed = remove_users()
        shutil.rmtree(base, ignore_errors=True)
        assert left == [], f"trainee processes left after the hub stopped: {left}"
        assert not_removed == [], f"users this test could not remove: {not_removed}"


# --- what the hub run shows -------------------------------------------------------------------


def test_every_score_and_status(hub):
    rows = [r for r in csv.DictReader(io.StringIO(hub.metrics["export"])) if r["bai"] == ASSIGNMENT]
    by_trainee = {r["ma_hoc_vien"]: r for r in rows}
    assert set(by_trainee) == set(TRAINEES)
    for trainee, kind in TRAINEES.items():
        status, passing, _ = EXPECTED[kind]
        assert by_trainee[trainee]["ma_trang_thai"] == status, (trainee, kind)
        expected = sum(POINTS[f"kiem-tra-cau-{q}"] for q in passing)
        assert float(by_trainee[trainee]["diem"]) == expected, (trainee, kind)


def test_each_trainee_reads_their_own_cases(hub):
    own_rows = {}
    for trainee, session in hub.sessions.items():
        cases = session["cases"]
        home = pwd.getpwnam(trainee).pw_dir
        assert cases["folder"] == f"{home}/cadrelab-cases" and cases["trainee"] == trainee
        manifest = json.loads(
            (hub.workshop / "cases" / trainee / LESSON_EXERCISE / "manifest.json").read_text(
                "utf-8"
            )
        )
        assert cases["rows"] == {n: t["rows"] for n, t in manifest["tables"].items()}
        own_rows[trainee] = json.dumps(
            {n: t["sha256"] for n, t in manifest["tables"].items()}, sort_keys=True
        )
    assert len(set(own_rows.values())) == len(TRAINEES), "every trainee has cases of their own"


def test_no_trainee_reaches_others_files_the_workshop_or_the_hub(hub):
    for trainee, session in hub.sessions.items():
        assert set(session["isolation"].values()) == {"denied"}, (trainee, session["isolation"])
        assert all(s != 200 for s in session["contents_api"].values()), (
            trainee,
            session["contents_api"],
        )


def test_hostile_kernel_code_found_no_gradebook_to_change(hub):
    writer = next(t for t, kind in TRAINEES.items() if kind == "writes_gradebook")
    assert "đã sửa: []" in printed(hub.sessions[writer]["outputs"]["cau-1"])


def test_every_trainee_fetches_their_own_feedback(hub):
    for trainee, session in hub.sessions.items():
        page = session["feedback"]
        assert NAMES[trainee] in page and "Phản hồi bài thuc-hanh-bai-01" in page, trainee
        others = [name for other, name in NAMES.items() if other != trainee and name in page]
        assert others == [], trainee


def test_someone_not_on_the_roster_is_refused_with_a_reason(hub):
    browser = Browser(hub.url, "hv999")
    browser.call("GET", f"{hub.url}/hub/login")
    form = {"username": "hv999", "password": "x", "_xsrf": browser.cookie("_xsrf")}
    status, body = browser.call("POST", f"{hub.url}/hub/login", form=form)
    assert status == 403 and "không có trong danh sách".encode() in body
    assert "is not on the roster" in hub.log.read_text(encoding="utf-8")


def test_a_wrong_password_does_not_log_in(hub):
    browser = Browser(hub.url, "hv001")
    status, _ = browser.login("doan-bua")
    assert status == 403 and not browser.cookie("jupyterhub-session-id")


def test_a_second_hub_on_the_same_port_is_refused(hub):
    second = subprocess.run(
        [str(hub.installed.bin / "jupyterhub"), "-f", str(hub.out / "jupyterhub_config.py")],
        cwd=hub.out,
        env=hub.installed.env(hub.out),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert second.returncode == 2
    assert "already in use" in second.stderr and "--port" in second.stderr
    assert hub.process.poll() is None, "the running hub is untouched"


def test_sizing_figures_are_recorded(hub):
    sizing = json.loads((ARTIFACTS / "hub-sizing.json").read_text(encoding="utf-8"))
    assert sizing["trainees"] == len(TRAINEES) and sizing["hub_cpu_seconds"] > 0
    assert set(sizing["phases_seconds"]) >= {"login_and_start_servers", "autograde_jobs_2"}
