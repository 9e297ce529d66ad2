"""Result files: the JSON summary and the CSV records, each written atomically.

The same seed gives byte-identical files: keys keep the scenario's order,
floats are written by the same formatter, nothing depends on the clock.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from cadrelab import atomic
from cadrelab.sim.problems import keyed_error
from cadrelab.sim.run import Results


def write_json(path: Path, data: dict) -> Path:
    return _write(path, json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def write_csv(path: Path, frame: pd.DataFrame) -> Path:
    return _write(path, frame.to_csv(index=False, lineterminator="\n"))


def _write(path: Path, text: str) -> Path:
    try:
        atomic.write_text(path, text)
    except OSError as exc:
        raise keyed_error("sim.error.cannot_write", path, reason=exc.strerror or exc) from None
    return path


def write_results(
    results: Results, *, json_path: Path | None = None, csv_dir: Path | None = None
) -> list[Path]:
    """Write what was asked for; the paths written, in order."""
    written = []
    if json_path is not None:
        written.append(write_json(json_path, results.summary()))
    if csv_dir is not None:
        csv_dir = Path(csv_dir)
        written += [
            write_csv(csv_dir / "figures.csv", results.table()),
            write_csv(csv_dir / "dossiers.csv", results.dossiers()),
            write_csv(csv_dir / "steps.csv", results.steps()),
            write_csv(csv_dir / "queues.csv", results.queue_lengths()),
        ]
    return written
