"""The cases of each course exercise: every trainee has their own, and the grader rebuilds them.

A course notebook calls ``load_cases("dat-dai-01")``; the trainee comes from
:func:`cadrelab.data.seeds.trainee_id`.  Where the cases come from:

* in the grader, inside :func:`workshop_cases`: regenerated from the workshop secret,
  ground truth included (only the grader holds the secret);
* in a trainee's environment of a workshop: read from the trainee's case folder
  (``CADRELAB_CASES_DIR``, else ``du-lieu-rieng/`` beside the notebook, else
  ``~/cadrelab-cases``), written by ``cadrelab workshop release``, without ground truth;
* otherwise (self-study): practice cases from a public seed, said to be practice.

Course authors add their exercise here: id, generator, size and defect rate.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

from cadrelab.data.case_files import read_case_folder
from cadrelab.data.cases import Cases
from cadrelab.data.seeds import (
    check_exercise,
    normalise_trainee_id,
    trainee_id,
    trainee_seed,
    workshop_seed,
)
from cadrelab.errors import InputError
from cadrelab.i18n import t

CASES_DIR_ENV = "CADRELAB_CASES_DIR"
HANDOUT_FOLDER = "du-lieu-rieng"
HOME_FOLDER = Path("~") / "cadrelab-cases"
_secret: ContextVar[bytes | None] = ContextVar("cadrelab_workshop_secret", default=None)
_told_practice: set[str] = set()


@dataclass(frozen=True)
class Exercise:
    generator: str
    n: int
    defect_rate: float
    topic_vi: str


# Every exercise of the courses: id, generator, size, defect rate
# (docs/architecture.md, "An exercise").
EXERCISES: dict[str, Exercise] = {
    "tiep-nhan-01": Exercise("dossiers", 60, 0.1, "1. Tiếp nhận và phân loại hồ sơ"),
    "ma-ho-so-01": Exercise("dossiers", 150, 0.1, "2. Mã hồ sơ và sổ theo dõi"),
    "chung-thuc-01": Exercise("till", 80, 0.1, "3. Thu phí chứng thực bản sao"),
    "ho-tich-01": Exercise("social", 200, 0.0, "4. Một ngày hộ tịch: khai tử đúng hạn, quá hạn"),
    "dat-dai-01": Exercise("land", 400, 0.1, "5. Chuyển nhượng: thuế TNCN và lệ phí trước bạ"),
    "dia-chinh-01": Exercise("land", 500, 0.1, "7. Làm sạch dữ liệu địa chính"),
    "ngan-sach-01": Exercise("budget", 200, 0.0, "8. Dự toán và thực hiện ngân sách xã"),
    "ngan-sach-02": Exercise("budget", 200, 0.1, "9. Lệnh chi và mục lục ngân sách"),
    "tro-cap-01": Exercise("social", 300, 0.05, "10. Danh sách trợ cấp và khai tử"),
    "nhan-su-01": Exercise("staff", 1, 0.0, "11. Bố trí nhân sự khi thiếu người"),
    "dan-cu-01": Exercise("citizens", 200, 0.1, "Kiểm tra dữ liệu dân cư"),
    # 00-nhap-mon
    "nhap-mon-01": Exercise("dossiers", 120, 0.0, "Mở danh sách hồ sơ: lọc, sắp xếp, đếm"),
    "nhap-mon-02": Exercise("citizens", 300, 0.15, "Bảo vệ dữ liệu cá nhân, dữ liệu sai"),
    # 01-thu-tuc
    "thu-tuc-01": Exercise("dossiers", 80, 0.1, "Một cửa: tiếp nhận, ngày hẹn trả"),
    "thu-tuc-02": Exercise("dossiers", 200, 0.1, "Sổ theo dõi, quá hạn, phiếu xin lỗi"),
    # 02-dat-dai
    "dat-dai-01-bt": Exercise("land", 600, 0.1, "Bài tập: thửa đất, Giấy chứng nhận, thuế và phí"),
    "dat-dai-02-hs": Exercise("dossiers", 500, 0.1, "Bài học: hồ sơ cấp Giấy chứng nhận lần đầu"),
    "dat-dai-02-bt": Exercise("land", 600, 0.1, "Bài tập: làm sạch dữ liệu địa chính"),
    "dat-dai-02-bt-hs": Exercise("dossiers", 800, 0.1, "Bài tập: thời hạn cấp Giấy chứng nhận"),
    # 03-tai-chinh
    "tai-chinh-01-bt": Exercise("budget", 200, 0.0, "Bài tập: dự toán và thực hiện ngân sách"),
    "tai-chinh-01-bt-phi": Exercise("till", 120, 0.1, "Bài tập: đối chiếu biên lai phí chứng thực"),
    "tai-chinh-02-bt": Exercise("budget", 200, 0.1, "Bài tập: lệnh chi hạch toán sai mục"),
    "tai-chinh-02-bt-tro-cap": Exercise("social", 300, 0.05, "Bài tập: trợ cấp và khai tử"),
    # 04-mo-phong
    "mo-phong-01": Exercise("staff", 1, 0.0, "Xã của tôi: biên chế để mô phỏng nhân sự"),
}


@contextlib.contextmanager
def workshop_cases(secret: bytes) -> Iterator[None]:
    """Within this block :func:`load_cases` regenerates workshop cases (the grader's side)."""
    token = _secret.set(secret)
    try:
        yield
    finally:
        _secret.reset(token)


def generate_cases(exercise: str, trainee: str, secret: bytes | None) -> Cases:
    """The cases of ``exercise`` for ``trainee``: a workshop's with ``secret``, else practice."""
    from cadrelab.data.generators import GENERATORS  # Faker and friends: only when generating

    spec = _exercise(exercise)
    who = normalise_trainee_id(trainee)
    seed = trainee_seed(who, exercise) if secret is None else workshop_seed(secret, who, exercise)
    return GENERATORS[spec.generator](spec.n, seed, spec.defect_rate)


def cases_folder() -> Path | None:
    """This environment's case folder, if a workshop handed one out."""
    configured = os.environ.get(CASES_DIR_ENV, "").strip()
    if configured:
        return Path(configured).expanduser()
    for folder in (Path.cwd() / HANDOUT_FOLDER, HOME_FOLDER.expanduser()):
        if folder.is_dir():
            return folder
    return None


def load_cases(exercise: str, trainee: str | None = None) -> Cases:
    """The cases of ``exercise`` for ``trainee`` (default: the trainee of this environment)."""
    _exercise(exercise)
    who = trainee_id() if trainee is None else normalise_trainee_id(trainee)
    secret = _secret.get()
    if secret is not None:
        return generate_cases(exercise, who, secret)
    folder = cases_folder()
    if folder is not None and (folder / exercise).is_dir():
        return read_case_folder(folder / exercise, exercise=exercise, trainee=who)
    if exercise not in _told_practice:
        _told_practice.add(exercise)
        print(t("data.practice_notice"))
    return generate_cases(exercise, who, None)


def _exercise(exercise: str) -> Exercise:
    check_exercise(exercise)
    if exercise not in EXERCISES:
        raise InputError(
            t("data.exercise_unknown", "en", value=repr(exercise)),
            field="exercise",
            problem_vi=t("data.exercise_unknown", "vi", value=repr(exercise)),
        )
    return EXERCISES[exercise]
