"""``jupyterhub_config.py`` for a workshop on one training server.

``cadrelab workshop hub-config OUT --dir WORKSHOP`` writes into ``OUT`` (the hub's own
folder; trainees' servers may pass through it but list nothing):

* ``jupyterhub_config.py``: every setting spelled out, for a trainer to read and adjust
  (root only);
* ``state/`` (root only): JupyterHub's database and cookie secret, the first-login
  password hashes, ``workshop-code`` (the room's login code, also printed);
* ``jupyter/``: the trainees' Jupyter and nbgrader settings (course id, exchange folder,
  no formgrader), given to each server through ``JUPYTER_CONFIG_PATH``;
* ``trainee-courses/``: the trainee version of the courses (no solutions) that each
  trainee receives as ``~/khoa-hoc``.

Before the hub starts, the configuration checks the workshop (it exists, has a
roster whose ids are valid user names, has its secret) and that its ports are free;
a problem is one line naming what to change, and the hub exits with status 2.
"""

from __future__ import annotations

import json
import os
import socket
import sys
from dataclasses import dataclass
from pathlib import Path

from cadrelab import atomic
from cadrelab.content import graders_dir
from cadrelab.errors import InputError
from cadrelab.grading.roster import ROSTER_FILE
from cadrelab.grading.workshop import CONFIG_FILE, Workshop
from cadrelab.hub.home import COURSE_INDEX_URL
from cadrelab.hub.users import roster_hub_users, workshop_code
from cadrelab.i18n import t

HUB_CONFIG = "jupyterhub_config.py"
CODE_FILE = "workshop-code"
TRAINEE_CONFIG = "jupyter"
TRAINEE_COURSES = "trainee-courses"
PROXY_PID_FILE = "jupyterhub-proxy.pid"
STATE = "state"  # the hub's database, cookie secret, passwords, room code: root only


@dataclass(frozen=True)
class HubOptions:
    """What a trainer chooses for the hub (the rest follows from the workshop)."""

    ip: str = "0.0.0.0"
    port: int = 8000
    hub_port: int = 8081
    proxy_api_port: int = 8001
    login: str = "password"
    memory: str = "1G"
    cpu: float = 1.0
    idle_minutes: int = 60
    processes: int = 512


def open_workshop(folder: Path) -> Workshop:
    """The workshop a hub serves, with a roster of valid user names and its secret."""
    if not (folder / "workshop.json").is_file():
        raise InputError(
            "no workshop here: run `cadrelab workshop init` for this folder, or write the "
            "hub configuration again with --dir pointing at the workshop",
            file=folder,
            problem_vi=t("hub.no_workshop", "vi"),
        )
    workshop = Workshop.open(folder)
    roster_hub_users(workshop)
    workshop.secret()
    return workshop


def trainee_nbgrader_config(workshop: Workshop, exchange: Path | str | None = None) -> str:
    """nbgrader settings for trainees' servers: the shared ones, this course, its exchange."""
    shared = (graders_dir() / CONFIG_FILE).read_text(encoding="utf-8")
    return shared + (
        "\n# --- this workshop, as trainees' servers see it (cadrelab workshop hub-config) ---\n"
        f"c.CourseDirectory.course_id = {workshop.course_id!r}\n"
        f"c.Exchange.root = {str(exchange or workshop.exchange_root)!r}\n"
    )


TRAINEE_SERVER_CONFIG = {
    # Kernels talk to their server over Unix sockets in the trainee's own runtime folder:
    # thirty servers picking loopback ports at once collide, and a loopback port is
    # reachable by every other trainee.
    "KernelManager": {"transport": "ipc"},
    # Trainees fetch, submit and read feedback; grading belongs to the trainer's account.
    "ServerApp": {
        "jpserver_extensions": {
            "nbgrader.server_extensions.formgrader": False,
            "nbgrader.server_extensions.assignment_list": True,
            "nbgrader.server_extensions.course_list": True,
            "nbgrader.server_extensions.validate_assignment": True,
        }
    },
}


def render_hub_config(workshop: Workshop, options: HubOptions) -> str:
    """The text of ``jupyterhub_config.py``."""
    return f'''"""JupyterHub for the cadrelab workshop {workshop.course_id!r}.

Written by `cadrelab workshop hub-config`; run it as root from this folder:
    jupyterhub -f {HUB_CONFIG}
Write it again (same command) after changing an option; edit by hand only what the
command has no option for.
"""

import sys
from pathlib import Path

from cadrelab.hub.config import check_before_start
from cadrelab.lab import install_lab_defaults

c = get_config()  # noqa: F821 - provided by JupyterHub
HERE = Path(__file__).resolve().parent
WORKSHOP = Path({str(workshop.root)!r})
IP, PORT, HUB_PORT, PROXY_API_PORT = {options.ip!r}, {options.port}, {options.hub_port}, {
        options.proxy_api_port
    }

# Refuse to start, with one line saying what to change, on a missing workshop, a roster
# id that cannot be a user name, or a port already taken (another hub?).
check_before_start(WORKSHOP, IP, PORT, HUB_PORT, PROXY_API_PORT, HERE)
install_lab_defaults()  # JupyterLab in Vietnamese for every trainee (this environment)

# Network: the public port for trainees' browsers; the hub and proxy talk on loopback.
c.JupyterHub.ip = IP
c.JupyterHub.port = PORT
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = HUB_PORT
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{{PROXY_API_PORT}}"
STATE = HERE / {STATE!r}  # root only: nothing in it is for trainees' eyes
c.ConfigurableHTTPProxy.pid_file = str(STATE / {PROXY_PID_FILE!r})
c.JupyterHub.db_url = f"sqlite:///{{STATE / 'jupyterhub.sqlite'}}"
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")

# Who logs in: trainees on the roster, each a Unix user created at the first login.
c.JupyterHub.authenticator_class = "cadrelab.hub.auth.LocalRosterAuthenticator"
c.RosterAuthenticator.roster_file = str(WORKSHOP / {ROSTER_FILE!r})
c.RosterAuthenticator.login = {options.login!r}
c.RosterAuthenticator.code_file = str(STATE / {CODE_FILE!r})
c.RosterAuthenticator.password_file = str(STATE / "passwords.json")
c.LocalAuthenticator.create_system_users = True

# Each trainee's server: their cases and course copy delivered first, then limits.
c.JupyterHub.spawner_class = "cadrelab.hub.spawn.WorkshopSpawner"
c.WorkshopSpawner.workshop = str(WORKSHOP)
c.WorkshopSpawner.trainee_courses = str(HERE / {TRAINEE_COURSES!r})
c.Spawner.cmd = [sys.executable, "-m", "jupyterhub.singleuser"]
c.Spawner.default_url = {COURSE_INDEX_URL!r}
c.Spawner.mem_limit = {options.memory!r}
c.Spawner.cpu_limit = {options.cpu!r}
c.WorkshopSpawner.process_limit = {options.processes}
c.Spawner.environment = {{
    "CADRELAB_LANG": "vi",
    "JUPYTER_CONFIG_PATH": str(HERE / {TRAINEE_CONFIG!r}),
}}
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
c.LocalProcessSpawner.term_timeout = 20  # time for a server to shut its kernels down

# Servers nobody used for a while are stopped (their files stay).
c.JupyterHub.services = [
    {{
        "name": "idle-culler",
        "command": [sys.executable, "-m", "jupyterhub_idle_culler", "--timeout={
        options.idle_minutes * 60
    }"],
    }}
]
c.JupyterHub.load_roles = [
    {{
        "name": "idle-culler",
        "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
        "services": ["idle-culler"],
    }}
]
'''


def write_hub_config(workshop_dir: Path, out: Path, options: HubOptions) -> tuple[Path, str]:
    """Write the hub's folder for ``workshop_dir``; returns the config file and the room code."""
    from cadrelab.content import courses_dir
    from cadrelab.grading.trainee_version import build_trainee_courses

    workshop = open_workshop(workshop_dir.absolute())
    out = out.absolute()
    if out == workshop.root or workshop.root in out.parents:
        raise InputError(
            "the hub's folder cannot be inside the workshop folder (trainees' servers read it)",
            file=out,
            problem_vi=t("hub.out_inside_workshop", "vi"),
        )
    out.mkdir(parents=True, exist_ok=True)
    os.chmod(out, 0o711)  # trainees' servers read jupyter/ and trainee-courses/ only
    state = out / STATE
    state.mkdir(exist_ok=True)
    os.chmod(state, 0o700)
    code = workshop_code(workshop.secret())
    atomic.write_text(state / CODE_FILE, code + "\n")
    trainee = out / TRAINEE_CONFIG
    atomic.write_text(trainee / "nbgrader_config.py", trainee_nbgrader_config(workshop))
    atomic.write_text(
        trainee / "jupyter_server_config.json", json.dumps(TRAINEE_SERVER_CONFIG, indent=2) + "\n"
    )
    build_trainee_courses(courses_dir(), out / TRAINEE_COURSES)
    for folder in (trainee, out / TRAINEE_COURSES):
        _readable_by_all(folder)
    config = out / HUB_CONFIG
    atomic.write_text(config, render_hub_config(workshop, options))
    os.chmod(config, 0o600)
    return config, code


def _readable_by_all(folder: Path) -> None:
    os.chmod(folder, 0o755)
    for path in folder.rglob("*"):
        os.chmod(path, 0o755 if path.is_dir() else 0o644)


def _port_taken(ip: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((ip, port))
        except OSError:
            return True
    return False


def _stale_proxy(here: Path) -> bool:
    """A proxy left by a hub that died: JupyterHub stops it itself on start."""
    try:
        pid = int((here / STATE / PROXY_PID_FILE).read_text(encoding="ascii").strip())
        return "configurable-http-proxy" in Path(f"/proc/{pid}/cmdline").read_text("latin-1")
    except (OSError, ValueError):
        return False


def check_before_start(
    workshop: Path, ip: str, port: int, hub_port: int, proxy_api_port: int, here: Path
) -> None:
    """Exit with status 2 and one line when the hub cannot serve this workshop."""
    try:
        open_workshop(workshop)
        stale = _stale_proxy(here)
        for host, number in ((ip, port), ("127.0.0.1", hub_port), ("127.0.0.1", proxy_api_port)):
            if stale and number != hub_port:
                continue
            if _port_taken(host, number):
                raise InputError(
                    f"port {number} on {host} is already in use (another hub or server?): stop "
                    "it, or write the configuration again with other ports (--port, "
                    "--hub-port, --proxy-api-port)",
                    file=here / HUB_CONFIG,
                    problem_vi=t("hub.port_taken", "vi", port=number),
                )
    except InputError as exc:
        vietnamese = f" / lỗi: {exc.message_vi}" if exc.problem_vi else ""
        print(f"cadrelab: error: {exc.message}{vietnamese}", file=sys.stderr)
        raise SystemExit(2) from None
