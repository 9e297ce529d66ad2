"""Find solution code or hidden-test text where trainees can see it.

A source notebook's secrets are the lines inside ``### BEGIN SOLUTION`` regions,
the whole text of solution markdown cells (model answers), and the lines inside
``### BEGIN HIDDEN TESTS`` regions; lines that also appear in the public part of
the notebook, and lines too short to identify anything, are not secrets.  A
folder leaks when any file in it contains a secret line, read as raw text, as
HTML with tags removed and entities decoded, and as the strings of a JSON file.
"""

from __future__ import annotations

import contextlib
import html
import json
import re
from dataclasses import dataclass
from pathlib import Path

from cadrelab.grading.rebuild import cell_source, nbgrader_metadata

MIN_SECRET_LENGTH = 8
SPACES = re.compile(r"\s+")
TAGS = re.compile(r"<[^>]*>")
MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")


@dataclass(frozen=True)
class Leak:
    file: Path
    kind: str
    line: str


@dataclass(frozen=True)
class Secrets:
    solution: frozenset[str]
    hidden: frozenset[str]

    def __bool__(self) -> bool:
        return bool(self.solution or self.hidden)


def _squash(text: str) -> str:
    return SPACES.sub(" ", text).strip()


def secrets_of(*notebooks: Path, public_files: tuple[Path, ...] = ()) -> Secrets:
    """The secret lines of ``notebooks``; a line also found in their public parts, or in
    ``public_files`` (helpers and data handed out with them), is not secret."""
    solution: set[str] = set()
    hidden: set[str] = set()
    public: set[str] = set()
    for notebook in notebooks:
        _split(notebook, solution, hidden, public)
    for path in public_files:
        public.update(path.read_bytes().decode("utf-8", errors="ignore").splitlines())
    # Leaks are found as substrings, so a secret line that is part of a public line is public.
    public_text = "\n".join(_squash(line) for line in public)

    def keep(lines: set[str]) -> frozenset[str]:
        squashed = {_squash(line) for line in lines}
        return frozenset(
            s
            for s in squashed
            if len(s) >= MIN_SECRET_LENGTH
            and s not in public_text
            and not any(m in s for m in MARKERS)
        )

    return Secrets(keep(solution), keep(hidden))


def lesson_secrets(folder: Path) -> Secrets:
    """The secrets of every notebook in a lesson's source folder, judged against all of it."""
    notebooks = tuple(sorted(folder.glob("*.ipynb")))
    others = tuple(
        sorted(
            p
            for p in folder.rglob("*")
            if p.is_file()
            and p.suffix != ".ipynb"
            and ".ipynb_checkpoints" not in p.parts
            and p.stat().st_size < 1 << 20
        )
    )
    return secrets_of(*notebooks, public_files=others)


def _split(notebook: Path, solution: set[str], hidden: set[str], public: set[str]) -> None:
    cells = json.loads(notebook.read_text(encoding="utf-8")).get("cells", [])
    for cell in cells:
        meta = nbgrader_metadata(cell)
        lines = cell_source(cell).splitlines()
        if cell.get("cell_type") == "markdown" and meta.get("solution"):
            solution.update(lines)
            continue
        region: set[str] | None = None
        for line in lines:
            if "BEGIN SOLUTION" in line:
                region = solution
            elif "BEGIN HIDDEN TESTS" in line:
                region = hidden
            elif "END SOLUTION" in line or "END HIDDEN TESTS" in line:
                region = None
            else:
                (region if region is not None else public).add(line)


def _haystacks(path: Path) -> list[str]:
    try:
        raw = path.read_bytes().decode("utf-8", errors="ignore")
    except OSError:
        return []
    texts = [raw, html.unescape(TAGS.sub("", raw))]
    if path.suffix in (".ipynb", ".json"):
        with contextlib.suppress(ValueError):
            texts.append("\n".join(_strings(json.loads(raw))))
    return [_squash(text) for text in texts]


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings(item)]
    return []


def find_leaks(folder: Path, secrets: Secrets) -> list[Leak]:
    leaks = []
    files = [folder] if folder.is_file() else sorted(p for p in folder.rglob("*") if p.is_file())
    for path in files:
        haystacks = _haystacks(path)
        for kind, lines in (("solution", secrets.solution), ("hidden_test", secrets.hidden)):
            for line in sorted(lines):
                if any(line in haystack for haystack in haystacks):
                    leaks.append(Leak(path, kind, line))
    return leaks
