"""Course 04 (staffing simulation): reading one's own commune's results; choosing between plans.

The lessons run the model themselves and hand the results over by name
(``check(key, answer, kq=kq)``): the expected value is read from those results here.
"""

from __future__ import annotations

from cadrelab.checks.registry import LessonCheck, LessonData, register

ROSTER = "mo-phong-01"  # the staff roster of the trainee's own commune
VACANT = "Chưa bố trí"
LEAD_TIME = ("overall", "all", "lead_time_working_days")
ON_TIME = ("overall", "all", "on_time_rate")
COUNTER_WAIT = ("overall", "all", "counter_wait_minutes")
SURE_ABOVE = 0.80  # practice 5's threshold, stated in the lesson
MINUTES_PER_HOUR = 60


def _narrowing(data: LessonData) -> float:
    return data["kq"].estimate(LEAD_TIME).half_width / data["kq_40"].estimate(LEAD_TIME).half_width


def _clear(data: LessonData) -> bool:
    difference = data["so_sanh"].differences(data["kq1"])[COUNTER_WAIT]
    return bool(difference.low > 0 or difference.high < 0)


def _better(data: LessonData) -> str:
    first, second = (data[name].estimate(COUNTER_WAIT).mean for name in ("kq1", "kq2"))
    return "PA1" if first < second else "PA2"


register(
    LessonCheck(
        "mo-phong-01.so-cho-trong",
        expected=lambda data: int(data.cases(ROSTER)["staff"]["status"].eq(VACANT).sum()),
        hints=("lesson.mo-phong-01.so-cho-trong.1", "lesson.mo-phong-01.so-cho-trong.2"),
    ),
    LessonCheck(
        "mo-phong-01.tg-giai-quyet",
        expected=lambda data: data["kq"].estimate(LEAD_TIME).mean,
        given=("kq",),
        hints=("lesson.mo-phong-01.tg-giai-quyet.1", "lesson.mo-phong-01.tg-giai-quyet.2"),
    ),
    LessonCheck(
        "mo-phong-01.cho-dat-dai-gio",
        expected=lambda data: (
            data["kq"].estimate(("role", "land", "wait_minutes")).mean / MINUTES_PER_HOUR
        ),
        given=("kq",),
        hints=("lesson.mo-phong-01.cho-dat-dai-gio.1", "lesson.mo-phong-01.cho-dat-dai-gio.2"),
    ),
    LessonCheck(
        "mo-phong-01.ty-le-thu-hep",
        expected=_narrowing,
        given=("kq", "kq_40"),
        hints=("lesson.mo-phong-01.ty-le-thu-hep.1", "lesson.mo-phong-01.ty-le-thu-hep.2"),
    ),
    LessonCheck(
        "mo-phong-01.chac-chan-tren-80",
        expected=lambda data: bool(data["kq_40"].estimate(ON_TIME).low > SURE_ABOVE),
        given=("kq_40",),
        hints=("lesson.mo-phong-01.chac-chan-tren-80.1", "lesson.mo-phong-01.chac-chan-tren-80.2"),
    ),
    LessonCheck(
        "mo-phong-02.chenh-lech-pa2",
        expected=lambda data: data["so_sanh"].differences(data["kq2"])[COUNTER_WAIT].mean,
        given=("so_sanh", "kq2"),
        hints=("lesson.mo-phong-02.chenh-lech-pa2.1", "lesson.mo-phong-02.chenh-lech-pa2.2"),
    ),
    LessonCheck(
        "mo-phong-02.ro-rang-pa1",
        expected=_clear,
        given=("so_sanh", "kq1"),
        hints=("lesson.mo-phong-02.ro-rang-pa1.1", "lesson.mo-phong-02.ro-rang-pa1.2"),
    ),
    LessonCheck(
        "mo-phong-02.tot-hon",
        expected=_better,
        given=("kq1", "kq2"),
        hints=("lesson.mo-phong-02.tot-hon.1", "lesson.mo-phong-02.tot-hon.2"),
    ),
)
