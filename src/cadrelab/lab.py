"""JupyterLab the way trainees should see it: local only, with a token, in Vietnamese,
on their own editable copy of the courses in the trainee version (no solutions, no
hidden tests).

The copy lives in a per-user folder (``~/cadrelab`` by default) and is refreshed when
the installed package brings changed courses: files the trainee never touched are
replaced, files the trainee edited are kept as they are.  ``cadrelab courses copy``
uses the same code for any folder, ``--with-solutions`` for trainers.

The Vietnamese interface and the Markdown preview for the course index are set in
JupyterLab's ``overrides.json`` of this environment, so they are defaults a trainee
can still change in Settings.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from cadrelab import __version__, atomic
from cadrelab.content import courses_dir
from cadrelab.errors import InputError
from cadrelab.grading.trainee_version import build_trainee_courses
from cadrelab.i18n import t
from cadrelab.service import run_in_foreground

COURSE_INDEX = "courses/README.md"
COPY_STAMP = ".cadrelab-courses.json"
SKIPPED_PARTS = {".ipynb_checkpoints", "__pycache__", "answers"}

LAB_DEFAULTS = {
    "@jupyterlab/translation-extension:plugin": {"locale": "vi_VN"},
    "@jupyterlab/docmanager-extension:plugin": {"defaultViewers": {"markdown": "Markdown Preview"}},
    # Training rooms are often offline; do not ask trainees about fetching Jupyter news.
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false"},
}


def overrides_path() -> Path:
    return Path(sys.prefix) / "share" / "jupyter" / "lab" / "settings" / "overrides.json"


def install_lab_defaults() -> Path:
    """Merge cadrelab's defaults into this environment's JupyterLab ``overrides.json``."""
    path = overrides_path()
    current = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    for plugin, settings in LAB_DEFAULTS.items():
        current.setdefault(plugin, {}).update(settings)
    atomic.write_text(path, json.dumps(current, ensure_ascii=False, indent=2) + "\n")
    path.chmod(0o644)  # every user of this environment reads it (trainees on a hub)
    return path


def default_lab_folder() -> Path:
    """Where ``cadrelab lab`` keeps a trainee's work: ``cadrelab`` in the home folder."""
    return Path.home() / "cadrelab"


@dataclass
class CoursesCopy:
    """What :func:`copy_courses` did: files added, replaced, and edited ones left alone."""

    folder: Path
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _files(folder: Path) -> dict[str, Path]:
    return {
        path.relative_to(folder).as_posix(): path
        for path in sorted(folder.rglob("*"))
        if path.is_file() and not SKIPPED_PARTS & set(path.relative_to(folder).parts)
    }


def _source_digest(source: Path, edition: str) -> str:
    digest = hashlib.sha256(f"{__version__}\n{edition}\n".encode())
    for name, path in _files(source).items():
        digest.update(name.encode("utf-8") + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _read_stamp(folder: Path) -> dict:
    try:
        stamp = json.loads((folder / COPY_STAMP).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError, ValueError):
        raise InputError(
            "unreadable course copy record: remove it", file=folder / COPY_STAMP
        ) from None
    return stamp if isinstance(stamp, dict) else {}


def copy_courses(folder: Path, with_solutions: bool = False) -> CoursesCopy:
    """Create or refresh an editable copy of the courses in ``folder``.

    The trainee version by default; the sources (solutions, hidden tests) for trainers.
    Refreshing never overwrites a file its owner edited, and never deletes anything.
    """
    folder = folder.absolute()
    edition = "solutions" if with_solutions else "trainee"
    stamp = _read_stamp(folder)
    if not stamp and folder.is_dir() and any(folder.iterdir()):
        raise InputError(
            "folder is not empty and holds no course copy: choose a new or empty folder",
            file=folder,
            problem_vi=t("lab.copy_not_empty", "vi"),
        )
    if stamp and stamp.get("edition") != edition:
        raise InputError(
            f"this folder holds the {stamp.get('edition')} edition of the courses, "
            f"not the {edition} edition: choose another folder",
            file=folder,
            problem_vi=t("lab.copy_other_edition", "vi"),
        )
    source = courses_dir()
    source_digest = _source_digest(source, edition)
    report = CoursesCopy(folder)
    if stamp.get("source") == source_digest:
        return report
    written: dict[str, str] = dict(stamp.get("files", {}))
    with tempfile.TemporaryDirectory(prefix="cadrelab-courses-") as tmp:
        built = Path(tmp) / "courses"
        if with_solutions:
            shutil.copytree(source, built, ignore=shutil.ignore_patterns(*SKIPPED_PARTS))
        else:
            build_trainee_courses(source, built)
        for name, path in _files(built).items():
            data = path.read_bytes()
            target = folder / name
            current = _digest(target.read_bytes()) if target.is_file() else None
            if current == _digest(data):
                written[name] = current
                continue
            if current is not None and written.get(name) != current:
                report.kept.append(name)
                continue
            (report.updated if current else report.added).append(name)
            atomic.write_bytes(target, data)
            written[name] = _digest(data)
    record = {"edition": edition, "source": source_digest, "files": written}
    atomic.write_text(folder / COPY_STAMP, json.dumps(record, indent=1, sort_keys=True) + "\n")
    return report


def lab_command(port: int, token: str, open_browser: bool, root: Path | None = None) -> list[str]:
    root = root or default_lab_folder()
    # Containers, CI and Binder-like machines often run as root; Jupyter refuses that by default.
    as_root = ["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []
    return [
        sys.executable,
        "-m",
        "jupyterlab",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--ServerApp.root_dir={root}",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.open_browser={open_browser}",
        # One Ctrl-C stops the server and its kernels, without a question in the terminal.
        "--ServerApp.answer_yes=True",
        f"--LabApp.default_url=/lab/tree/{COURSE_INDEX}",
        *as_root,
    ]


def start_lab(port: int = 8888, open_browser: bool = True, root: Path | None = None) -> int:
    """Become JupyterLab until it is stopped (SIGTERM or Ctrl-C stop it and its kernels).

    Without ``root``, serves the trainee's own copy of the courses, made or refreshed first.
    """
    if root is None:
        root = default_lab_folder()
        copied = copy_courses(root / "courses")
        for name in copied.kept:
            print(t("lab.kept_edited", file=name), flush=True)
    elif not root.is_dir():
        raise InputError("folder not found", file=root, problem_vi=t("lab.no_folder", "vi"))
    install_lab_defaults()
    token = os.environ.get("JUPYTER_TOKEN") or secrets.token_urlsafe(24)
    print(f"JupyterLab: http://127.0.0.1:{port}/lab/tree/{COURSE_INDEX}?token={token}", flush=True)
    return run_in_foreground(lab_command(port, token, open_browser, root))
