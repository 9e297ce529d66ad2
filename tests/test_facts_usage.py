"""Reading notebooks: which facts they use, and which facts they type in instead."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from cadrelab import reference
from cadrelab.reference.usage import Use, hard_coded_facts, notebook_uses, resolve


def notebook(path: Path, *cells: tuple[str, str]) -> Path:
    """A minimal .ipynb with ``(cell_type, source)`` cells."""
    path.write_text(
        json.dumps(
            {
                "cells": [
                    {"cell_type": kind, "metadata": {}, "source": source}
                    | ({"outputs": [], "execution_count": None} if kind == "code" else {})
                    for kind, source in cells
                ],
                "metadata": {},
                "nbformat": 4,
                "nbformat_minor": 5,
            }
        ),
        encoding="utf-8",
    )
    return path


# --- uses ------------------------------------------------------------------------------------


def test_literal_keys_aliases_and_whole_tables(tmp_path) -> None:
    path = notebook(
        tmp_path / "a.ipynb",
        ("code", "%matplotlib inline\nfrom cadrelab import reference as r, calendar\n"),
        ("code", 'thue = r.fee_rule("TNCN-BDS", on=dt.date(2026, 7, 1))'),
        ("code", "ds = r.procedures(on=ngay)\nma = r.procedure(code, on=ngay)"),
        (
            "code",
            "from cadrelab.reference import land_price as gia\n"
            "gia('01', 'đô thị', 'ODT', on='2025-09-15')",
        ),
        (
            "code",
            "calendar.deadline(t, 3)\n"
            "from cadrelab.data import load_cases\nc = load_cases('dat-dai-01')",
        ),
        ("markdown", "reference.fee_rule('CT-BANSAO') in prose is not a use"),
        ("code", "this is not python ("),
    )
    found = notebook_uses([path])
    assert Use("fee_schedules", "TNCN-BDS", dt.date(2026, 7, 1)) in found.uses
    assert Use("procedures") in found.uses  # both calls: no literal key
    assert Use("land_prices", "01/đô thị/ODT", dt.date(2025, 9, 15)) in found.uses
    assert {Use("calendar_days"), Use("office_hours")} <= found.uses
    assert not any(u.key == "CT-BANSAO" for u in found.uses)
    assert found.exercises == {"dat-dai-01"}


def test_names_not_from_cadrelab_are_not_uses(tmp_path) -> None:
    path = notebook(
        tmp_path / "b.ipynb",
        ("code", "import calendar\ncalendar.monthrange(2025, 9)\nreference = object()\n"),
        ("code", "reference.procedure('HT-KS', on='2025-09-15')"),
    )
    assert notebook_uses([path]).uses == frozenset()


def test_resolve_points_at_versions() -> None:
    both = resolve([Use("fee_schedules", "TNCN-BDS")])
    assert {ref.valid_from for ref in both} == {dt.date(2009, 1, 1), dt.date(2026, 7, 1)}
    one = resolve([Use("fee_schedules", "TNCN-BDS", dt.date(2026, 6, 30))])
    assert {ref.valid_from for ref in one} == {dt.date(2009, 1, 1)}
    assert resolve([Use("fee_schedules", "NO-SUCH")]) == set()
    assert len(resolve([Use("calendar_days")])) == len(reference.calendar_days())


def test_a_teachable_read_uses_no_unchecked_fact(tmp_path) -> None:
    path = notebook(
        tmp_path / "t.ipynb",
        (
            "code",
            "from cadrelab import reference\n"
            "xa = reference.communes(on=ngay, teachable=True)\n"
            "tt = reference.procedure(ma, on=ngay, teachable=True)\n"
            "tat_ca = reference.procedures(on=ngay, teachable=False)",
        ),
    )
    uses = notebook_uses([path]).uses
    assert Use("communes", teachable=True) in uses and Use("procedures", teachable=True) in uses
    assert Use("procedures") in uses  # teachable=False reads everything
    refs = resolve([u for u in uses if u.teachable])
    rows = {
        reference.REGISTRY[t].ref(r): r
        for t in ("communes", "procedures")
        for r in reference.REGISTRY[t].rows()
    }
    assert refs and all(rows[ref].status in reference.TEACHABLE for ref in refs)
    assert len(resolve([Use("communes")])) > len(resolve([Use("communes", teachable=True)]))


def test_a_broken_notebook_file_is_an_input_error(tmp_path) -> None:
    bad = tmp_path / "c.ipynb"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(Exception, match=r"c\.ipynb"):
        notebook_uses([bad])


# --- numbers typed in ------------------------------------------------------------------------


def test_hard_coded_amounts_rates_and_deadlines_are_found(tmp_path) -> None:
    path = notebook(
        tmp_path / "d.ipynb",
        ("markdown", "Phí chứng thực: **2.000 đồng**/trang, tối đa 200.000 đ.\nThuế 2% và 0,5%."),
        ("markdown", "Thời hạn 3 ngày làm việc; hòa giải 30 ngày; khoảng tin cậy 95%."),
        ("code", "from cadrelab import calendar\nphi = so_trang * 2000\nthue = gia * 0.02"),
        ("code", "han = calendar.deadline(nhan, 20)\nx = 17 + 3\nnam = 2025"),
    )
    found = hard_coded_facts([path])
    text = {(f.cell, f.kind, f.text) for f in found}
    assert (0, "amount", "2.000 đồng") in text and (0, "amount", "200.000 đ") in text
    assert (0, "rate", "2%") in text and (0, "rate", "0,5%") in text
    assert (1, "deadline", "3 ngày làm việc") in text and (1, "deadline", "30 ngày") in text
    assert (2, "amount", "2000") in text and (2, "rate", "0.02") in text
    assert (3, "deadline", "20") in text
    assert not any(
        f.text in ("95%", "2025", "17", "3") for f in found if f.cell == 3 or "95" in f.text
    )
    copy = next(f for f in found if f.text == "2000")
    assert ("fee_schedules", "CT-BANSAO") in {(r.table, r.key) for r in copy.facts}
    assert str(copy).startswith(str(path)) and "cell 2, line 2" in str(copy)


def test_a_notebook_reading_facts_from_the_tables_has_no_finding(tmp_path) -> None:
    path = notebook(
        tmp_path / "e.ipynb",
        ("markdown", "Mức phí đọc từ bảng tham chiếu, không gõ tay."),
        (
            "code",
            "from cadrelab import calendar, reference\n"
            "quy = reference.fee_rule('CT-BANSAO', on=ngay)\n"
            "han = calendar.due_date(reference.procedure('HT-KS', on=ngay), ngay)",
        ),
    )
    assert hard_coded_facts([path]) == []
