"""The workshop commands: folders, roster, release, collect; bad input is one line, exit 2."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cadrelab.cli import main
from cadrelab.grading import leaks, release
from cadrelab.grading.workshop import Workshop
from graders.fixtures import submissions as fixtures

ASSIGNMENT = "thuc-hanh-bai-01"


def run(capsys, *argv: str) -> tuple[int, str, list[str]]:
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, [line for line in captured.err.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def released(tmp_path_factory) -> Workshop:
    root = tmp_path_factory.mktemp("cli") / "lop"
    assert main(["workshop", "init", str(root), "--courses", str(fixtures.COURSES)]) == 0
    assert main(["workshop", "release", "--all", "--dir", str(root)]) == 0
    return Workshop.open(root)


def test_init_is_idempotent_and_refreshes_changed_lessons(tmp_path, capsys):
    courses = tmp_path / "courses"
    shutil.copytree(fixtures.COURSES, courses)
    root = tmp_path / "lop"
    assert run(capsys, "workshop", "init", root, "--courses", courses)[1].count("đã thêm") == 2
    assert run(capsys, "workshop", "init", root, "--courses", courses)[1].count("không đổi") == 2
    helper = courses / "thuc-hanh" / "bai-01" / "ho_so.py"
    helper.write_text(helper.read_text(encoding="utf-8") + "\n# sửa\n", encoding="utf-8")
    out = run(capsys, "workshop", "init", root, "--courses", courses)[1]
    assert "thuc-hanh-bai-01" in out and "đã cập nhật" in out
    assert (
        (root / "source" / ASSIGNMENT / "ho_so.py").read_text(encoding="utf-8").endswith("# sửa\n")
    )
    config = (root / "nbgrader_config.py").read_text(encoding="utf-8")
    assert "c.CourseDirectory.course_id = 'cadrelab'" in config
    code, _, err = run(capsys, "workshop", "init", root, "--course-id", "khac")
    assert code == 2 and len(err) == 1 and "course id" in err[0]


@pytest.mark.parametrize(
    "argv",
    [
        ["workshop", "release", "--all", "--dir", "{tmp}"],
        ["workshop", "report", "--dir", "{tmp}"],
        ["workshop", "init", "{tmp}", "--course-id", "bad id"],
    ],
)
def test_bad_folders_are_one_line_errors(tmp_path, capsys, argv):
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    code, _, err = run(capsys, *[a.replace("{tmp}", str(tmp_path)) for a in argv])
    assert code == 2 and len(err) == 1 and err[0].startswith("cadrelab: error:")


def test_release_refuses_an_unknown_assignment(released, capsys):
    code, _, err = run(capsys, "workshop", "release", "khong-co", "--dir", released.root)
    assert code == 2 and len(err) == 1 and "khong-co" in err[0]


def test_release_removes_and_refuses_a_leaking_release(released, monkeypatch, capsys):
    planted = leaks.Leak(Path("so-theo-doi.ipynb"), "hidden_test", "assert so_qua_han == 1")
    monkeypatch.setattr(release, "find_leaks", lambda folder, secrets: [planted])
    code, _, err = run(capsys, "workshop", "release", "thuc-hanh-bai-02", "--dir", released.root)
    assert code == 2 and len(err) == 1 and "hidden test" in err[0]
    assert not (released.release_dir / "thuc-hanh-bai-02").exists()
    monkeypatch.undo()
    assert main(["workshop", "release", "thuc-hanh-bai-02", "--dir", str(released.root)]) == 0


def test_roster_import_reads_excel_csv(released, tmp_path, capsys):
    roster = tmp_path / "ds.csv"
    roster.write_text(
        "\ufeffma_hoc_vien,ho_ten,don_vi,email\nhv101, Nguyễn  Thị Hoa ,Xã A,\n"
        "HV102,Trần Văn Nam,Phường B,nam@example.org\n",
        encoding="utf-8",
    )
    code, out, _ = run(capsys, "workshop", "roster", "import", roster, "--dir", released.root)
    assert code == 0 and "2 học viên" in out
    with released.gradebook() as gradebook:
        hoa = gradebook.find_student("hv101")
        assert (hoa.last_name, hoa.first_name) == ("Nguyễn", "Thị Hoa")
        assert gradebook.find_student("hv102").email == "nam@example.org"


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("ma_hoc_vien,ho_ten\nhv1,A\nhv 2,B\n", "row 3: field 'ma_hoc_vien'"),
        ("ma_hoc_vien,ho_ten\nhv1,A\nHV1,B\n", "row 3: field 'ma_hoc_vien'"),
        ("ma_hoc_vien,ho_ten\nhv1,\n", "row 2: field 'ho_ten'"),
        ("ma,ten\nhv1,A\n", "field 'id'"),
    ],
)
def test_roster_errors_name_file_row_and_field(released, tmp_path, capsys, text, where):
    roster = tmp_path / "ds.csv"
    roster.write_text(text, encoding="utf-8")
    code, _, err = run(capsys, "workshop", "roster", "import", roster, "--dir", released.root)
    assert code == 2 and len(err) == 1 and str(roster) in err[0] and where in err[0]


def test_collect_never_follows_links_planted_in_the_exchange(released, tmp_path, capsys):
    roster = tmp_path / "ds.csv"
    roster.write_text("ma_hoc_vien,ho_ten\nhv301,Lê Văn Ba\n", encoding="utf-8")
    assert main(["workshop", "roster", "import", str(roster), "--dir", str(released.root)]) == 0
    home = tmp_path / "home"
    fixtures.write_submission(
        released.release_dir / ASSIGNMENT,
        home / ASSIGNMENT,
        "so-theo-doi",
        fixtures.load_kinds()[ASSIGNMENT]["kinds"]["good"],
    )
    fixtures.exchange_submit(released, home, ASSIGNMENT, "hv301")
    inbound = next((released.exchange_root / released.course_id / "inbound").glob("hv301+*"))
    (inbound / "so-diem.db").symlink_to(released.gradebook_path)
    code, _, err = run(capsys, "workshop", "collect", "--dir", released.root)
    assert code == 2 and "so-diem.db" in err[0] and "link" in err[0]
    assert not (released.submitted_dir / "hv301" / ASSIGNMENT).exists()


def test_export_to_a_folder_is_a_one_line_error(released, tmp_path, capsys):
    code, _, err = run(capsys, "workshop", "export", tmp_path, "--dir", released.root)
    assert code == 2 and len(err) == 1 and "cannot write" in err[0]
