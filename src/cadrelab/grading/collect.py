"""``workshop collect``: bring submissions into ``submitted/<trainee>/<assignment>/``.

Two roads in.  On a hub (or one laptop) trainees submit through the nbgrader
exchange, and this calls nbgrader's own collect in process.  In a room without
a shared file system each trainee exports a zip (:func:`pack_submission`, the
``workshop pack`` command) carrying ``manifest.json``: trainee id, assignment,
time (ISO 8601 with its UTC offset) and the SHA-256 of every file.  A zip is
taken only when its manifest and its files agree exactly, its paths stay inside
the submission folder, and it is within nbgrader's size limits; a newer
submission replaces an older one, never the other way round.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from cadrelab import atomic
from cadrelab.data.seeds import normalise_trainee_id
from cadrelab.errors import InputError
from cadrelab.grading.workshop import Workshop, nbgrader_failure

MANIFEST = "manifest.json"
FORMAT = "cadrelab-submission/1"
MAX_FILES = 500
MAX_FILE_BYTES = 5 << 20
MAX_TOTAL_BYTES = 20 << 20
SKIPPED_PARTS = {".ipynb_checkpoints", "__pycache__", ".git"}


@dataclass
class Collected:
    exchange: dict[str, int] = field(default_factory=dict)
    from_zips: list[tuple[str, str, str]] = field(default_factory=list)
    older: list[str] = field(default_factory=list)
    rejected: list[InputError] = field(default_factory=list)


def collect_exchange(workshop: Workshop, assignments: list[str]) -> dict[str, int]:
    """nbgrader's collect for each assignment; how many trainees have a submission after it."""
    inbound = workshop.exchange_root / workshop.course_id / "inbound"
    counts = {}
    if not inbound.is_dir():
        return counts
    api = workshop.api()
    for assignment in assignments:
        outcome = api.collect(assignment, update=True)
        if not outcome["success"]:
            raise InputError(
                f"nbgrader could not collect: {nbgrader_failure(outcome)}",
                file=inbound,
                field=assignment,
            )
        counts[assignment] = sum(
            1 for p in workshop.submitted_dir.glob(f"*/{assignment}") if p.is_dir()
        )
    return counts


def pack_submission(
    folder: Path, assignment: str, trainee: str, out: Path, now: dt.datetime | None = None
) -> Path:
    """Zip a trainee's assignment folder with its manifest, for a trainer to collect."""
    trainee = normalise_trainee_id(trainee)
    if not folder.is_dir():
        raise InputError("assignment folder not found", file=folder)
    files = {}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if path.is_symlink() or not path.is_file() or SKIPPED_PARTS & set(relative.parts):
            continue
        files[relative.as_posix()] = path
    if not any(name.endswith(".ipynb") for name in files):
        raise InputError("no notebook to submit in this folder", file=folder)
    moment = (now or dt.datetime.now(dt.UTC).astimezone()).isoformat(timespec="seconds")
    manifest = {
        "format": FORMAT,
        "trainee": trainee,
        "assignment": assignment,
        "time": moment,
        "files": {name: hashlib.sha256(p.read_bytes()).hexdigest() for name, p in files.items()},
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = out.with_name(f".{out.name}.tmp")
    with zipfile.ZipFile(staging, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1))
        for name, path in files.items():
            archive.write(path, name)
    staging.replace(out)
    return out


@dataclass(frozen=True)
class _Checked:
    trainee: str
    assignment: str
    time: dt.datetime
    members: dict[str, bytes]
    path: Path


def _safe_name(name: str) -> bool:
    pure = PurePosixPath(name)
    return (
        bool(name)
        and "\\" not in name
        and "\0" not in name
        and not pure.is_absolute()
        and ".." not in pure.parts
        and not (SKIPPED_PARTS & set(pure.parts))
    )


def check_zip(path: Path, workshop: Workshop) -> _Checked:
    """Read and verify one exported submission; InputError names the zip and the problem."""

    def bad(problem: str, field: str | None = None) -> InputError:
        return InputError(problem, file=path, field=field)

    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise bad(f"not a readable zip file ({exc})") from None
    with archive:
        entries = [i for i in archive.infolist() if not i.is_dir()]
        if len(entries) > MAX_FILES + 1:
            raise bad(f"more than {MAX_FILES} files")
        if sum(i.file_size for i in entries) > MAX_TOTAL_BYTES:
            raise bad(f"larger than {MAX_TOTAL_BYTES >> 20} MB unpacked")
        names = [i.filename for i in entries]
        if MANIFEST not in names:
            raise bad("manifest.json is missing", MANIFEST)
        manifest = _read_manifest(archive, bad)
        trainee = _field(manifest, "trainee", bad)
        try:
            trainee = normalise_trainee_id(trainee)
        except InputError as exc:
            raise bad(exc.problem, "trainee") from None
        try:
            assignment = workshop.require_assignment(_field(manifest, "assignment", bad))
        except InputError as exc:
            raise bad(exc.problem, "assignment") from None
        try:
            moment = dt.datetime.fromisoformat(_field(manifest, "time", bad))
        except ValueError:
            raise bad("not an ISO 8601 time", "time") from None
        if moment.tzinfo is None:
            raise bad("time has no UTC offset (e.g. +07:00)", "time")
        listed = manifest.get("files")
        if not isinstance(listed, dict) or not listed:
            raise bad("no files listed", "files")
        members = {}
        for info in entries:
            if info.filename == MANIFEST:
                continue
            if not _safe_name(info.filename):
                raise bad(f"unsafe path {info.filename!r}", "files")
            if stat.S_ISLNK(info.external_attr >> 16):
                raise bad(f"{info.filename!r} is a symbolic link", "files")
            if info.file_size > MAX_FILE_BYTES:
                raise bad(f"{info.filename!r} is larger than {MAX_FILE_BYTES >> 20} MB", "files")
            if info.filename not in listed:
                raise bad(f"{info.filename!r} is not in the manifest", "files")
            with archive.open(info) as handle:
                data = handle.read(MAX_FILE_BYTES + 1)
            if len(data) > MAX_FILE_BYTES:
                raise bad(f"{info.filename!r} is larger than declared", "files")
            if hashlib.sha256(data).hexdigest() != listed[info.filename]:
                raise bad(f"sha256 of {info.filename!r} does not match the manifest", "files")
            members[info.filename] = data
        missing = sorted(set(listed) - set(members))
        if missing:
            raise bad(f"listed but missing: {missing[0]!r}", "files")
    return _Checked(trainee, assignment, moment, members, path)


def _read_manifest(archive: zipfile.ZipFile, bad) -> dict:
    try:
        with archive.open(MANIFEST) as handle:
            manifest = json.loads(handle.read(1 << 20).decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise bad("manifest.json is not valid JSON", MANIFEST) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise bad(f"manifest format must be {FORMAT!r}", "format")
    return manifest


def _field(manifest: dict, name: str, bad) -> str:
    value = manifest.get(name)
    if not isinstance(value, str) or not value.strip():
        raise bad("missing or empty", name)
    return value.strip()


def _existing_time(folder: Path) -> dt.datetime | None:
    from nbgrader.utils import parse_utc

    try:
        return parse_utc((folder / "timestamp.txt").read_text(encoding="utf-8").strip())
    except (OSError, ValueError, OverflowError):
        return None


def collect_zips(workshop: Workshop, folder: Path) -> Collected:
    """Every valid zip in ``folder`` into ``submitted/``; bad zips are reported, not fatal."""
    if not folder.is_dir():
        raise InputError("folder of zip files not found", file=folder)
    report = Collected()
    checked = []
    for path in sorted(folder.glob("*.zip")):
        try:
            checked.append(check_zip(path, workshop))
        except InputError as exc:
            report.rejected.append(exc)
    for item in sorted(checked, key=lambda c: c.time):
        target = workshop.submitted_dir / item.trainee / item.assignment
        existing = _existing_time(target)
        if existing is not None and existing >= item.time.astimezone(dt.UTC).replace(tzinfo=None):
            report.older.append(item.path.name)
            continue
        with atomic.folder(target) as staging:
            for name, data in item.members.items():
                destination = staging / name
                destination.parent.mkdir(parents=True, exist_ok=True)
                destination.write_bytes(data)
            (staging / "timestamp.txt").write_text(item.time.isoformat(), encoding="utf-8")
        report.from_zips.append((item.trainee, item.assignment, item.path.name))
    return report
