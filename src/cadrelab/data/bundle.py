"""Write every synthetic table to a folder (the backend of ``cadrelab data generate``).

The folder holds one CSV per table (UTF-8, ``\\n`` line ends, header row, floats
with one decimal, dates as ``YYYY-MM-DD`` and times as ``YYYY-MM-DD HH:MM:SS``,
empty cells for missing values), ``defects.csv`` (the ground truth) and
``manifest.json`` (seed, scale, trainee, and per file its rows and SHA-256).
It is written to a temporary sibling and swapped into place in one step, so a
failed run leaves the previous folder as it was.  The same arguments give
byte-identical files.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from cadrelab import atomic
from cadrelab.data.cases import Cases
from cadrelab.data.csv_format import to_csv_bytes
from cadrelab.data.defects import DEFECT_KINDS
from cadrelab.data.generators import DEFAULT_SIZES, GENERATORS
from cadrelab.data.inputs import check_count, check_seed
from cadrelab.data.schemas import SCHEMAS
from cadrelab.data.seeds import normalise_trainee_id, trainee_seed
from cadrelab.errors import InputError

BUNDLE_DEFECT_RATE = 0.05
MANIFEST_FORMAT = 1


def bundle_cases(*, seed: int, scale: int = 1, trainee: str | None = None) -> tuple[int, Cases]:
    """The effective seed and every table of a bundle, in memory."""
    seed = check_seed(seed)
    scale = check_count(scale, "scale")
    if scale < 1:
        raise InputError("scale must be 1 or more", field="scale")
    effective = seed if trainee is None else trainee_seed(trainee, f"bundle-{seed}")
    parts = [
        GENERATORS[name](DEFAULT_SIZES[name] * scale, effective, BUNDLE_DEFECT_RATE)
        for name in GENERATORS
    ]
    return effective, Cases.merge(*parts)


def write_bundle(out: Path, *, seed: int, scale: int = 1, trainee: str | None = None) -> dict:
    """Write the bundle to ``out`` (replaced atomically) and return its manifest."""
    trainee = None if trainee is None else normalise_trainee_id(trainee)
    effective, cases = bundle_cases(seed=seed, scale=scale, trainee=trainee)
    frames = dict(cases.tables)
    frames["defects"] = cases.defects
    files: dict[str, dict[str, object]] = {}
    with atomic.folder(out) as staging:
        for name, frame in frames.items():
            SCHEMAS[name].validate(frame)
            data = to_csv_bytes(frame)
            _write(staging / f"{name}.csv", data)
            files[f"{name}.csv"] = {"rows": len(frame), "sha256": hashlib.sha256(data).hexdigest()}
        manifest = {
            "format": MANIFEST_FORMAT,
            "seed": seed,
            "scale": scale,
            "trainee": trainee,
            "effective_seed": effective,
            "defect_rate": BUNDLE_DEFECT_RATE,
            "files": files,
        }
        text = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
        _write(staging / "manifest.json", text.encode("utf-8"))
    return manifest


def _write(path: Path, data: bytes) -> None:
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise InputError(f"cannot write ({exc.strerror})", file=path) from None


def describe_schemas() -> str:
    """Every table's columns, types and meanings, then the defect kinds."""
    lines: list[str] = []
    for name, schema in SCHEMAS.items():
        lines.append(f"{name}.csv — {schema.description} (key: {schema.metadata['key']})")
        width = max(len(c) for c in schema.columns)
        for column, spec in schema.columns.items():
            dtype = str(spec.dtype)
            optional = ", may be empty" if spec.nullable else ""
            lines.append(f"  {column:<{width}}  {dtype:<15} {spec.description}{optional}")
        lines.append("")
    lines.append("defect kinds (defects.csv 'kind'):")
    width = max(len(k) for k in DEFECT_KINDS)
    for kind, spec in DEFECT_KINDS.items():
        lines.append(f"  {kind:<{width}}  {spec.table}: {spec.name_vi} — {spec.rule}")
    return "\n".join(lines)
