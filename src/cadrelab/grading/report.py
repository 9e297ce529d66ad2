"""``workshop report``: where the class stands, for the trainer, in Vietnamese.

Five parts: a trainee × skill table (percent of points earned on that skill's
items, as an HTML heatmap and a PNG), class progress per exercise, the items
most trainees miss, the submissions that need the trainer's attention (every
status other than ``graded``, and manual grading still to do), and the zips and
exchange folders that collect refused, with the reason to pass on.  Each table is
also written as a CSV beside the page.  Trainee text is escaped on the page and
neutralised in the CSVs (:mod:`cadrelab.grading.escaping`).
"""

from __future__ import annotations

import base64
import io
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from cadrelab import atomic
from cadrelab.errors import InputError
from cadrelab.grading import render
from cadrelab.grading.escaping import html_text, write_csv
from cadrelab.grading.labels import note_label, status_label
from cadrelab.grading.scores import MISSING, ClassResults, load_class
from cadrelab.grading.workshop import Workshop
from cadrelab.i18n import t

MISSED_ITEMS_SHOWN = 10


@dataclass(frozen=True)
class Report:
    skills: pd.DataFrame
    progress: pd.DataFrame
    missed: pd.DataFrame
    attention: pd.DataFrame
    refused: pd.DataFrame


def build_report(data: ClassResults) -> Report:
    items = data.items.dropna(subset=["score"])
    if items.empty:
        skills = pd.DataFrame()
    else:
        sums = items.groupby(["student", "skill"])[["score", "max_score"]].sum()
        skills = (100 * sums["score"] / sums["max_score"]).unstack("skill").sort_index()
    subs = data.submissions
    rows = []
    for assignment in data.assignments:
        part = subs[subs["assignment"] == assignment]
        handed_in = part[part["status"] != MISSING]
        percent = handed_in["percent"]
        rows.append(
            [
                assignment,
                len(part),
                len(handed_in),
                int((handed_in["status"] == "graded").sum()),
                round(float(percent.mean()), 1) if len(percent) else math.nan,
                round(float(percent.median()), 1) if len(percent) else math.nan,
                int((percent >= 100).sum()),
            ]
        )
    progress = pd.DataFrame(
        rows,
        columns=[
            "assignment",
            "trainees",
            "submitted",
            "graded",
            "mean_percent",
            "median_percent",
            "full_marks",
        ],
    )
    tests = data.items[data.items["kind"] == "test"]
    if tests.empty:
        missed = pd.DataFrame(
            columns=["assignment", "grade_id", "skill", "attempts", "missed", "missed_percent"]
        )
    else:
        grouped = tests.groupby(["assignment", "grade_id", "skill"])["passed"]
        missed = grouped.agg(attempts="size", passed="sum").reset_index()
        missed["missed"] = missed["attempts"] - missed["passed"].astype(int)
        missed["missed_percent"] = (100 * missed["missed"] / missed["attempts"]).round(1)
        missed = (
            missed.drop(columns="passed")
            .sort_values(
                ["missed_percent", "assignment", "grade_id"],
                ascending=[False, True, True],
                ignore_index=True,
            )
            .head(MISSED_ITEMS_SHOWN)
        )
    attention = subs[(~subs["status"].isin(["graded", MISSING])) | subs["needs_manual"]]
    attention = attention[
        ["student", "full_name", "assignment", "status", "needs_manual", "notes"]
    ].reset_index(drop=True)
    refused = pd.DataFrame(
        [
            [o.source, o.route, o.trainee, o.proven, o.assignment, o.code, o.message("vi")]
            for o in data.intake
            if o.refused
        ],
        columns=["source", "route", "trainee", "proven", "assignment", "code", "message"],
    )
    return Report(skills, progress, missed, attention, refused)


def heatmap_png(skills: pd.DataFrame) -> bytes:
    """The trainee × skill table as a PNG (grey where a trainee has no graded item)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    rows, cols = max(len(skills.index), 1), max(len(skills.columns), 1)
    figure = Figure(figsize=(2.5 + 1.3 * cols, 1.5 + 0.28 * rows), dpi=100)
    axes = figure.add_subplot()
    values = skills.to_numpy(dtype=float) if not skills.empty else [[math.nan]]
    cmap = matplotlib.colormaps["RdYlGn"].with_extremes(bad="#d9d9d9")
    image = axes.imshow(values, cmap=cmap, vmin=0, vmax=100, aspect="auto")
    axes.set_xticks(
        range(len(skills.columns)), [str(c) for c in skills.columns], rotation=30, ha="right"
    )
    axes.set_yticks(range(len(skills.index)), [str(i) for i in skills.index])
    axes.set_title(t("grading.report.heatmap_title"))
    figure.colorbar(image, ax=axes, label="%")
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


def _colour(percent: float) -> str:
    """Red at 0 %, yellow at 50 %, green at 100 %; grey for nothing graded."""
    if math.isnan(percent):
        return "#eeeeee"
    percent = min(max(percent, 0.0), 100.0)
    red = 230 if percent <= 50 else int(230 - 2.6 * (percent - 50))
    green = int(100 + 2.6 * percent) if percent <= 50 else 230
    return f"rgb({red},{green},120)"


def _skill_table(skills: pd.DataFrame) -> str:
    if skills.empty:
        return f"<p>{html_text(t('grading.report.nothing'))}</p>"
    head = "".join(f"<th>{html_text(str(c))}</th>" for c in skills.columns)
    body = []
    for student, row in skills.iterrows():
        cells = "".join(
            f'<td class="num" style="background:{_colour(float(v))}">'
            f"{'' if math.isnan(float(v)) else f'{float(v):.0f}%'}</td>"
            for v in row
        )
        body.append(f"<tr><th>{html_text(str(student))}</th>{cells}</tr>")
    return (
        f"<table><thead><tr><th>{html_text(t('grading.report.trainee'))}</th>{head}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def _tables(
    report: Report, number: Callable[[object], object] = render.number
) -> dict[str, tuple[list[str], list[list[object]]]]:
    """The report's tables as header and rows, in the words the trainer reads; ``number``
    writes a figure (a Vietnamese decimal comma on the page, a plain number in a CSV)."""
    progress = [
        [
            r.assignment,
            r.trainees,
            r.submitted,
            r.graded,
            number(r.mean_percent),
            number(r.median_percent),
            r.full_marks,
        ]
        for r in report.progress.itertuples()
    ]
    missed = [
        [
            r.assignment,
            r.grade_id,
            r.skill,
            r.attempts,
            r.missed,
            number(float(r.missed_percent)),
        ]
        for r in report.missed.itertuples()
    ]
    attention = [
        [
            r.student,
            r.full_name,
            r.assignment,
            status_label(r.status),
            t("grading.report.yes") if r.needs_manual else "",
            ", ".join(note_label(code) for code in str(r.notes).split()),
        ]
        for r in report.attention.itertuples()
    ]
    unproven = t("grading.report.unproven")
    refused = [
        [
            r.source,
            r.route,
            r.trainee if r.proven or not r.trainee else f"{r.trainee} ({unproven})",
            r.assignment,
            note_label(r.code),
            r.message,
        ]
        for r in report.refused.itertuples()
    ]
    return {
        "progress": (t("grading.report.progress_header").split("|"), progress),
        "missed": (t("grading.report.missed_header").split("|"), missed),
        "attention": (t("grading.report.attention_header").split("|"), attention),
        "refused": (t("grading.report.refused_header").split("|"), refused),
    }


def render_html(report: Report, png: bytes, title: str) -> str:
    tables = _tables(report)

    def table(name: str, numeric: set[int] | None = None) -> str:
        header, rows = tables[name]
        if not rows:
            return f"<p>{html_text(t('grading.report.nothing'))}</p>"
        return render.table(header, rows, numeric=numeric)

    picture = base64.b64encode(png).decode("ascii")
    body = [
        f"<h1>{html_text(title)}</h1>",
        f"<h2>{html_text(t('grading.report.skills'))}</h2>",
        _skill_table(report.skills),
        f'<img alt="{html_text(t("grading.report.heatmap_title"))}" '
        f'src="data:image/png;base64,{picture}">',
        f"<h2>{html_text(t('grading.report.progress'))}</h2>",
        table("progress", {1, 2, 3, 4, 5, 6}),
        f"<h2>{html_text(t('grading.report.missed'))}</h2>",
        table("missed", {3, 4, 5}),
        f"<h2>{html_text(t('grading.report.attention'))}</h2>",
        table("attention"),
        f"<h2>{html_text(t('grading.report.refused'))}</h2>",
        table("refused"),
    ]
    return render.page(title, "\n".join(body))


def write_report(workshop: Workshop, html_path: Path | None = None) -> tuple[Report, Path, Path]:
    """Write the HTML report and its heatmap PNG; returns the report and both paths."""
    report = build_report(load_class(workshop))
    html_path = html_path or workshop.reports_dir / "report.html"
    png_path = html_path.with_name(html_path.stem + "-heatmap.png")
    png = heatmap_png(report.skills)
    title = t("grading.report.title", course=workshop.course_id)
    try:
        atomic.write_bytes(png_path, png)
        atomic.write_text(html_path, render_html(report, png, title))
    except OSError as exc:
        raise InputError(f"cannot write the report ({exc.strerror})", file=html_path) from None
    skills = report.skills.round(1)
    write_csv(
        html_path.with_name(f"{html_path.stem}-skills.csv"),
        [t("grading.report.trainee"), *map(str, skills.columns)],
        [[student, *(_csv_number(v) for v in row)] for student, row in skills.iterrows()],
    )
    for name, (header, rows) in _tables(report, _csv_number).items():
        write_csv(html_path.with_name(f"{html_path.stem}-{name}.csv"), header, rows)
    return report, html_path, png_path


def _csv_number(value: object) -> object:
    return "" if isinstance(value, float) and math.isnan(value) else value
