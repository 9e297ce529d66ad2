"""Write files and folders so that a failure never leaves half-written output.

Everything goes to a temporary sibling first and is renamed into place, which is
atomic on one file system.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from cadrelab.errors import InputError

# The temporary siblings this module makes: ``.<name>.<8 random>`` (a file ends ``.tmp``),
# and ``.<name>.old.<8 random>`` for a folder being replaced.
_LEFTOVER = re.compile(r"^\.(?P<name>.+?)\.(?P<old>old\.)?[a-z0-9_]{8}(?:\.tmp)?$")


def write_bytes(path: str | Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` in one step."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_text(path: str | Path, text: str) -> None:
    write_bytes(path, text.encode("utf-8"))


@contextlib.contextmanager
def folder(target: str | Path) -> Iterator[Path]:
    """Yield an empty temporary folder that replaces ``target`` when the block succeeds.

    If the block raises, the temporary folder is removed and ``target`` is untouched.
    """
    target = Path(target).absolute()
    if target.exists() and not target.is_dir():
        raise InputError("exists and is not a folder", file=target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    except OSError as exc:
        raise InputError(f"cannot write here ({exc.strerror})", file=target) from None
    try:
        yield staging
        _swap_into_place(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _swap_into_place(staging: Path, target: Path) -> None:
    if not target.exists():
        os.rename(staging, target)
        return
    retired = Path(tempfile.mkdtemp(prefix=f".{target.name}.old.", dir=target.parent))
    os.rmdir(retired)
    os.rename(target, retired)
    try:
        os.rename(staging, target)
    except BaseException:
        os.rename(retired, target)
        raise
    shutil.rmtree(retired, ignore_errors=True)


def clean_leftovers(parent: str | Path) -> list[Path]:
    """Remove what a killed writer left in ``parent``; a folder caught mid-swap comes back.

    Only for a caller that alone writes in ``parent`` (it holds a lock): another
    writer's temporary sibling would be taken for a leftover.
    """
    parent = Path(parent)
    removed = []
    try:
        entries = sorted(parent.iterdir())
    except OSError:
        return removed
    for entry in entries:
        match = _LEFTOVER.match(entry.name)
        if not match or entry.is_symlink():
            continue
        target = parent / match["name"]
        if match["old"] and entry.is_dir() and not target.exists():
            os.rename(entry, target)
            continue
        if entry.is_dir():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            with contextlib.suppress(FileNotFoundError):
                entry.unlink()
        removed.append(entry)
    return removed
