"""`cadrelab workshop hub-config`: the hub's configuration, its checks, the authenticator, the
delivery of cases into a trainee's home, and the Kubernetes values."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from tornado import web
from traitlets.config.loader import PyFileConfigLoader

from cadrelab.cli import main
from cadrelab.grading.workshop import Workshop
from cadrelab.hub.auth import RosterAuthenticator
from cadrelab.hub.config import CODE_FILE, HUB_CONFIG, STATE, TRAINEE_CONFIG, TRAINEE_COURSES
from cadrelab.hub.home import CASES_FOLDER, COURSES_FOLDER
from cadrelab.hub.kubernetes import VALUES_FILE
from cadrelab.hub.spawn import HomeWriter, deliver, end_processes_of
from cadrelab.hub.users import workshop_code
from graders.fixtures import submissions as fixtures
from tests.conftest import free_port

pytestmark = pytest.mark.slow  # each workshop and hub folder takes seconds to build

ROSTER = "ma_hoc_vien,ho_ten,don_vi,email\nhv001,Nguyễn Văn An,Xã Tân Lập,\nhv002,Trần Thị Bình,,\n"


def init_workshop(folder: Path, roster: str = ROSTER) -> Workshop:
    assert main(["workshop", "init", str(folder), "--courses", str(fixtures.COURSES)]) == 0
    csv = folder.parent / f"{folder.name}-roster.csv"
    csv.write_text(roster, encoding="utf-8")
    assert main(["workshop", "roster", "import", str(csv), "--dir", str(folder)]) == 0
    return Workshop.open(folder)


@pytest.fixture(scope="module")
def workshop(tmp_path_factory) -> Workshop:
    return init_workshop(tmp_path_factory.mktemp("hub") / "lop")


@pytest.fixture(scope="module")
def hub_folder(workshop, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("hub-out") / "hub"
    ports = [str(free_port()) for _ in range(3)]
    argv = ["workshop", "hub-config", str(out), "--dir", str(workshop.root), "--login", "code"]
    argv += ["--port", ports[0], "--hub-port", ports[1], "--proxy-api-port", ports[2]]
    assert main([*argv, "--memory", "768M", "--cpu", "1.5", "--idle-minutes", "30"]) == 0
    return out


def load_hub_config(folder: Path) -> subprocess.CompletedProcess:
    """Load the configuration as JupyterHub does (the checks run in it), in a fresh process."""
    code = (
        "from traitlets.config.loader import PyFileConfigLoader; "
        f"PyFileConfigLoader({HUB_CONFIG!r}, path={str(folder)!r}).load_config()"
    )
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )


def test_config_sets_roster_login_limits_culler_exchange_and_language(workshop, hub_folder):
    config = PyFileConfigLoader(HUB_CONFIG, path=str(hub_folder)).load_config()
    assert config.JupyterHub.authenticator_class == "cadrelab.hub.auth.LocalRosterAuthenticator"
    assert config.RosterAuthenticator.roster_file == str(workshop.root / "roster.csv")
    assert config.RosterAuthenticator.login == "code"
    assert config.LocalAuthenticator.create_system_users is True
    assert config.JupyterHub.spawner_class == "cadrelab.hub.spawn.WorkshopSpawner"
    assert config.WorkshopSpawner.workshop == str(workshop.root)
    assert config.Spawner.mem_limit == "768M" and config.Spawner.cpu_limit == 1.5
    assert config.Spawner.environment["CADRELAB_LANG"] == "vi"
    culler = config.JupyterHub.services[0]
    assert culler["command"][1:] == ["-m", "jupyterhub_idle_culler", "--timeout=1800"]
    assert "delete:servers" in config.JupyterHub.load_roles[0]["scopes"]
    trainee = Path(config.Spawner.environment["JUPYTER_CONFIG_PATH"])
    nbgrader = (trainee / "nbgrader_config.py").read_text(encoding="utf-8")
    assert f"c.Exchange.root = {str(workshop.exchange_root)!r}" in nbgrader
    assert f"c.CourseDirectory.course_id = {workshop.course_id!r}" in nbgrader
    server = json.loads((trainee / "jupyter_server_config.json").read_text(encoding="utf-8"))
    assert (
        server["ServerApp"]["jpserver_extensions"]["nbgrader.server_extensions.formgrader"] is False
    )
    assert server["KernelManager"]["transport"] == "ipc", "no kernel port for other trainees"
    assert config.Spawner.default_url == f"/lab/tree/{COURSES_FOLDER}/README.md"


def test_trainees_read_their_settings_and_courses_but_not_the_hub_state(hub_folder):
    assert stat.S_IMODE(hub_folder.stat().st_mode) == 0o711
    assert stat.S_IMODE((hub_folder / HUB_CONFIG).stat().st_mode) == 0o600
    assert stat.S_IMODE((hub_folder / STATE).stat().st_mode) == 0o700
    for shared in (TRAINEE_CONFIG, TRAINEE_COURSES):
        assert stat.S_IMODE((hub_folder / shared).stat().st_mode) == 0o755
    notebooks = list((hub_folder / TRAINEE_COURSES).rglob("*.ipynb"))
    assert notebooks and not any("BEGIN SOLUTION" in p.read_text("utf-8") for p in notebooks)


def test_no_secret_in_what_trainees_can_read(workshop, hub_folder):
    code = workshop_code(workshop.secret())
    assert (hub_folder / STATE / CODE_FILE).read_text(encoding="utf-8").strip() == code
    secret = workshop.secret().hex()
    for path in [hub_folder / HUB_CONFIG, *(hub_folder / TRAINEE_CONFIG).rglob("*")]:
        text = path.read_text(encoding="utf-8")
        assert secret not in text and code not in text, path


def test_hub_refuses_a_missing_workshop_naming_what_to_change(workshop, tmp_path):
    moved = init_workshop(tmp_path / "lop-tam")
    out = tmp_path / "hub"
    assert main(["workshop", "hub-config", str(out), "--dir", str(moved.root)]) == 0
    shutil.rmtree(moved.root)
    loaded = load_hub_config(out)
    assert loaded.returncode == 2, loaded.stderr
    assert loaded.stderr.count("\n") == 1 and "Traceback" not in loaded.stderr
    assert str(moved.root) in loaded.stderr and "--dir" in loaded.stderr


def test_hub_refuses_a_port_in_use(hub_folder):
    import socket

    config = PyFileConfigLoader(HUB_CONFIG, path=str(hub_folder)).load_config()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", config.JupyterHub.hub_port))
        taken.listen()
        loaded = load_hub_config(hub_folder)
    assert loaded.returncode == 2
    assert f"port {config.JupyterHub.hub_port}" in loaded.stderr and "--hub-port" in loaded.stderr


@pytest.mark.parametrize("bad", ["nguyen.an", "1hv", "hv@xa"])
def test_a_roster_id_that_cannot_be_a_user_name_is_refused(tmp_path, capsys, bad):
    folder = tmp_path / "lop"
    init_workshop(folder, f"ma_hoc_vien,ho_ten\nhv001,Lê Văn Cường\n{bad},Phạm Thu Dung\n")
    assert main(["workshop", "hub-config", str(tmp_path / "hub"), "--dir", str(folder)]) == 2
    err = capsys.readouterr().err
    row = 2 if bad < "hv001" else 3  # the workshop keeps its roster sorted by id
    assert f"roster.csv: row {row}: field 'ma_hoc_vien'" in err and repr(bad) in err
    assert "then write the hub configuration again" in err and "lỗi:" in err
    assert not (tmp_path / "hub").exists(), "nothing half-written"


def test_the_hub_folder_cannot_be_inside_the_workshop(workshop, capsys):
    out = workshop.root / "hub"
    assert main(["workshop", "hub-config", str(out), "--dir", str(workshop.root)]) == 2
    assert "inside the workshop" in capsys.readouterr().err


# --- who logs in ---------------------------------------------------------------------------


def authenticator(workshop: Workshop, tmp_path: Path, login: str) -> RosterAuthenticator:
    code_file = tmp_path / "code"
    code_file.write_text(workshop_code(workshop.secret()) + "\n", encoding="utf-8")
    return RosterAuthenticator(
        roster_file=str(workshop.root / "roster.csv"),
        login=login,
        code_file=str(code_file),
        password_file=str(tmp_path / "passwords.json"),
    )


def login(auth: RosterAuthenticator, name: str, password: str) -> str | None:
    return asyncio.run(auth.authenticate(None, {"username": name, "password": password}))


def test_first_password_becomes_the_trainees(workshop, tmp_path):
    auth = authenticator(workshop, tmp_path, "password")
    assert login(auth, "HV001", "mat-khau-1") == "hv001"
    assert login(auth, "hv001", "mat-khau-1") == "hv001"
    assert login(auth, "hv001", "doan-mo") is None
    assert login(auth, "hv002", "") is None
    stored = (tmp_path / "passwords.json").read_text(encoding="utf-8")
    assert (
        "mat-khau-1" not in stored
        and stat.S_IMODE(os.stat(tmp_path / "passwords.json").st_mode) == 0o600
    )


def test_the_room_code_lets_roster_trainees_in(workshop, tmp_path):
    auth = authenticator(workshop, tmp_path, "code")
    code = workshop_code(workshop.secret())
    assert login(auth, "hv002", code) == "hv002"
    assert login(auth, "hv002", code.replace("-", " ")) == "hv002"
    assert login(auth, "hv002", "0000-0000") is None
    assert auth.check_allowed("hv001") and not auth.check_allowed("hv999")


def test_someone_not_on_the_roster_is_told_so(workshop, tmp_path):
    auth = authenticator(workshop, tmp_path, "code")
    with pytest.raises(web.HTTPError) as refused:
        login(auth, "hv999", workshop_code(workshop.secret()))
    assert refused.value.status_code == 403
    assert "hv999" in refused.value.log_message and "danh sách" in refused.value.log_message


# --- delivery into a home folder ------------------------------------------------------------


def test_delivery_replaces_cases_keeps_edits_and_never_follows_links(tmp_path):
    home, elsewhere = tmp_path / "home", tmp_path / "elsewhere"
    home.mkdir(mode=0o755)
    elsewhere.mkdir()
    cases = tmp_path / "cases"
    (cases / "bai-01").mkdir(parents=True)
    (cases / "bai-01" / "ho_so.csv").write_text("ma\nHS-1\n", encoding="utf-8")
    courses = tmp_path / "courses"
    courses.mkdir()
    (courses / "README.md").write_text("Mục lục\n", encoding="utf-8")
    (home / COURSES_FOLDER).mkdir()
    (home / COURSES_FOLDER / "README.md").write_text("ghi chú của học viên\n", encoding="utf-8")
    (home / CASES_FOLDER).symlink_to(elsewhere)  # planted by the trainee

    writer = HomeWriter(home, os.getuid(), os.getgid())
    try:
        writer.lock_home()
        assert writer.copy(cases, CASES_FOLDER, replace=True) == ["bai-01/ho_so.csv"]
        assert writer.copy(courses, COURSES_FOLDER, replace=False) == []
    finally:
        writer.close()
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    assert not any(elsewhere.iterdir()), "the link was not followed"
    assert (home / CASES_FOLDER).is_dir() and not (home / CASES_FOLDER).is_symlink()
    assert (home / CASES_FOLDER / "bai-01" / "ho_so.csv").read_text(
        encoding="utf-8"
    ) == "ma\nHS-1\n"
    aside = [p for p in home.iterdir() if p.name.startswith(f"{CASES_FOLDER}.cadrelab-")]
    assert len(aside) == 1 and aside[0].is_symlink(), "what stood in the way is kept, renamed"
    kept = (home / COURSES_FOLDER / "README.md").read_text(encoding="utf-8")
    assert kept == "ghi chú của học viên\n", "a trainee's edit is never overwritten"


# --- Kubernetes --------------------------------------------------------------------------------


def test_kubernetes_values_have_the_same_settings_and_no_secret(workshop, tmp_path, capsys):
    out = tmp_path / "k8s"
    argv = ["workshop", "hub-config", str(out), "--dir", str(workshop.root), "--kubernetes"]
    argv += [
        "--image",
        "registry.example/cadrelab:0.1.0",
        "--hub-image",
        "registry.example/hub:0.1",
    ]
    assert main([*argv, "--memory", "2G", "--cpu", "2", "--login", "code"]) == 0
    assert "kubectl create secret generic cadrelab-workshop" in capsys.readouterr().out
    text = (out / VALUES_FILE).read_text(encoding="utf-8")
    values = yaml.safe_load(text)
    assert set(values) == {"hub", "singleuser", "cull"}
    hub = values["hub"]
    assert hub["image"] == {"name": "registry.example/hub", "tag": "0.1"}
    assert (
        hub["config"]["JupyterHub"]["authenticator_class"]
        == "cadrelab.hub.auth.RosterAuthenticator"
    )
    assert hub["config"]["RosterAuthenticator"]["login"] == "code"
    assert hub["extraVolumes"][0]["secret"]["secretName"] == "cadrelab-workshop"
    user = values["singleuser"]
    assert user["image"] == {"name": "registry.example/cadrelab", "tag": "0.1.0"}
    assert user["memory"]["limit"] == "2G" and user["cpu"]["limit"] == 2.0
    assert user["extraEnv"]["CADRELAB_CASES_DIR"] == f"/home/jovyan/{CASES_FOLDER}"
    mounts = {m["name"]: m for m in user["storage"]["extraVolumeMounts"]}
    assert mounts["cases"]["subPath"] == "{username}" and mounts["cases"]["readOnly"] is True
    assert mounts["exchange"]["mountPath"] == "/srv/nbgrader/exchange"
    assert values["cull"] == {"enabled": True, "timeout": 3600, "every": 300}
    code, secret = workshop_code(workshop.secret()), workshop.secret().hex()
    for forbidden in (code, code.replace("-", ""), secret, "Nguyễn Văn An", "hv001"):
        assert forbidden not in text
    nbgrader = (out / TRAINEE_CONFIG / "nbgrader_config.py").read_text(encoding="utf-8")
    assert "c.Exchange.root = '/srv/nbgrader/exchange'" in nbgrader
    for private in (out / "secret" / "roster.csv", out / "secret" / CODE_FILE):
        assert stat.S_IMODE(private.stat().st_mode) == 0o600


def test_kubernetes_needs_the_images(workshop, tmp_path, capsys):
    argv = ["workshop", "hub-config", str(tmp_path / "k"), "--dir", str(workshop.root)]
    assert main([*argv, "--kubernetes"]) == 2
    assert "--image" in capsys.readouterr().err


def test_system_accounts_are_never_treated_as_trainees(tmp_path):
    with pytest.raises(RuntimeError, match="system account"):
        deliver("root", tmp_path, None)
    assert end_processes_of(0) == [], "nothing of root's is ever stopped"
