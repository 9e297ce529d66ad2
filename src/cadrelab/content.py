"""Where cadrelab's content lives, in a source checkout and in an installed wheel alike.

Content is what people edit rather than code: the reference tables, the courses, the
scenario files and the shared nbgrader configuration.  In a source checkout it lives in
the repository's top-level folders (``datasets/reference``, ``courses``, ``simulations``,
``graders``); a wheel carries the same folders as package data under
``cadrelab/_content/`` (see ``pyproject.toml``).  Every module asks here, never for a
repository root, so the same code works from ``pip install cadrelab`` on a hub or a
trainee's Windows laptop.

``CADRELAB_REFERENCE_DIR`` points the reference tables elsewhere (a changed copy under test).
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent

# Folder names inside the wheel's ``_content`` and, in a checkout, under the repository root.
_IN_WHEEL = {
    "reference": Path("reference"),
    "courses": Path("courses"),
    "simulations": Path("simulations"),
    "graders": Path("graders"),
}
_IN_CHECKOUT = {
    "reference": Path("datasets") / "reference",
    "courses": Path("courses"),
    "simulations": Path("simulations"),
    "graders": Path("graders"),
}


@functools.cache
def checkout_root() -> Path | None:
    """The repository this package runs from, or None when it is installed as a wheel.

    Known by its sources and its reference tables: a grading sandbox shows a checkout's
    ``src/`` and ``datasets/reference`` (read-only), not the rest of the repository.
    """
    root = PACKAGE_DIR.parents[1]
    if (root / "src" / "cadrelab").is_dir() and (root / _IN_CHECKOUT["reference"]).is_dir():
        return root
    return None


def _folder(kind: str) -> Path:
    root = checkout_root()
    if root is not None:
        return root / _IN_CHECKOUT[kind]
    return PACKAGE_DIR / "_content" / _IN_WHEEL[kind]


def reference_dir() -> Path:
    """The reference tables (``CADRELAB_REFERENCE_DIR`` overrides, e.g. for a changed copy)."""
    override = os.environ.get("CADRELAB_REFERENCE_DIR")
    return Path(override) if override else _folder("reference")


def courses_dir() -> Path:
    """The course sources: nbgrader source notebooks with solutions and hidden tests."""
    return _folder("courses")


def simulations_dir() -> Path:
    """Shipped scenario files and the planners' notebooks."""
    return _folder("simulations")


def graders_dir() -> Path:
    """The nbgrader configuration shared by every workshop (and, in a checkout, fixtures)."""
    return _folder("graders")


def scenario_path(name: str) -> Path:
    """A shipped scenario by name (``baseline``) or file name (``baseline.yaml``)."""
    file_name = name if name.endswith((".yaml", ".yml")) else f"{name}.yaml"
    return simulations_dir() / file_name
