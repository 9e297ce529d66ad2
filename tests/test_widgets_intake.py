"""The intake desk: decisions and appointment dates judged by the catalogue and the calendar."""

from __future__ import annotations

import datetime as dt

import pytest

from cadrelab import calendar, reference
from cadrelab.data.dossiers import generate_dossiers
from cadrelab.errors import InputError
from cadrelab.widgets.answers import load_answers, read_answers
from cadrelab.widgets.intake import (
    COMPLETE,
    RECEIVE,
    REFUSE,
    IntakeDesk,
    intake_case,
    judge_intake,
)

pytestmark = pytest.mark.filterwarnings("ignore::cadrelab.calendar.CalendarDataWarning")

BUSINESS = "HKD-DK"  # business household registration: components and days from the catalogue


def dossier(
    code: str, received: str, procedure: str = BUSINESS, drop: int | None = None, **extra
) -> dict:
    components = list(reference.procedure(procedure, on=received).components_list)
    if drop is not None:
        components.pop(drop)
    return {
        "dossier_code": code,
        "procedure_code": procedure,
        "applicant_name": "Nguyễn Thị Lan",
        "components_submitted": "; ".join(components),
        "received_at": received,
        **extra,
    }


@pytest.fixture
def desk(tmp_path) -> IntakeDesk:
    queue = [
        dossier("HS-1", "2025-09-08 09:00"),  # Monday morning, complete
        dossier("HS-2", "2025-09-12 15:40", drop=0),  # Friday afternoon, incomplete
        dossier("HS-3", "2025-08-29 10:00"),  # the Friday before National Day
        dossier(
            "HS-4",
            "2025-09-09 08:00",
            refusal_reason="Hộ kinh doanh đã đăng ký tại xã khác",
            note="Công dân cho biết đã đăng ký ở phường bên cạnh",
        ),
    ]
    return IntakeDesk(queue, exercise="thu-tuc-02", folder=tmp_path)


def answer_right(desk: IntakeDesk):
    case = desk.current
    desk.tick(case.ticks)
    desk.decide(case.decision)
    if case.decision == RECEIVE:
        desk.enter_date(
            calendar.deadline(
                case.received_at, case.deadline_days, cutoff=case.cutoff, unit=case.deadline_unit
            )
        )
    return desk.submit()


# --- the right answer comes from the catalogue and the calendar ---------------------------------


def test_decisions_and_dates_follow_catalogue_and_calendar(desk) -> None:
    business = reference.procedure(BUSINESS, on=dt.date(2025, 9, 8))
    days = business.deadline_days
    first, incomplete, before_holiday, refused = desk.cases
    assert first.decision == RECEIVE
    assert first.appointment == calendar.deadline(dt.datetime(2025, 9, 8, 9), days)
    assert incomplete.decision == COMPLETE and incomplete.appointment is None
    assert incomplete.missing == (business.components_list[0],)
    assert before_holiday.appointment == calendar.deadline(dt.datetime(2025, 8, 29, 10), days)
    assert refused.decision == REFUSE


def test_hand_checked_dates() -> None:
    # Three working days: Monday 8/9/2025 → Thursday 11/9; Friday 29/8/2025 → National Day
    # is off from 30/8 to 2/9, so 3/9, 4/9, 5/9 → Friday 5/9.
    assert reference.procedure(BUSINESS, on=dt.date(2025, 9, 8)).deadline_days == 3
    assert intake_case(dossier("a", "2025-09-08 09:00")).appointment == dt.date(2025, 9, 11)
    assert intake_case(dossier("b", "2025-08-29 10:00")).appointment == dt.date(2025, 9, 5)
    # No cut-off for a business household: Friday 12/9 at 15:40 is due Wednesday 17/9.
    assert intake_case(dossier("c", "2025-09-12 15:40")).appointment == dt.date(2025, 9, 17)
    # A certified copy (same day; the decree's 15:00 cut-off) asked at 15:40 is done Monday.
    copy = intake_case(dossier("d", "2025-09-12 15:40", procedure="CT-SY"))
    assert copy.cutoff == dt.time(15) and copy.appointment == dt.date(2025, 9, 15)


def test_same_day_procedure_after_cut_off() -> None:
    case = intake_case(dossier("a", "2025-09-12 15:30", procedure="CT-SY"))
    assert case.deadline_days == 0
    assert case.appointment == dt.date(2025, 9, 15) and case.counts_from_next_day


def test_plain_dict_catalogue(tmp_path) -> None:
    procedures = {
        "X-1": {
            "name_vi": "Thủ tục thử",
            "components": ["Đơn", "Ảnh"],
            "deadline_days": 2,
            "deadline_unit": "working",
        }
    }
    row = {
        "dossier_code": "A",
        "procedure_code": "X-1",
        "applicant_name": "Lê Văn Bình",
        "components_submitted": ["Đơn"],
        "received_at": dt.datetime(2025, 3, 3, 9),
    }
    case = intake_case(row, procedures)
    assert case.decision == COMPLETE and case.ticks == {"Đơn"}
    with pytest.raises(InputError):
        intake_case({**row, "procedure_code": "Y"}, procedures)
    with pytest.raises(InputError):
        intake_case({**row, "received_at": "hôm qua"}, procedures)


# --- judging ---------------------------------------------------------------------------------


def test_right_answers_move_the_queue_and_are_stored(desk, tmp_path) -> None:
    for _ in range(4):
        verdict = answer_right(desk)
        assert verdict.ok, verdict.lines
    assert desk.done and desk.first_try_right == 4
    assert "4 hồ sơ đúng ngay lần đầu" in desk.case_view.value
    assert desk.submit_button.disabled
    stored = load_answers(tmp_path, "thu-tuc-02")
    assert stored["HS-1"]["decision"] == RECEIVE
    assert stored["HS-1"]["appointment"] == desk.cases[0].appointment
    assert stored["HS-2"] == {
        "ticked": list(desk.cases[1].required[1:]),
        "decision": COMPLETE,
        "appointment": None,
    }
    assert stored["HS-4"]["decision"] == REFUSE
    assert desk.submit() is None


def test_wrong_decision_stays_with_stronger_hints(desk, tmp_path) -> None:
    answer_right(desk)
    case = desk.current  # incomplete dossier
    desk.tick(case.required)  # ticks a paper the citizen did not bring
    desk.decide(RECEIVE)
    desk.enter_date("13/03/2025")
    first = desk.submit()
    assert not first.ok and not first.ticks_ok and not first.decision_ok
    assert first.date_ok is None
    assert desk.current is case and "chưa đúng" in desk.feedback.value
    second = desk.submit()
    assert any(case.missing[0] in line for line in second.lines)
    assert any("còn thiếu thành phần" in line for line in second.lines)
    assert [
        r.correct for r in read_answers(tmp_path, "thu-tuc-02").attempts(case.dossier_code)
    ] == [False, False]
    assert answer_right(desk).ok and desk.first_try_right == 1


def test_wrong_date_hints_never_show_the_right_date(desk) -> None:
    answer_right(desk)
    desk.next()  # skip the incomplete one
    case = desk.current
    right = case.appointment
    saturday = dt.date(2025, 9, 13)
    for _ in range(2):
        desk.tick(case.ticks)
        desk.decide(RECEIVE)
        desk.enter_date(saturday)
        verdict = desk.submit()
    assert verdict.ticks_ok and verdict.decision_ok and verdict.date_ok is False
    text = " ".join(verdict.lines)
    assert "ngày nghỉ" in text and "muộn hơn" in text
    assert right.strftime("%d/%m/%Y") not in desk.feedback.value
    assert f"{right.day}/{right.month}" not in desk.feedback.value


def test_after_cut_off_hint() -> None:
    case = intake_case(dossier("a", "2025-09-12 15:40", procedure="CT-SY"))
    verdict = judge_intake(case, case.ticks, RECEIVE, dt.date(2025, 9, 12), tries=2)
    assert any("sau 15:00" in line for line in verdict.lines)
    assert any("sớm hơn" in line for line in verdict.lines)


def test_wrong_refusal_and_missed_refusal(desk) -> None:
    complete = desk.cases[0]
    verdict = judge_intake(complete, complete.ticks, REFUSE, None)
    assert not verdict.ok and any("Chỉ từ chối" in line for line in verdict.lines)
    refused = desk.cases[3]
    verdict = judge_intake(refused, refused.ticks, RECEIVE, refused.received_at.date(), tries=2)
    assert any("đã đăng ký tại xã khác" in line for line in verdict.lines)


def test_bad_input_is_explained_and_not_stored(desk, tmp_path) -> None:
    assert desk.submit() is None
    assert "Hãy chọn một quyết định" in desk.feedback.value
    desk.decide(RECEIVE)
    desk.enter_date("31/2/2025")
    assert desk.submit() is None
    assert "chỉ có 28 ngày" in desk.feedback.value
    desk.enter_date("")
    assert desk.submit() is None and "để trống" in desk.feedback.value
    assert load_answers(tmp_path, "thu-tuc-02") == {}


def test_buttons_drive_the_same_handlers(desk) -> None:
    case = desk.current
    desk.tick(case.ticks)
    desk.decide(RECEIVE)
    desk.enter_date(case.appointment.strftime("%d/%m/%Y"))
    desk.submit_button.click()
    assert desk.position == 1
    desk.next_button.click()
    assert desk.position == 2 and "tiếp theo" in desk.feedback.value
    assert "3/4" in desk.progress.value


def test_store_failure_shows_in_feedback(tmp_path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    desk = IntakeDesk(
        [dossier("HS-1", "2025-09-08 09:00")], exercise="thu-tuc-02", folder=blocker / "answers"
    )
    assert answer_right(desk).ok
    assert "Không lưu được câu trả lời" in desk.feedback.value


def test_works_on_generated_dossiers(tmp_path) -> None:
    frame = generate_dossiers(60, seed=11).tables["dossiers"]
    desk = IntakeDesk(frame, exercise="thu-tuc-02", folder=tmp_path)
    for case, row in zip(desk.cases, frame.to_dict("records"), strict=True):
        if row["status"] == "Chờ bổ sung":
            assert case.decision == COMPLETE
        elif row["status"] != "Từ chối":
            assert case.decision == RECEIVE
            assert case.appointment == row["appointment_date"].date()
    while not desk.done:
        assert answer_right(desk).ok
    assert len(load_answers(tmp_path, "thu-tuc-02")) == len(frame)


def test_a_missing_optional_component_does_not_make_a_dossier_incomplete() -> None:
    procedure = next(
        p
        for p in reference.procedures(on=dt.date(2025, 9, 8))
        if len(p.required_components) < len(p.components_list)
    )
    optional = next(c for c in procedure.components_list if "(nếu có)" in c)
    record = dossier(
        "HS-9",
        "2025-09-08 09:00",
        procedure=procedure.code,
        drop=procedure.components_list.index(optional),
    )
    assert intake_case(record).decision == RECEIVE
    required = procedure.components_list.index(procedure.required_components[0])
    record = dossier("HS-10", "2025-09-08 09:00", procedure=procedure.code, drop=required)
    assert intake_case(record).decision == COMPLETE


def test_generated_dossiers_only_ever_miss_required_components() -> None:
    dossiers = generate_dossiers(2000, seed=11, defect_rate=0.2)["dossiers"]
    for row in dossiers.itertuples():
        procedure = reference.procedure(row.procedure_code, on=row.received_at)
        submitted = set(row.components_submitted.split("; ")) if row.components_submitted else set()
        assert set(procedure.components_list) - submitted <= set(procedure.required_components)
