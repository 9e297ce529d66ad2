"""``workshop export``: one CSV row per trainee and assignment, for the training office.

UTF-8 with a byte-order mark so that Excel shows Vietnamese names correctly;
decimal points, not commas, so that every spreadsheet reads the numbers.  The status
comes twice: as a code for formulas and as its Vietnamese label for people.
"""

from __future__ import annotations

import io
from pathlib import Path

from cadrelab import atomic
from cadrelab.errors import InputError
from cadrelab.grading.scores import SUBMISSION_COLUMNS, load_class
from cadrelab.grading.workshop import Workshop
from cadrelab.i18n import t

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


def export_csv(workshop: Workshop, path: Path) -> int:
    """Write the CSV; returns the number of rows."""
    frame = load_class(workshop).submissions[SUBMISSION_COLUMNS].copy()
    frame["percent"] = frame["percent"].round(1)
    frame["needs_manual"] = frame["needs_manual"].map({True: "có", False: ""})
    frame["label"] = frame["status"].map(lambda status: t(f"grading.status.{status}", "vi"))
    frame.columns = HEADER
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, lineterminator="\n")
    try:
        atomic.write_text(path, "\ufeff" + buffer.getvalue())
    except OSError as exc:
        raise InputError(f"cannot write the file ({exc.strerror})", file=path) from None
    return len(frame)
