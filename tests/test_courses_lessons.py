"""Teaching notebooks: no answer in them; every self-check accepts what the lesson's method gives.

A teaching notebook's practice cells hold ``name = ...`` and ``check("<key>", name)``;
the expected value lives in the package (``cadrelab.checks.lessons``).  Here each
teaching notebook runs in this process with the model answers below typed in place of
the ``...``: every check it makes must say "right" (so the registry computes what the
lesson teaches), and a wrong answer must say "wrong".
"""

from __future__ import annotations

import ast
import json
import re
import shutil
import unicodedata

import pytest

import cadrelab.widgets
from cadrelab.checks.registry import lesson_check, lesson_checks
from cadrelab.grading.rebuild import cell_source
from cadrelab.i18n import catalogue
from cadrelab.widgets.selfcheck import CheckResult, SelfCheck
from tests.conftest import REPO
from tests.courses import lessons

TEACHING = [lesson / "bai-hoc.ipynb" for lesson in lessons()]
TRAINEE = "kiem-thu"
PLACEHOLDER = re.compile(r"^(?P<name>\w+) = \.\.\.(?P<rest>.*)$", re.M)

# What a trainee who follows the lesson types in place of each "...".
MODEL_ANSWERS: dict[str, dict[str, str]] = {
    "00-nhap-mon/01-lam-quen": {
        "tong_ho_so": "23 + 9",
        "so_ho_so": "len(ds)",
        "so_truc_tuyen": 'len(ds[ds["channel"] == "Trực tuyến"])',
        "som_nhat": 'ds.sort_values("received_at")["dossier_code"].head(5).tolist()',
        "theo_linh_vuc": 'ds["field"].value_counts()',
        "theo_thang": 'ds.groupby(ds["received_at"].dt.month).size()',
    },
    "00-nhap-mon/02-du-lieu-ca-nhan": {
        "sdt_che": 'dan_cu["phone"].str[:3] + "****" + dan_cu["phone"].str[-3:]',
        "goi_dien": 'dan_cu[dan_cu["commune"] == XA_MAU][["full_name", "hamlet", "phone"]]',
        "dau_so_cu": 'dan_cu[dan_cu["phone"].str.startswith("01")]["person_id"].tolist()',
        "cccd_sai": (
            "dan_cu[sai_12_so | sai_ma_tinh | (cccd.str[3] != ma_the_ky.astype(str))"
            ' | (cccd.str[4:6] != (nam_sinh % 100).astype(str).str.zfill(2))]["person_id"].tolist()'
        ),
        "xa_cu": (
            'dan_cu[~(dan_cu["province_code"] + " " + dan_cu["commune"]).isin(hien_nay)]'
            '["person_id"].tolist()'
        ),
    },
    "01-thu-tuc/01-mot-cua": {
        "so_thanh_phan": 'len(reference.procedure("HKD-DK", on=NGAY_XEM).components_list)',
        "thieu_hs2": (
            "[tp for tp in tt_hs2.required_components"
            ' if tp not in hs2["components_submitted"].split("; ")]'
        ),
        "ngay_hen": (
            "calendar.due_date(reference.procedure('HT-XNHN', on=dt.datetime(2025, 8, 29, 16, 10)),"
            " dt.datetime(2025, 8, 29, 16, 10))"
        ),
        "ngay_hen_2": '"10/01/2026"',
    },
    "01-thu-tuc/02-so-theo-doi": {
        "so_thu_tu": 'so_td["dossier_code"].str[-4:].astype(int)',
        "ty_le_dung_han": 'co_ket_qua["nhan"].isin(["Trước hạn", "Đúng hạn"]).mean()',
        "tong_ngay_tre": 'int(ds_tre["so_ngay_tre"].sum())',
        "hen_moi_2": (
            'calendar.add_working_days(ds_tre.iloc[1]["appointment_date"].date(), HEN_LAI)'
        ),
        "ty_le_truc_tuyen": '(so_td["channel"] == "Trực tuyến").mean()',
    },
    "02-dat-dai/01-chuyen-nhuong": {
        "dien_tich_ont": 'thua.loc[thua.land_use_code == "ONT", "area_m2"].sum()',
        "so_thua_nong_nghiep": (
            'thua.land_use_code.isin(ma_dat.code[ma_dat.group == "nông nghiệp"]).sum()'
        ),
        "so_chua_cap": "(~thua.parcel_id.isin(gcn.parcel_id)).sum()",
        "thue_hs2": (
            'reference.fee_rule("TNCN-BDS", on=hs2.contract_date)'
            ".amount(value=int(max(hs2.contract_price, hs2.price_table_value)))"
        ),
        "lptb_hs2": (
            'reference.fee_rule("LPTB-NHADAT", on=hs2.contract_date)'
            ".amount(value=int(max(hs2.contract_price, hs2.price_table_value)))"
        ),
        "tong_lptb": (
            '(cn["gia_tinh"] * reference.fee_rule("LPTB-NHADAT", on=ngay_hd).rate).round().sum()'
        ),
        "khai_thap": 'cn.loc[cn.contract_price < cn.price_table_value, "transfer_id"].tolist()',
        "tinh_sai": 'cn.loc[(cn.income_tax - cn.thue_dung).abs() > 1, "transfer_id"].tolist()',
    },
    "02-dat-dai/02-lam-sach-va-cap-gcn": {
        "ban_trung": 'thua.loc[thua.duplicated(khoa), "parcel_id"].tolist()',
        "ma_sai": 'thua.loc[~thua.land_use_code.isin(ma_hop_le), "parcel_id"].tolist()',
        "lech": 'so_sanh.loc[so_sanh.chenh_lech != 0, "certificate_code"].tolist()',
        "hen_hai": (
            'calendar.due_date(reference.procedure("DD-CGCN", on=hai.received_at), hai.received_at)'
        ),
        "het_xu_ly_hai": (
            'lich.deadline(hai.received_at, reference.procedure("DD-CGCN", on=hai.received_at)'
            ".stages_list[0].days)"
        ),
        "so_nhan_lui": "(bang_hen.ngay_nhan != bang_hen.received_at.dt.normalize()).sum()",
    },
    "03-tai-chinh/01-du-toan-va-thu-phi": {
        "tong_thu": 'bang.loc[bang.kind == "revenue", "thuc_hien"].sum()',
        "ty_le_hanh_chinh": 'theo_nhom.loc[("expense", "Chi quản lý hành chính"), "ty_le"]',
        "chi_nhanh": 'theo_nhom.loc["expense"].query("ty_le > @tien_do").index.tolist()',
        "phi_dieu_le": "2 * quy.amount(pages=250)",
        "bien_lai_thu_sai": 'bl.loc[bl.fee != bl.phi_dung, "receipt_id"].tolist()',
        "chenh_lech_thang": "bl.fee.sum() - bl.phi_dung.sum()",
    },
    "03-tai-chinh/02-lenh-chi-va-tro-cap": {
        "ma_la": 'lc.loc[~lc.line_code.isin(muc.code), "order_id"].tolist()',
        "sai_muc": (
            'lc.loc[lc.line_code.isin(muc.code) & (lc.line_code != lc.ma_dung), "order_id"]'
            ".tolist()"
        ),
        "tien_dieu_chinh": "lc.amount[lc.order_id.isin(ma_la + sai_muc)].sum()",
        "thoi_huong": "da_chet.beneficiary_id.tolist()",
        "chi_sau_chet": (
            'da_chet.loc[da_chet.last_paid_month > da_chet.thang_chet, "beneficiary_id"].tolist()'
        ),
        "tong_thang_thua": "da_chet.thang_chi_thua.sum()",
    },
    "04-mo-phong/01-xa-cua-toi": {
        "so_cho_trong": '(xa.roster.status == "Chưa bố trí").sum()',
        "tg_giai_quyet": 'kq.estimate(("overall", "all", "lead_time_working_days")).mean',
        "cho_dat_dai_gio": 'bang_kq.loc[("role", "land", "wait_minutes"), "mean"] / 60',
        "ty_le_thu_hep": (
            'kq.estimate(("overall", "all", "lead_time_working_days")).half_width'
            ' / kq_40.estimate(("overall", "all", "lead_time_working_days")).half_width'
        ),
        "chac_chan_tren_80": 'kq_40.estimate(("overall", "all", "on_time_rate")).low > 0.80',
    },
    "04-mo-phong/02-chon-phuong-an": {
        "chenh_lech_pa2": "so_sanh.differences(kq2)[CHO_QUAY].mean",
        "ro_rang_pa1": "tables.significant(cung_cong_dan.low, cung_cong_dan.high)",
        "tot_hon": '"PA1" if kq1.estimate(CHO_QUAY).mean < kq2.estimate(CHO_QUAY).mean else "PA2"',
    },
}


def notebook_cells(path):
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def lesson_id(path) -> str:
    return f"{path.parent.parent.name}/{path.parent.name}"


def check_calls(source: str) -> list[ast.Call]:
    calls = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "check":
            calls.append(node)
    return calls


# --- no answers in what trainees open ------------------------------------------------------


@pytest.mark.parametrize("path", TEACHING, ids=lesson_id)
def test_teaching_notebooks_hold_no_answers(path) -> None:
    for cell in notebook_cells(path):
        source = cell_source(cell)
        assert "dap_an" not in source and "defects_of" not in source, lesson_id(path)
        assert not cell.get("metadata", {}).get("jupyter", {}).get("source_hidden"), (
            "no collapsed cells: nothing in a teaching notebook is hidden from the trainee"
        )
        if cell["cell_type"] != "code":
            continue
        for call in check_calls(source):
            key = call.args[0].value
            question = lesson_check(key)
            assert len(call.args) == 2, f"{key}: check(key, answer) and nothing else"
            assert isinstance(call.args[1], ast.Name), f"{key}: the answer is a name"
            assert {k.arg for k in call.keywords} == set(question.given), key


def test_every_registered_question_is_asked_once() -> None:
    asked = []
    for path in TEACHING:
        for cell in notebook_cells(path):
            if cell["cell_type"] == "code":
                asked += [call.args[0].value for call in check_calls(cell_source(cell))]
    assert sorted(asked) == sorted(lesson_checks())


def test_hints_are_catalogue_rows_and_every_row_is_a_hint() -> None:
    questions = lesson_checks().values()
    used = [hint for question in questions for hint in question.hints]
    assert all(question.hints for question in questions)
    rows = {key for key in catalogue() if key.startswith("lesson.")}
    assert set(used) == rows and len(used) == len(set(used))
    for key in rows:
        for text in catalogue()[key].values():
            assert text.strip() and unicodedata.is_normalized("NFC", text)


# --- the self-checks accept the lesson's method ---------------------------------------------


class Recorder(SelfCheck):
    """The notebook's ``check``, keeping every result instead of showing it."""

    def __init__(self) -> None:
        super().__init__(record=None)
        self.results: list[CheckResult] = []

    def __call__(self, key, answer, *, show=True, **given):
        result = super().__call__(key, answer, show=False, **given)
        self.results.append(result)
        return result


def run_lesson(path, answers: dict[str, str], tmp_path, monkeypatch) -> Recorder:
    """Run the notebook's code cells here, ``answers`` typed in; the checks it made."""
    work = tmp_path / path.parent.name
    shutil.copytree(path.parent, work)
    monkeypatch.chdir(work)
    monkeypatch.setenv("CADRELAB_TRAINEE", TRAINEE)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    recorder = Recorder()
    monkeypatch.setattr(cadrelab.widgets, "check", recorder)
    namespace: dict = {"__name__": "__main__"}
    typed = set()
    for cell in notebook_cells(work / path.name):
        if cell["cell_type"] != "code":
            continue

        def typed_in(match: re.Match) -> str:
            typed.add(match["name"])
            return f"{match['name']} = {answers[match['name']]}{match['rest']}"

        exec(compile(PLACEHOLDER.sub(typed_in, cell_source(cell)), path.name, "exec"), namespace)
    assert typed == set(answers), "every practice cell gets a model answer"
    return recorder


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("path", TEACHING, ids=lesson_id)
def test_the_lessons_method_passes_every_self_check(path, tmp_path, monkeypatch) -> None:
    recorder = run_lesson(path, MODEL_ANSWERS[lesson_id(path)], tmp_path, monkeypatch)
    assert recorder.results
    wrong = [f"{r.key}: {r.text}" for r in recorder.results if not r.ok]
    assert not wrong, "\n".join(wrong)


@pytest.mark.filterwarnings("ignore")
def test_a_wrong_answer_is_told_so(tmp_path, monkeypatch) -> None:
    path = REPO / "courses" / "00-nhap-mon" / "01-lam-quen" / "bai-hoc.ipynb"
    answers = {**MODEL_ANSWERS[lesson_id(path)], "so_ho_so": "len(ds) - 1"}
    recorder = run_lesson(path, answers, tmp_path, monkeypatch)
    (result,) = [r for r in recorder.results if r.key.endswith(".so-ho-so")]
    assert result.status == "wrong"
    assert catalogue()["lesson.nhap-mon-01.so-ho-so.1"]["vi"] in result.text
