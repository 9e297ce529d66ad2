"""``workshop export``: one CSV row per trainee and assignment, for the training office.

UTF-8 with a byte-order mark so that Excel shows Vietnamese names correctly;
decimal points, not commas, so that every spreadsheet reads the numbers.  The status
comes twice: as a code for formulas and as its Vietnamese label for people.  Every
text cell goes through :func:`cadrelab.grading.escaping.csv_cell`, so a name such
as ``=HYPERLINK(...)`` stays text in Excel.
"""

from __future__ import annotations

import math
from pathlib import Path

from cadrelab.grading.escaping import write_csv
from cadrelab.grading.labels import status_label
from cadrelab.grading.scores import SUBMISSION_COLUMNS, load_class
from cadrelab.grading.workshop import Workshop

HEADER = [
    "ma_hoc_vien",
    "ho_ten",
    "don_vi",
    "bai",
    "ma_trang_thai",
    "diem",
    "diem_toi_da",
    "phan_tram",
    "cho_cham_tay",
    "thoi_gian_nop",
    "ghi_chu",
    "trang_thai",
]


def _number(value: float) -> float | str:
    return "" if math.isnan(value) else value


def export_csv(workshop: Workshop, path: Path) -> int:
    """Write the CSV; returns the number of rows."""
    frame = load_class(workshop).submissions[SUBMISSION_COLUMNS]
    rows = [
        [
            row.student,
            row.full_name,
            row.unit,
            row.assignment,
            row.status,
            _number(float(row.score)),
            _number(float(row.max_score)),
            _number(round(float(row.percent), 1)),
            "có" if row.needs_manual else "",
            row.submitted_at,
            row.notes,
            status_label(row.status, "vi"),
        ]
        for row in frame.itertuples(index=False)
    ]
    write_csv(path, HEADER, rows)
    return len(rows)
