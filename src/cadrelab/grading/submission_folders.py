"""Read a submission folder as regular files only: never follow a link, never open a device.

A folder handed in by a trainee (an exchange ``inbound/`` folder, an assignment
folder being packed) is walked through open directory descriptors, each entry
looked at without following it and each file opened with ``O_NOFOLLOW`` and
checked again once open, so swapping a file for a link half-way changes nothing.
A link, a device, a pipe or socket, a folder named like a notebook, a name with
control characters, or a folder past the size and count limits refuses the whole
folder with :class:`~cadrelab.grading.intake.Refused` (its code is an intake
defence).  Memory stays bounded: files are copied or hashed in chunks.
"""

from __future__ import annotations

import errno
import fnmatch
import os
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from cadrelab.grading.intake import Refused

CHUNK = 1 << 16
NOTEBOOK_SUFFIX = ".ipynb"
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_FILE_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC


@dataclass(frozen=True)
class Limits:
    """What one submission may hold (nbgrader's defaults: 5 MB a file, 20 MB in all)."""

    max_files: int = 500
    max_file_bytes: int = 5 << 20
    max_total_bytes: int = 20 << 20
    max_depth: int = 12


def name_problem(part: str) -> str | None:
    """Why one path component cannot be a file name in a submission, or None."""
    if part in ("", ".", ".."):
        return "unsafe_path"
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in part) or "\\" in part or "/" in part:
        return "unsafe_path"
    return None


def ignored(patterns: tuple[str, ...]) -> Callable[[str], bool]:
    """nbgrader's ``CourseDirectory.ignore``: names never collected (checkpoints, caches)."""
    return lambda name: any(fnmatch.fnmatch(name, pattern) for pattern in patterns)


@dataclass
class _Budget:
    limits: Limits
    files: int = 0
    total: int = 0

    def take(self, relative: str, size: int) -> None:
        self.files += 1
        self.total += size
        if self.files > self.limits.max_files:
            raise Refused("submission_too_many_files", f"> {self.limits.max_files}")
        if size > self.limits.max_file_bytes:
            raise Refused("submission_too_large", relative)
        if self.total > self.limits.max_total_bytes:
            raise Refused("submission_too_large", f"> {self.limits.max_total_bytes >> 20} MB")


def look(path: Path, folder: bool) -> os.stat_result:
    """``path`` itself, never what a link points to; refused unless it is a folder (``folder``)
    or a regular file."""
    try:
        info = os.lstat(path)
    except OSError as exc:
        raise Refused("submission_unreadable", exc.strerror or path.name) from None
    if stat.S_ISLNK(info.st_mode):
        raise Refused("submission_link", path.name)
    if stat.S_ISDIR(info.st_mode) if folder else stat.S_ISREG(info.st_mode):
        return info
    if stat.S_ISDIR(info.st_mode):
        raise Refused("folder_as_file", path.name)
    raise Refused("submission_special_file", path.name)


def open_folder(path: Path) -> int:
    """A descriptor for ``path`` itself, refusing a link or anything that is not a folder."""
    look(path, folder=True)
    try:
        return os.open(path, _DIR_FLAGS)
    except OSError as exc:
        raise Refused(
            "submission_link" if exc.errno == errno.ELOOP else "submission_unreadable", path.name
        ) from None


def regular_files(
    folder_fd: int, limits: Limits, skip: Callable[[str], bool] = lambda name: False
) -> Iterator[tuple[str, int]]:
    """``(relative posix path, open descriptor)`` for every regular file, in sorted order.

    The descriptor is closed when the caller moves on.  Raises Refused on the
    first entry that is not a plain file or folder, or when a limit is passed.
    """
    yield from _walk(folder_fd, PurePosixPath(), 0, _Budget(limits), skip)


def _walk(
    dir_fd: int,
    prefix: PurePosixPath,
    depth: int,
    budget: _Budget,
    skip: Callable[[str], bool],
) -> Iterator[tuple[str, int]]:
    if depth > budget.limits.max_depth:
        raise Refused("submission_too_many_files", f"{prefix} > {budget.limits.max_depth}")
    with os.scandir(dir_fd) as scan:
        names = sorted(entry.name for entry in scan)
    for name in names:
        if skip(name):
            continue
        relative = (prefix / name).as_posix()
        if name_problem(name):
            raise Refused("unsafe_path", relative)
        try:
            info = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
        except FileNotFoundError:
            continue  # gone since the listing
        if stat.S_ISLNK(info.st_mode):
            raise Refused("submission_link", relative)
        if stat.S_ISDIR(info.st_mode):
            if name.lower().endswith(NOTEBOOK_SUFFIX):
                raise Refused("folder_as_file", relative)
            child = _open_at(name, dir_fd, _DIR_FLAGS, relative)
            try:
                yield from _walk(child, prefix / name, depth + 1, budget, skip)
            finally:
                os.close(child)
        elif stat.S_ISREG(info.st_mode):
            budget.take(relative, info.st_size)
            handle = _open_at(name, dir_fd, _FILE_FLAGS, relative)
            try:
                if not stat.S_ISREG(os.fstat(handle).st_mode):
                    raise Refused("submission_special_file", relative)
                yield relative, handle
            finally:
                os.close(handle)
        else:
            raise Refused("submission_special_file", relative)


def _open_at(name: str, dir_fd: int, flags: int, relative: str) -> int:
    try:
        return os.open(name, flags, dir_fd=dir_fd)
    except OSError as exc:
        # ELOOP / ENOTDIR: the entry became a link or changed kind since it was looked at
        changed = exc.errno in (errno.ELOOP, errno.ENOTDIR)
        raise Refused("submission_link" if changed else "submission_unreadable", relative) from None


def chunks(handle: int, limit: int, relative: str) -> Iterator[bytes]:
    """The file's bytes in chunks; refuses a file that grows past ``limit`` while read."""
    seen = 0
    while True:
        block = os.read(handle, CHUNK)
        if not block:
            return
        seen += len(block)
        if seen > limit:
            raise Refused("submission_too_large", relative)
        yield block


def copy_folder(
    source: Path,
    target: Path,
    limits: Limits,
    skip: Callable[[str], bool] = lambda name: False,
    owners: frozenset[int] | None = None,
) -> list[str]:
    """Copy ``source``'s regular files into the empty folder ``target``; their relative paths.

    With ``owners``, the folder (as opened, not as named) must belong to one of those uids.
    """
    copied = []
    folder_fd = open_folder(source)
    try:
        if owners is not None and os.fstat(folder_fd).st_uid not in owners:
            raise Refused("wrong_owner", source.name)
        for relative, handle in regular_files(folder_fd, limits, skip):
            destination = target / relative
            destination.parent.mkdir(parents=True, exist_ok=True)
            with open(destination, "xb") as out:
                for block in chunks(handle, limits.max_file_bytes, relative):
                    out.write(block)
            copied.append(relative)
    finally:
        os.close(folder_fd)
    return copied
