"""``workshop roster sheet``: the slips that give each trainee their submission code.

A printable HTML page (one slip per trainee, to cut and hand out, Vietnamese and
English) or a CSV (for a mail merge), both listing id, name, unit, the code
(:func:`~cadrelab.grading.submission_codes.submission_code`) and the exact ``pack``
command.  The sheet is as secret as the codes on it: it is written readable by the
trainer only, and says so.
"""

from __future__ import annotations

from pathlib import Path

from cadrelab import atomic
from cadrelab.errors import InputError
from cadrelab.grading import render
from cadrelab.grading.escaping import html_text, write_csv
from cadrelab.grading.roster import Trainee, load_roster
from cadrelab.grading.submission_codes import submission_code
from cadrelab.grading.workshop import Workshop
from cadrelab.i18n import both, t

PRINT_CSS = """
.slip{border:1px dashed #616e7c;padding:.6rem 1rem;margin:0 0 1rem;break-inside:avoid;
page-break-inside:avoid}
.slip .code{font-size:1.4rem;font-weight:700;letter-spacing:.1rem}
@media print{body{margin:0;max-width:none}.trainer{display:none}}
"""


def pack_command(trainee: str, code: str) -> str:
    return f"cadrelab workshop pack . --trainee {trainee} --code {code}"


def _two(key: str) -> str:
    """A message in Vietnamese, then English on the next line, as HTML text."""
    return f"{html_text(t(key, 'vi'))}<br>{html_text(t(key, 'en'))}"


def _slip(trainee: Trainee, code: str) -> str:
    unit = f" · {html_text(trainee.unit)}" if trainee.unit else ""
    return (
        '<section class="slip">'
        f"<p><strong>{html_text(trainee.full_name)}</strong>{unit}</p>"
        f"<p>{html_text(both('grading.sheet.column_id'))}: <code>{html_text(trainee.id)}</code></p>"
        f"<p>{html_text(both('grading.sheet.column_code'))}: "
        f'<span class="code">{html_text(code)}</span></p>'
        f"<p>{_two('grading.sheet.how')}</p>"
        f"{render.pre(pack_command(trainee.id, code), 'code')}"
        f'<p class="muted">{_two("grading.sheet.keep")}</p>'
        "</section>"
    )


def write_roster_sheet(workshop: Workshop, out: Path) -> int:
    """Write the sheet as HTML (``.html``) or CSV (``.csv``); returns the number of trainees."""
    kind = out.suffix.lower()
    if kind not in (".html", ".htm", ".csv"):
        raise InputError("the sheet must be a .html or a .csv file", file=out)
    trainees = load_roster(workshop)
    if not trainees:
        raise InputError(
            "the roster is empty: import it first (cadrelab workshop roster import FILE)",
            file=workshop.root,
            problem_vi=t("grading.sheet.roster_empty", "vi"),
        )
    secret = workshop.secret()
    slips = [(trainee, submission_code(secret, trainee.id)) for trainee in trainees]
    if kind == ".csv":
        header = [both(f"grading.sheet.column_{name}") for name in ("id", "name", "unit", "code")]
        header.append(both("grading.sheet.column_command"))
        rows = [[p.id, p.full_name, p.unit, code, pack_command(p.id, code)] for p, code in slips]
        write_csv(out, header, rows)
        return len(slips)
    title = t("grading.sheet.title", course=workshop.course_id)
    body = [
        f"<h1>{html_text(title)}</h1>",
        f'<p class="trainer">{_two("grading.sheet.trainer_note")}</p>',
        *(_slip(trainee, code) for trainee, code in slips),
    ]
    try:
        atomic.write_text(out, render.page(title, "\n".join(body), css=PRINT_CSS))
    except OSError as exc:
        raise InputError(f"cannot write the file ({exc.strerror})", file=out) from None
    return len(slips)
