"""A trainee's cases as files: what a workshop hands out instead of a seed.

In a workshop every trainee's cases derive from the workshop secret, which never
leaves the trainer; the trainee's environment receives the cases themselves, one
folder per exercise holding one CSV per table (the format of ``cadrelab data
generate``) and ``manifest.json`` (exercise, trainee, per table its file, rows,
SHA-256 and column types).  The ground truth of injected defects is never written
here: only the grader, which holds the secret, regenerates it.

Reading checks every file against the manifest, so a table edited by hand gives a
clear message instead of silently different answers.
"""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import pandas as pd

from cadrelab import atomic
from cadrelab.data.cases import Cases
from cadrelab.data.csv_format import to_csv_bytes
from cadrelab.errors import InputError
from cadrelab.i18n import t

MANIFEST = "manifest.json"
FORMAT = 1
DATETIME = "datetime64[s]"
TEXT = ("object", "str", "string")


def write_case_folder(cases: Cases, folder: Path, *, exercise: str, trainee: str) -> dict:
    """Write ``cases`` (tables only, never the defects) to ``folder``, replaced atomically."""
    tables: dict[str, dict] = {}
    with atomic.folder(folder) as staging:
        for name, frame in sorted(cases.tables.items()):
            data = to_csv_bytes(frame, exact=True)
            (staging / f"{name}.csv").write_bytes(data)
            tables[name] = {
                "file": f"{name}.csv",
                "rows": len(frame),
                "sha256": hashlib.sha256(data).hexdigest(),
                "columns": {str(column): _column_type(frame[column]) for column in frame.columns},
            }
        manifest = {"format": FORMAT, "exercise": exercise, "trainee": trainee, "tables": tables}
        text = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
        (staging / MANIFEST).write_text(text, encoding="utf-8")
    return manifest


def read_case_folder(folder: Path, *, exercise: str, trainee: str) -> Cases:
    """The cases written by :func:`write_case_folder`; the ground truth is withheld."""
    manifest = _manifest(folder, exercise, trainee)
    tables = {}
    for name, entry in manifest["tables"].items():
        path = folder / str(entry.get("file", ""))
        try:
            data = path.read_bytes()
        except OSError:
            raise _tampered(path, "missing") from None
        if hashlib.sha256(data).hexdigest() != entry.get("sha256"):
            raise _tampered(path, "changed")
        tables[name] = _frame(data, entry.get("columns", {}))
    return Cases(tables=tables, defects=Cases.WITHHELD)


def _manifest(folder: Path, exercise: str, trainee: str) -> dict:
    path = folder / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        raise _tampered(path, "unreadable") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise _tampered(path, "unreadable")
    if manifest.get("exercise") != exercise or not isinstance(manifest.get("tables"), dict):
        raise _tampered(path, "unreadable")
    if manifest.get("trainee") != trainee:
        raise InputError(
            f"these cases belong to {manifest.get('trainee')!r}, not to {trainee!r}",
            file=path,
            field="trainee",
            problem_vi=t("data.cases_other_trainee", "vi", owner=manifest.get("trainee")),
        )
    return manifest


def _column_type(column: pd.Series) -> str:
    """The column's dtype; text columns say whether an empty cell means missing or ``""``.

    CSV cannot tell the two apart, so a generator must use one of them per column.
    """
    dtype = str(column.dtype)
    if dtype not in TEXT:
        return dtype
    missing, empty = bool(column.isna().any()), bool((column == "").any())
    if missing and empty:
        raise ValueError(f"text column {column.name!r} holds both missing values and ''")
    return "text-or-missing" if missing else "text"


def _frame(data: bytes, columns: dict[str, str]) -> pd.DataFrame:
    text = {name: str for name, kind in columns.items() if kind.startswith("text")}
    frame = pd.read_csv(io.BytesIO(data), dtype=text, keep_default_na=False, na_values={})
    for name, kind in columns.items():
        if kind.startswith("datetime64"):
            frame[name] = pd.to_datetime(frame[name].replace("", None)).astype(DATETIME)
        elif kind == "text-or-missing":
            frame[name] = frame[name].replace("", None)
        elif kind == "Int64":  # whole numbers that may be missing (house_number)
            frame[name] = pd.to_numeric(frame[name].replace("", None)).astype("Int64")
    return frame


def _tampered(path: Path, how: str) -> InputError:
    return InputError(
        f"the cases file is {how}: ask the trainer to hand the cases out again",
        file=path,
        problem_vi=t("data.cases_tampered", "vi"),
    )
