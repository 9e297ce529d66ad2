"""``workshop roster import``: the trainees of a workshop, from a CSV a trainer keeps in Excel.

Columns (Vietnamese or English headers, UTF-8 with or without BOM)::

    ma_hoc_vien | id        trainee id, the JupyterHub user name (required)
    ho_ten      | full_name  full name in Vietnamese order, họ đệm tên (required)
    don_vi      | unit       commune or ward (optional)
    email       | email      (optional)

Ids follow the data package's rule (it derives each trainee's cases from the id).
The names go into nbgrader's gradebook (họ as last name, the rest as first name);
the full roster is kept as ``roster.csv`` in the workshop for the report, its cells
marked as text where a spreadsheet would take them for a formula
(:func:`cadrelab.grading.escaping.csv_cell`) and read back unmarked.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from cadrelab import atomic
from cadrelab.data.seeds import normalise_trainee_id
from cadrelab.errors import InputError
from cadrelab.grading.escaping import csv_text, csv_uncell
from cadrelab.grading.workshop import Workshop
from cadrelab.i18n import t

ALIASES = {"ma_hoc_vien": "id", "ho_ten": "full_name", "don_vi": "unit"}
COLUMNS = ("id", "full_name", "unit", "email")
ROSTER_FILE = "roster.csv"


@dataclass(frozen=True)
class Trainee:
    id: str
    full_name: str
    unit: str = ""
    email: str = ""

    @property
    def family_name(self) -> str:
        return self.full_name.split(" ", 1)[0]

    @property
    def given_names(self) -> str:
        parts = self.full_name.split(" ", 1)
        return parts[1] if len(parts) > 1 else ""


def read_roster(path: Path) -> list[Trainee]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError("roster file not found", file=path) from None
    except UnicodeDecodeError:
        raise InputError("not UTF-8 text (save the sheet as 'CSV UTF-8')", file=path) from None
    try:
        rows = list(csv.reader(io.StringIO(text)))
    except csv.Error as exc:
        raise InputError(f"not valid CSV ({exc})", file=path) from None
    header = [
        ALIASES.get(name.strip().lower(), name.strip().lower())
        for name in (rows[0] if rows else [])
    ]
    for required in ("id", "full_name"):
        if required not in header:
            raise InputError(
                "missing column (expected ma_hoc_vien,ho_ten[,don_vi,email])",
                file=path,
                field=required,
            )
    trainees: list[Trainee] = []
    seen: dict[str, int] = {}
    for number, raw in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in raw):
            continue
        row = dict(
            zip(
                header,
                (csv_uncell(unicodedata.normalize("NFC", c).strip()) for c in raw),
                strict=False,
            )
        )
        try:
            trainee_id = normalise_trainee_id(row.get("id", ""))
        except InputError as exc:
            raise InputError(
                exc.problem, file=path, row=number, field="ma_hoc_vien", problem_vi=exc.problem_vi
            ) from None
        if trainee_id in seen:
            raise InputError(
                f"trainee id {trainee_id!r} already on row {seen[trainee_id]}",
                file=path,
                row=number,
                field="ma_hoc_vien",
            )
        name = " ".join(row.get("full_name", "").split())
        if not name:
            raise InputError("full name is empty", file=path, row=number, field="ho_ten")
        seen[trainee_id] = number
        trainees.append(Trainee(trainee_id, name, row.get("unit", ""), row.get("email", "")))
    if not trainees:
        raise InputError("the roster has no trainees", file=path)
    return trainees


def import_roster(workshop: Workshop, path: Path) -> list[Trainee]:
    """Add or update every trainee in the gradebook and keep the roster for reports."""
    trainees = read_roster(path)
    with workshop.gradebook() as gradebook:
        for trainee in trainees:
            gradebook.update_or_create_student(
                trainee.id,
                last_name=trainee.family_name,
                first_name=trainee.given_names,
                email=trainee.email or None,
            )
    kept = {trainee.id: trainee for trainee in load_roster(workshop)}
    kept.update({trainee.id: trainee for trainee in trainees})
    rows = [[p.id, p.full_name, p.unit, p.email] for p in sorted(kept.values(), key=lambda p: p.id)]
    atomic.write_text(workshop.root / ROSTER_FILE, csv_text(COLUMNS, rows))
    return trainees


def load_roster(workshop: Workshop) -> list[Trainee]:
    """The roster kept by :func:`import_roster` (empty when none was imported).

    A damaged copy is one clear error naming the file, never a traceback.
    """
    path = workshop.root / ROSTER_FILE
    if not path.exists():
        return []
    try:
        return read_roster(path)
    except InputError as exc:
        raise InputError(
            f"the workshop's roster copy is damaged ({exc.problem}): import the roster again",
            file=path,
            row=exc.row,
            problem_vi=t("grading.roster_damaged", "vi", problem=exc.problem_vi or exc.problem),
        ) from None
