"""Dossier logs as provincial procedure-handling systems export them: write one, read one.

One row per dossier: its code, procedure, channel (in person or online) and the
moments it was received, due (appointment), transferred to the specialist,
finished, and returned; where a dossier went to another body (liên thông), when it
was sent out and when it came back.  Headers may be the English names of
:data:`COLUMNS` or the Vietnamese ones the exports use (:data:`HEADERS`, matched
without regard to case, spaces or diacritics); a column map (YAML, ``name: header``)
names the headers of other exports.

Reading is strict about what it cannot use and plain about what it corrects:
a missing column, a column map naming an absent column, an unreadable file or a
date it cannot read stop with one line naming the file, the column and the row;
duplicate dossier codes (the first is kept), rows whose moments run backwards and
times outside office hours are counted and reported in :attr:`DossierLog.notes`.
Dates may be ISO (``2025-07-01 08:15``), day first (``01/07/2025 08:15``) or
Excel date cells.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from cadrelab.sim.engine.steps import OUTSIDE
from cadrelab.sim.results.figures import step_table
from cadrelab.sim.results.replications import Results
from cadrelab.sim.scenario.problems import keyed_error

#: Canonical columns: required first, then the optional timestamps.
REQUIRED = ("code", "procedure", "channel", "received")
MOMENTS = ("received", "appointment", "transferred", "finished", "returned", "sent_out", "back_in")
COLUMNS = (*REQUIRED, *MOMENTS[1:])

#: The Vietnamese headers the exports use (the first is the one ``cadrelab sim log`` writes).
HEADERS: dict[str, tuple[str, ...]] = {
    "code": ("Mã hồ sơ", "Số hồ sơ", "dossier_code"),
    "procedure": ("Mã thủ tục", "Thủ tục", "procedure_code"),
    "channel": ("Kênh nộp", "Hình thức nộp", "Kênh"),
    "received": ("Ngày tiếp nhận", "Thời gian tiếp nhận", "received_at"),
    "appointment": ("Ngày hẹn trả", "Hẹn trả", "appointment_date"),
    "transferred": ("Ngày chuyển xử lý", "Chuyển xử lý"),
    "finished": ("Ngày có kết quả", "Ngày xử lý xong", "result_date"),
    "returned": ("Ngày trả kết quả", "returned_at"),
    "sent_out": ("Ngày chuyển liên thông", "Gửi liên thông"),
    "back_in": ("Ngày nhận kết quả liên thông", "Nhận kết quả liên thông"),
}
ONLINE = ("trực tuyến", "online", "truc tuyen")
IN_PERSON = ("trực tiếp", "in_person", "in person", "truc tiep")
TIME_FORMAT = "%Y-%m-%d %H:%M"
DAY_FIRST_FORMATS = ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y")


@dataclass
class DossierLog:
    """A read log: one row per dossier, canonical columns, moments as datetimes."""

    frame: pd.DataFrame
    source: Path
    notes: list[tuple[str, dict]] = field(default_factory=list)  # (message key, values)

    @property
    def online(self) -> np.ndarray:
        return self.frame["online"].to_numpy(dtype=bool)


# --- writing ----------------------------------------------------------------------------


def log_table(results: Results, replication: int = 0) -> pd.DataFrame:
    """The log of one replication's dossiers (those received after the warm-up), with the
    Vietnamese headers of a provincial export."""
    rep = results.replications[replication]
    if rep.records is None:
        raise keyed_error("sim.error.no_records", field="replication")
    records, scenario, clock = rep.records, results.scenario, results.clock
    d = records.dossiers
    kept = d.arrival >= clock.warmup
    steps = step_table(records, outside=True)
    n = len(d)
    first_end = np.full(n, np.nan)  # end of the first step: transferred to the specialist
    out_start, out_end = np.full(n, np.nan), np.full(n, np.nan)
    last_desk = np.full(n, np.nan)  # when the last step began: processing finished
    order = np.lexsort((steps["step"], steps["dossier"]))
    for i in order.tolist():
        who, k, end = steps["dossier"][i], steps["step"][i], steps["end"][i]
        if k == 0:
            first_end[who] = end
        if steps["officer"][i] == OUTSIDE:
            if np.isnan(out_start[who]):
                out_start[who] = steps["ready"][i]
            out_end[who] = end
        if k == d.length[who] - 1:
            last_desk[who] = steps["ready"][i]
    codes = np.array([p.code for p in scenario.procedures], dtype=object)
    frame = pd.DataFrame(
        {
            "code": [f"HS-{replication:02d}-{i:06d}" for i in range(n)],
            "procedure": codes[d.procedure],
            "channel": np.where(d.online, "Trực tuyến", "Trực tiếp"),
            "received": _moments(clock.start_date, d.arrival),
            "appointment": _moments(clock.start_date, d.due - 1),
            "transferred": _moments(clock.start_date, first_end),
            "finished": _moments(clock.start_date, last_desk),
            "returned": _moments(clock.start_date, records.finish),
            "sent_out": _moments(clock.start_date, out_start),
            "back_in": _moments(clock.start_date, out_end),
        }
    )[kept]
    return frame.rename(columns={name: HEADERS[name][0] for name in COLUMNS})


def _moments(start: dt.date, minutes: np.ndarray) -> list[str]:
    base = dt.datetime.combine(start, dt.time())
    return [
        "" if np.isnan(m) else (base + dt.timedelta(minutes=float(m))).strftime(TIME_FORMAT)
        for m in minutes
    ]


# --- reading ------------------------------------------------------------------------------


def read_column_map(path: Path) -> dict[str, str]:
    """A YAML map ``canonical name: header in the export``."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        raise keyed_error("sim.error.file_missing", path) from None
    except yaml.YAMLError:
        raise keyed_error("sim.error.column_map", path) from None
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in data.items()
    ):
        raise keyed_error("sim.error.column_map", path)
    for key in data:
        if key not in COLUMNS:
            raise keyed_error(
                "sim.error.map_unknown_name", path, field=key, names=", ".join(COLUMNS)
            )
    return data


def read_log(path: Path, column_map: dict[str, str] | None = None) -> DossierLog:
    """The log in ``path`` (CSV or Excel), with canonical columns and parsed moments."""
    path = Path(path)
    raw = _read_table(path)
    headers = {_plain(h): h for h in raw.columns}
    chosen: dict[str, str] = {}
    for name in COLUMNS:
        if column_map and name in column_map:
            header = column_map[name]
            if header not in raw.columns:
                raise keyed_error("sim.error.map_absent_column", path, field=name, column=header)
            chosen[name] = header
            continue
        for candidate in (name, *HEADERS[name]):
            if _plain(candidate) in headers:
                chosen[name] = headers[_plain(candidate)]
                break
    for name in REQUIRED:
        if name not in chosen:
            raise keyed_error(
                "sim.error.log_missing_column", path, field=name, headers=" / ".join(HEADERS[name])
            )
    frame = pd.DataFrame({name: raw[header] for name, header in chosen.items()})
    frame.index = np.arange(2, len(frame) + 2)  # spreadsheet row numbers (header = row 1)
    log = DossierLog(frame, path)
    frame["code"] = frame["code"].astype(str).str.strip()
    frame["procedure"] = frame["procedure"].astype(str).str.strip()
    frame["online"] = _channels(frame["channel"], path)
    for name in MOMENTS:
        if name in frame:
            frame[name] = _parse_moments(frame[name], name, path)
    if frame["received"].isna().any():
        row = int(frame.index[frame["received"].isna()][0])
        raise keyed_error("sim.error.log_empty_cell", path, field=f"received (row {row})")
    duplicated = frame["code"].duplicated()
    if duplicated.any():
        log.notes.append(("sim.calibrate.note.duplicates", {"count": int(duplicated.sum())}))
    log.frame = frame[~duplicated]
    return log


def _read_table(path: Path) -> pd.DataFrame:
    try:
        if path.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
            return pd.read_excel(path, dtype=object)
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except FileNotFoundError:
        raise keyed_error("sim.error.file_missing", path) from None
    except (UnicodeDecodeError, ValueError, OSError, zipfile.BadZipFile) as exc:
        raise keyed_error("sim.error.unreadable", path, reason=str(exc).splitlines()[0]) from None


def _plain(text: object) -> str:
    """A header as compared: lower case, no diacritics, single spaces."""
    decomposed = unicodedata.normalize("NFD", str(text).replace("đ", "d").replace("Đ", "D"))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.lower().replace("_", " ").split())


def _channels(values: pd.Series, path: Path) -> np.ndarray:
    plain = values.map(_plain)
    online = plain.isin([_plain(v) for v in ONLINE])
    known = online | plain.isin([_plain(v) for v in IN_PERSON])
    if not known.all():
        row = int(values.index[~known.to_numpy()][0])
        raise keyed_error(
            "sim.error.log_channel", path, field=f"channel (row {row})", value=values.loc[row]
        )
    return online.to_numpy()


def _parse_moments(values: pd.Series, name: str, path: Path) -> pd.Series:
    """Moments in any of the accepted forms; empty cells stay empty."""
    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    for row, value in values.items():
        if value is None or (isinstance(value, float) and np.isnan(value)) or value == "":
            continue
        moment = _moment(value)
        if moment is None:
            raise keyed_error(
                "sim.error.log_date", path, field=f"{name} (row {row})", value=str(value)
            )
        out[row] = moment
    return out


def _moment(value: object) -> dt.datetime | None:
    if isinstance(value, dt.datetime | pd.Timestamp):
        return pd.Timestamp(value).to_pydatetime()
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    text = str(value).strip()
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        pass
    for form in DAY_FIRST_FORMATS:
        try:
            return dt.datetime.strptime(text, form)
        except ValueError:
            continue
    return None
