"""Zipped submissions for rooms without a shared file system: packing, checking, unpacking.

A trainee packs their assignment folder with ``cadrelab workshop pack FOLDER
--trainee ID --code CODE``; the zip holds the folder's regular files and
``manifest.json``::

    {"format": "cadrelab-submission/2", "trainee": ..., "assignment": ...,
     "packed_at": <the trainee's clock, never trusted>, "files": {path: sha256},
     "signature": HMAC of all the rest with the trainee's code}

The trainer's side reads each zip on its own, from one descriptor, and refuses it
(:class:`~cadrelab.grading.intake.Refused`) before anything is unpacked when it is
not a regular file, is larger than the limits, is not a zip (checked from its end
record before the central directory is parsed), has too many members, encrypted or
oddly compressed members, a compression ratio no notebook has, duplicate names
(also when only letter case or Unicode form differs), a name that is both a file
and a folder, absolute or ``..`` paths, links or devices; or when its manifest is
missing, malformed, unsigned or signed with another code.  Unpacking streams each
member in chunks into a staging folder, hashing as it goes, so memory stays small
whatever the zip says, and a file that differs from the signed manifest discards
the whole staging folder.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import stat
import struct
import unicodedata
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from cadrelab.data.seeds import normalise_trainee_id
from cadrelab.errors import InputError
from cadrelab.grading import submission_codes
from cadrelab.grading.intake import Refused
from cadrelab.grading.submission_folders import (
    CHUNK,
    NOTEBOOK_SUFFIX,
    Limits,
    chunks,
    ignored,
    look,
    name_problem,
    open_folder,
    regular_files,
)
from cadrelab.i18n import t

MANIFEST = "manifest.json"
FORMAT = "cadrelab-submission/2"
OLD_FORMATS = ("cadrelab-submission/1",)
MANIFEST_FIELDS = {"format", "trainee", "assignment", "packed_at", "files", "signature"}
LIMITS = Limits()
MAX_ZIP_BYTES = 25 << 20
MAX_MEMBERS = 1000
MAX_MANIFEST_BYTES = 256 << 10
MAX_CENTRAL_DIRECTORY = 4 << 20
# Deflate packs a notebook 3-20 times; above this, and above a megabyte, it is a bomb.
MAX_RATIO = 200
RATIO_FLOOR = 1 << 20
METHODS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED}
PACK_SKIPPED = (".ipynb_checkpoints", "__pycache__", "*.pyc", ".git", ".cadrelab")
_EOCD = b"PK\x05\x06"
_EOCD64_LOCATOR = b"PK\x06\x07"
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class Candidate:
    """A zip whose signed manifest holds: who, which assignment, and its content key."""

    path: Path
    trainee: str
    assignment: str
    key: str
    packed_at: str


def pack_submission(
    folder: Path,
    assignment: str,
    trainee: str,
    code: str,
    out: Path,
    now: dt.datetime | None = None,
) -> Path:
    """Zip a trainee's assignment folder with its signed manifest (byte-identical for the
    same files, code and ``now``)."""
    trainee = normalise_trainee_id(trainee)
    submission_codes.normalise_code(code)
    out = out.absolute()
    if (folder / MANIFEST).exists():
        raise InputError(
            f"rename {MANIFEST}: the zip's own list has this name", file=folder / MANIFEST
        )
    if not folder.is_dir() or folder.is_symlink():
        raise InputError("assignment folder not found", file=folder)
    skip_own = ignored((*PACK_SKIPPED, out.name, f".{out.name}.*"))
    moment = (now or dt.datetime.now(dt.UTC).astimezone()).isoformat(timespec="seconds")
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = out.with_name(f".{out.name}.packing")
    files: dict[str, str] = {}
    try:
        with zipfile.ZipFile(staging, "w") as archive:
            try:
                folder_fd = open_folder(folder)
                try:
                    for relative, handle in regular_files(folder_fd, LIMITS, skip_own):
                        files[relative] = _pack_member(archive, relative, handle)
                finally:
                    os.close(folder_fd)
            except Refused as exc:
                raise InputError(
                    t(f"grading.intake.{exc.code}", "en", name=exc.detail),
                    file=folder,
                    problem_vi=t(f"grading.intake.{exc.code}", "vi", name=exc.detail),
                ) from None
            if not any(name.endswith(NOTEBOOK_SUFFIX) for name in files):
                raise InputError("no notebook to submit in this folder", file=folder)
            manifest = {
                "format": FORMAT,
                "trainee": trainee,
                "assignment": assignment,
                "packed_at": moment,
                "files": files,
            }
            manifest["signature"] = submission_codes.sign(manifest, code)
            _write_member(
                archive, MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1).encode()
            )
        staging.replace(out)
    finally:
        staging.unlink(missing_ok=True)
    return out


def _member_info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_ZIP_EPOCH)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = (stat.S_IFREG | 0o644) << 16
    return info


def _pack_member(archive: zipfile.ZipFile, relative: str, handle: int) -> str:
    digest = hashlib.sha256()
    with archive.open(_member_info(relative), "w") as out:
        for block in chunks(handle, LIMITS.max_file_bytes, relative):
            digest.update(block)
            out.write(block)
    return digest.hexdigest()


def _write_member(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    archive.writestr(_member_info(name), data)


# --- the trainer's side -------------------------------------------------------------------


def _member_count(handle, size: int) -> int:
    """Members announced by the end-of-central-directory record, read before any parsing."""
    tail_size = min(size, 22 + 0xFFFF + 20)
    handle.seek(size - tail_size)
    tail = handle.read(tail_size)
    at = tail.rfind(_EOCD)
    if at < 0 or len(tail) - at < 22:
        raise Refused("zip_unreadable", "EOCD")
    _, _, _, _, total, directory_size, _, _ = struct.unpack("<4sHHHHIIH", tail[at : at + 22])
    if total == 0xFFFF or directory_size == 0xFFFFFFFF:
        locator = tail.rfind(_EOCD64_LOCATOR, 0, at)
        if locator < 0:
            raise Refused("zip_unreadable", "zip64")
        (offset,) = struct.unpack("<Q", tail[locator + 8 : locator + 16])
        if offset > size - 56:
            raise Refused("zip_unreadable", "zip64")
        handle.seek(offset)
        record = handle.read(56)
        if record[:4] != b"PK\x06\x06":
            raise Refused("zip_unreadable", "zip64")
        total, directory_size = struct.unpack("<QQ", record[32:48])
    if directory_size > MAX_CENTRAL_DIRECTORY:
        raise Refused("submission_too_many_files", f"{directory_size} B")
    return total


@contextmanager
def _open_zip(path: Path) -> Iterator[zipfile.ZipFile]:
    """The zip at ``path`` opened once, without following links, after the size checks."""
    info = look(path, folder=False)
    if info.st_size > MAX_ZIP_BYTES:
        raise Refused("submission_too_large", f"{path.name} > {MAX_ZIP_BYTES >> 20} MB")
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        raise Refused("submission_unreadable", exc.strerror or "") from None
    with os.fdopen(descriptor, "rb") as handle:
        opened = os.fstat(handle.fileno())
        if not stat.S_ISREG(opened.st_mode) or opened.st_size > MAX_ZIP_BYTES:
            raise Refused("submission_special_file", path.name)
        count = _member_count(handle, opened.st_size)
        if count > MAX_MEMBERS:
            raise Refused("submission_too_many_files", f"{count} > {MAX_MEMBERS}")
        handle.seek(0)
        try:
            archive = zipfile.ZipFile(handle)
        except zipfile.BadZipFile as exc:
            raise Refused("zip_unreadable", str(exc) or type(exc).__name__) from None
        with archive:
            if len(archive.infolist()) > MAX_MEMBERS:
                raise Refused(
                    "submission_too_many_files", f"{len(archive.infolist())} > {MAX_MEMBERS}"
                )
            yield archive


def _check_readable(info: zipfile.ZipInfo) -> None:
    if info.flag_bits & 0x41:
        raise Refused("zip_encrypted", info.filename)
    if info.compress_type not in METHODS:
        raise Refused("zip_unsupported_method", f"{info.filename}: {info.compress_type}")


def _check_members(archive: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    """The zip's file members, after every check that needs no unpacking."""
    seen: dict[str, str] = {}
    files: list[zipfile.ZipInfo] = []
    folders: set[str] = set()
    total = 0
    for info in archive.infolist():
        _check_readable(info)
        name = info.filename
        pure = PurePosixPath(name)
        if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
            raise Refused("unsafe_path", name)
        parts = name.rstrip("/").split("/")
        if any(name_problem(part) for part in parts):
            raise Refused("unsafe_path", name)
        kind = stat.S_IFMT(info.external_attr >> 16) if info.create_system == 3 else 0
        if kind == stat.S_IFLNK:
            raise Refused("submission_link", name)
        if kind not in (0, stat.S_IFREG, stat.S_IFDIR):
            raise Refused("submission_special_file", name)
        folded = unicodedata.normalize("NFC", name.rstrip("/")).casefold()
        if folded in seen:
            raise Refused("duplicate_name", name)
        seen[folded] = name
        parents = [p for p in pure.parents if p.parts]
        if any(p.name.lower().endswith(NOTEBOOK_SUFFIX) for p in parents):
            raise Refused("folder_as_file", name)
        folders.update(p.as_posix().casefold() for p in parents)
        if info.is_dir() or kind == stat.S_IFDIR:
            if name.rstrip("/").lower().endswith(NOTEBOOK_SUFFIX):
                raise Refused("folder_as_file", name)
            folders.add(folded)
            continue
        if info.file_size > LIMITS.max_file_bytes:
            raise Refused("submission_too_large", name)
        total += info.file_size
        if total > LIMITS.max_total_bytes:
            raise Refused("submission_too_large", f"> {LIMITS.max_total_bytes >> 20} MB")
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise Refused("zip_bomb", name)
        files.append(info)
    if len(files) > LIMITS.max_files + 1:
        raise Refused("submission_too_many_files", f"{len(files)} > {LIMITS.max_files}")
    for info in files:
        if unicodedata.normalize("NFC", info.filename).casefold() in folders:
            raise Refused("file_and_folder", info.filename)
    return files


def _read_manifest(archive: zipfile.ZipFile) -> dict:
    try:
        info = archive.getinfo(MANIFEST)
    except KeyError:
        raise Refused("manifest_missing") from None
    _check_readable(info)
    if info.file_size > MAX_MANIFEST_BYTES:
        raise Refused("manifest_invalid", f"> {MAX_MANIFEST_BYTES >> 10} KB")
    with archive.open(info) as handle:
        data = handle.read(MAX_MANIFEST_BYTES + 1)
    try:
        manifest = json.loads(data.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise Refused("manifest_invalid", "JSON") from None
    if not isinstance(manifest, dict):
        raise Refused("manifest_invalid", "JSON")
    if manifest.get("format") in OLD_FORMATS:
        raise Refused("unsigned", str(manifest.get("format")))
    if manifest.get("format") != FORMAT:
        raise Refused("manifest_invalid", "format")
    if "signature" not in manifest:
        raise Refused("unsigned")
    if set(manifest) != MANIFEST_FIELDS:
        raise Refused("manifest_invalid", ", ".join(sorted(set(manifest) ^ MANIFEST_FIELDS)))
    for name in ("trainee", "assignment", "packed_at", "signature"):
        if not isinstance(manifest[name], str):
            raise Refused("manifest_invalid", name)
    files = manifest["files"]
    if not isinstance(files, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and len(v) == 64 for k, v in files.items()
    ):
        raise Refused("manifest_invalid", "files")
    return manifest


def _packed_at(manifest: dict) -> str:
    """The trainee's own clock, only to order that trainee's zips first seen in the same run."""
    try:
        moment = dt.datetime.fromisoformat(manifest["packed_at"])
    except ValueError:
        raise Refused("manifest_invalid", "packed_at") from None
    if moment.tzinfo is None:
        raise Refused("manifest_invalid", "packed_at")
    return moment.astimezone(dt.UTC).isoformat()


@contextmanager
def _verified(
    path: Path, secret: bytes, assignments: set[str], roster: set[str]
) -> Iterator[tuple[zipfile.ZipFile, dict, list[zipfile.ZipInfo], Candidate]]:
    with _open_zip(path) as archive:
        manifest = _read_manifest(archive)
        claimed = manifest["trainee"]
        if not submission_codes.verify(manifest, secret):
            raise _naming(Refused("bad_signature", claimed), manifest, proven=False)
        try:
            members = _check_members(archive)
            if manifest["assignment"] not in assignments:
                raise Refused("unknown_assignment", manifest["assignment"])
            if roster and claimed not in roster:
                raise Refused("not_on_roster", claimed)
            listed = set(manifest["files"])
            present = {info.filename for info in members} - {MANIFEST}
            extra = sorted(present - listed) + sorted(listed - present)
            if extra:
                raise Refused("files_mismatch", extra[0])
        except Refused as exc:
            raise _naming(exc, manifest, proven=True) from None
        candidate = Candidate(
            path,
            normalise_trainee_id(claimed),
            manifest["assignment"],
            submission_codes.content_key(manifest),
            _packed_at(manifest),
        )
        yield archive, manifest, [i for i in members if i.filename != MANIFEST], candidate


def _naming(refusal: Refused, manifest: dict, proven: bool) -> Refused:
    """The refusal with who and what the manifest names (``proven``: the signature held)."""
    refusal.trainee, refusal.assignment = manifest["trainee"], manifest["assignment"]
    refusal.proven = proven
    return refusal


def check_zip(path: Path, secret: bytes, assignments: set[str], roster: set[str]) -> Candidate:
    """The zip's candidate when its signed manifest holds; Refused otherwise (nothing unpacked)."""
    with _guarded(), _verified(path, secret, assignments, roster) as (_, _, _, candidate):
        return candidate


def unpack_zip(
    candidate: Candidate, secret: bytes, assignments: set[str], roster: set[str], target: Path
) -> None:
    """Unpack the candidate into the empty folder ``target``, checking every file's hash."""
    checked = _verified(candidate.path, secret, assignments, roster)
    with _guarded(), checked as (archive, manifest, members, fresh):
        if fresh.key != candidate.key:
            raise Refused("files_mismatch", candidate.path.name)
        for info in sorted(members, key=lambda i: i.filename):
            if info.is_dir():
                continue
            destination = target / info.filename
            destination.parent.mkdir(parents=True, exist_ok=True)
            digest = hashlib.sha256()
            with archive.open(info) as source, open(destination, "xb") as out:
                while block := source.read(CHUNK):
                    digest.update(block)
                    out.write(block)
            if digest.hexdigest() != manifest["files"][info.filename]:
                raise Refused("files_mismatch", info.filename)


@contextmanager
def _guarded() -> Iterator[None]:
    """Whatever else a hostile zip makes the zip reader raise becomes a refusal, never a crash."""
    try:
        yield
    except (Refused, InputError):
        raise
    except Exception as exc:  # zipfile, zlib and struct raise many kinds on broken data
        raise Refused("zip_unreadable", f"{type(exc).__name__}: {exc}") from None
