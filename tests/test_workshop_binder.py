"""Binder: postBuild and start, run as Binder would, in a fresh virtual environment.

Binder installs binder/requirements.txt and then runs postBuild.  Installing those
requirements again here would download hundreds of megabytes, so the fresh venv is
given the dependencies this test suite already has (a ``.pth`` line pointing at this
environment's site-packages: the state Binder is in after its requirements step), and
postBuild itself then runs unchanged: it installs cadrelab from a copy of the
repository (``pip install --no-deps -e .``, whose build backend pip fetches from the
package index), generates the datasets, installs the JupyterLab defaults and writes
the server configuration.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.slow

COPIED = (
    "pyproject.toml",
    "README.md",
    "LICENSE",
    "src",
    "datasets",
    "courses",
    "simulations",
    "graders",
    "binder",
)


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[; ]", requirement.strip(), maxsplit=1)[0].lower()


def test_requirements_cover_the_package_dependencies():
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    lines = (REPO / "binder" / "requirements.txt").read_text(encoding="utf-8").splitlines()
    listed = {_name(line) for line in lines if line.strip() and not line.startswith("#")}
    assert {_name(dep) for dep in project["dependencies"]} <= listed


@pytest.fixture(scope="module")
def binder_run(tmp_path_factory) -> dict:
    tmp = tmp_path_factory.mktemp("binder")
    repo, home, venv = tmp / "repo", tmp / "home", tmp / "venv"
    for name in COPIED:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(
                source,
                repo / name,
                ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"),
            )
        else:
            repo.mkdir(exist_ok=True)
            shutil.copy2(source, repo / name)
    home.mkdir()
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    site = Path(
        subprocess.run(
            [
                str(venv / "bin" / "python"),
                "-c",
                "import sysconfig; print(sysconfig.get_paths()['purelib'])",
            ],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    (site / "zz_binder_requirements.pth").write_text(
        sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8"
    )
    env = {
        **os.environ,
        "HOME": str(home),
        "PATH": f"{venv / 'bin'}:/usr/bin:/bin",
        "VIRTUAL_ENV": str(venv),
    }
    env.pop("PYTHONPATH", None)
    build = subprocess.run(
        [str(repo / "binder" / "postBuild")],
        cwd=home,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    start = subprocess.run(
        [
            str(repo / "binder" / "start"),
            str(venv / "bin" / "python"),
            "-c",
            "import cadrelab, os; print(cadrelab.__file__); print(os.environ['CADRELAB_LANG'])",
        ],
        cwd=home,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return {"repo": repo, "home": home, "venv": venv, "build": build, "start": start}


def test_post_build_installs_the_package_from_the_repository(binder_run):
    build = binder_run["build"]
    assert build.returncode == 0, build.stderr[-2000:]
    start = binder_run["start"]
    assert start.returncode == 0, start.stderr[-2000:]
    module, lang = start.stdout.split()
    assert Path(module).is_relative_to(binder_run["repo"] / "src") and lang == "vi"
    assert (binder_run["venv"] / "bin" / "cadrelab").exists()


def test_datasets_are_ready(binder_run):
    manifest = json.loads(
        (binder_run["repo"] / "generated" / "default" / "manifest.json").read_text(encoding="utf-8")
    )
    assert manifest["files"]
    for name in manifest["files"]:
        assert (binder_run["repo"] / "generated" / "default" / name).stat().st_size > 0


def test_lab_opens_the_trainee_version_in_vietnamese(binder_run):
    config = (binder_run["home"] / ".jupyter" / "jupyter_server_config.py").read_text(
        encoding="utf-8"
    )
    assert 'c.LabApp.default_url = "/lab/tree/khoa-hoc/README.md"' in config
    trainee = binder_run["repo"] / "khoa-hoc"
    assert (trainee / "README.md").exists()
    exercises = sorted(trainee.glob("*/*/bai-tap.ipynb"))
    assert exercises
    for path in exercises:
        text = path.read_text(encoding="utf-8")
        assert "BEGIN SOLUTION" not in text and "BEGIN HIDDEN TESTS" not in text
    overrides = json.loads(
        (
            binder_run["venv"] / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
        ).read_text(encoding="utf-8")
    )
    assert overrides["@jupyterlab/translation-extension:plugin"]["locale"] == "vi_VN"


def test_start_regenerates_lost_datasets(binder_run):
    generated = binder_run["repo"] / "generated"
    shutil.rmtree(generated)
    env = {
        **os.environ,
        "HOME": str(binder_run["home"]),
        "PATH": f"{binder_run['venv'] / 'bin'}:/usr/bin:/bin",
    }
    started = subprocess.run(
        [str(binder_run["repo"] / "binder" / "start"), "true"],
        cwd=binder_run["home"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert started.returncode == 0, started.stderr[-2000:]
    assert (generated / "default" / "manifest.json").exists()
