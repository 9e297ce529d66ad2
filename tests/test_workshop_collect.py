"""Collect takes each zip and exchange folder on its own; every hostile one gets its defence.

One class: good trainees and one trainee per hostile kind of ``graders/fixtures/
hostile_intake.py``, collected by the real command in its own process.  Every
hostile zip or folder must get the defence its kind names, with the message in
both languages; the good ones must be collected byte for byte; nothing may be
written outside ``submitted/`` or left half-written; and the whole run must end
within the stated time.  Then the rules of signed zips: the submission time is when
the trainer received the zip, an older zip never replaces a newer one, and nobody
can submit in another trainee's name or lock them out.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import pwd
import shutil
import zipfile
from pathlib import Path

import pytest

from cadrelab.data.seeds import TRAINEE_ID_PATTERN
from cadrelab.errors import InputError
from cadrelab.grading import exchange, intake, submission_codes
from cadrelab.grading.collect import collect
from cadrelab.grading.escaping import visible
from cadrelab.grading.submission_zips import pack_submission
from graders.fixtures import hostile_intake
from graders.fixtures import submissions as fixtures
from tests.intake_helpers import (
    ASSIGNMENT,
    NOTEBOOK,
    filled_folder,
    maker,
    released_workshop,
    run_cli,
    run_python,
)

pytestmark = pytest.mark.slow

ME = pwd.getpwuid(os.getuid()).pw_name
GOOD = ["hv001", "hv002", "hv003"]
OTHER_USER = "daemon"  # a system account that exists on every Debian-like machine


def kind_trainee(kind: str) -> str:
    return "k-" + kind.replace("_", "-")


ROSTER = (
    GOOD
    + [kind_trainee(kind) for kind in hostile_intake.ZIP_KINDS]
    + [kind_trainee(kind) for kind in hostile_intake.INBOUND_KINDS]
    + ["hv-replay", "hv-victim", "hv-attacker", "hv-clock", "hv-stop", "hv-kill", OTHER_USER]
    + [f"hv-m{n:02d}" for n in range(20)]
    + ([ME] if TRAINEE_ID_PATTERN.fullmatch(ME) else [])
)


@pytest.fixture(scope="module")
def room(tmp_path_factory):
    root = tmp_path_factory.mktemp("thu-bai") / "lop"
    workshop = released_workshop(root, [(trainee, "Nguyễn Văn An") for trainee in ROSTER])
    work = filled_folder(workshop, root.parent / "bai-lam" / ASSIGNMENT)
    return workshop, work


def _outcomes(workshop, route: str) -> dict[str, intake.Outcome]:
    return {o.source: o for o in intake.load_outcomes(workshop) if o.route == route}


def _zip_codes(outcomes: list[intake.Outcome]) -> dict[str, str]:
    return {o.source: o.code for o in outcomes if o.route == intake.ZIP}


def _notebook(workshop, trainee: str) -> bytes:
    return (workshop.submitted_dir / trainee / ASSIGNMENT / f"{NOTEBOOK}.ipynb").read_bytes()


def _leftovers(workshop) -> list[Path]:
    return [p for p in workshop.submitted_dir.rglob(".*") if p.name != ".ipynb_checkpoints"]


def test_a_class_of_zips_hostile_ones_refused_each_with_its_reason(room, tmp_path):
    workshop, work = room
    usb = tmp_path / "usb"
    usb.mkdir()
    expected = {}
    for kind, (code, build) in hostile_intake.ZIP_KINDS.items():
        if kind == "zip_file_is_fifo" and not hasattr(os, "mkfifo"):
            continue
        build(maker(workshop, work, kind_trainee(kind), GOOD[0]), usb / f"{kind}.zip")
        expected[f"{kind}.zip"] = code
    good = {}
    for trainee in GOOD:
        path = maker(workshop, work, trainee, GOOD[1]).good_zip(usb / f"{trainee}.zip")
        good[path.name] = trainee

    done = run_cli("workshop", "collect", "--zips", usb, "--dir", workshop.root)

    assert done.returncode == 2, done.stderr
    outcomes = _outcomes(workshop, intake.ZIP)
    for name, code in expected.items():
        outcome = outcomes[name]
        assert outcome.code == code, (name, outcome)
        assert (
            f"{name}: {outcome.message('en')} / lỗi: {name}: {outcome.message('vi')}" in done.stderr
        )
    for name, trainee in good.items():
        assert outcomes[name].code == intake.COLLECTED and outcomes[name].trainee == trainee
        assert _notebook(workshop, trainee) == (work / f"{NOTEBOOK}.ipynb").read_bytes()
    for kind in hostile_intake.ZIP_KINDS:
        assert not (workshop.submitted_dir / kind_trainee(kind)).exists(), kind
    refused_lines = [
        line for line in done.stderr.splitlines() if line.startswith("cadrelab: error:")
    ]
    assert len(refused_lines) == len(expected)
    assert "\x1b" not in done.stderr + done.stdout, "a zip name cannot drive the terminal"
    assert not (tmp_path / "x.py").exists() and not Path("/tmp/x.py").exists()
    assert _leftovers(workshop) == []
    # the refusal is proven to be the trainee's once the signature holds, never before
    assert outcomes["zip_encrypted.zip"].proven
    assert outcomes["zip_encrypted.zip"].trainee == kind_trainee("zip_encrypted")
    assert not outcomes["zip_other_trainees_name.zip"].proven
    assert outcomes["zip_other_trainees_name.zip"].trainee == GOOD[0]


def test_the_exchange_route_vets_every_inbound_folder(room, tmp_path):
    workshop, work = room
    inbound = workshop.exchange_root / workshop.course_id / "inbound"
    when = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=10)
    for trainee in GOOD:  # real nbgrader submissions
        home = tmp_path / "nha" / trainee
        filled_folder(workshop, home / ASSIGNMENT)
        fixtures.exchange_submit(workshop, home, ASSIGNMENT, trainee)
    expected = {}
    for kind, (code, build) in hostile_intake.INBOUND_KINDS.items():
        if kind == "inbound_unreadable" and os.geteuid() == 0:
            continue  # the superuser reads every folder
        if kind == "inbound_other_owner" and os.geteuid() != 0:
            continue  # only the superuser can make a folder another account owns
        other = OTHER_USER if kind == "inbound_other_owner" else GOOD[2]
        folder = build(maker(workshop, work, kind_trainee(kind), other), inbound, when)
        expected[folder.name] = code

    done = run_cli("workshop", "collect", "--dir", workshop.root)

    assert done.returncode == 2, done.stderr
    outcomes = _outcomes(workshop, intake.EXCHANGE)
    for name, code in expected.items():
        assert outcomes[visible(name)].code == code, (name, outcomes.get(name))
    for trainee in GOOD:
        collected = workshop.submitted_dir / trainee / ASSIGNMENT
        assert (collected / f"{NOTEBOOK}.ipynb").is_file()
        assert not any(p.is_symlink() for p in collected.rglob("*"))
    for kind in hostile_intake.INBOUND_KINDS:
        assert not (workshop.submitted_dir / kind_trainee(kind)).exists(), kind
    assert not (workshop.submitted_dir / OTHER_USER).exists()
    assert _leftovers(workshop) == []


@pytest.mark.skipif(not TRAINEE_ID_PATTERN.fullmatch(ME), reason=f"user name {ME!r} is no id")
def test_an_owner_pattern_takes_only_the_trainees_own_account(room, tmp_path, monkeypatch):
    workshop, _ = room
    # seen as a trainer with another account, the folders this test makes are a trainee's
    monkeypatch.setattr(exchange, "trainer_uid", lambda: 4242)
    for trainee in (ME, OTHER_USER):
        home = tmp_path / trainee
        filled_folder(workshop, home / ASSIGNMENT)
        fixtures.exchange_submit(workshop, home, ASSIGNMENT, trainee)
    outcomes = collect(workshop, owner_pattern="{trainee}")
    by_trainee = {o.trainee: o for o in outcomes if o.trainee in (ME, OTHER_USER)}
    assert by_trainee[ME].code == intake.COLLECTED and by_trainee[ME].proven
    assert by_trainee[OTHER_USER].code == "wrong_owner"
    with pytest.raises(InputError, match="trainee"):
        collect(workshop, owner_pattern="jupyter-hv")


def _variant(work: Path, target: Path, text: str) -> Path:
    shutil.copytree(work, target)
    notebook = json.loads((target / f"{NOTEBOOK}.ipynb").read_text(encoding="utf-8"))
    notebook["metadata"]["ghi_chu"] = text
    (target / f"{NOTEBOOK}.ipynb").write_text(json.dumps(notebook), encoding="utf-8")
    return target


def test_receipt_time_and_replays(room, tmp_path):
    workshop, work = room
    trainee = "hv-replay"
    code = maker(workshop, work, trainee, GOOD[0]).code_for(trainee)
    first = _variant(work, tmp_path / "v1" / ASSIGNMENT, "lần 1")
    second = _variant(work, tmp_path / "v2" / ASSIGNMENT, "lần 2")
    usb = tmp_path / "usb"
    usb.mkdir()
    future = dt.datetime(2099, 1, 1, tzinfo=dt.UTC)
    old_zip = pack_submission(first, ASSIGNMENT, trainee, code, tmp_path / "cu.zip", now=future)
    shutil.copy(old_zip, usb / "a.zip")
    before = dt.datetime.now(dt.UTC)
    collect(workshop, usb)
    stamp = (workshop.submitted_dir / trainee / ASSIGNMENT / "timestamp.txt").read_text()
    received = dt.datetime.fromisoformat(stamp)
    assert before <= received <= dt.datetime.now(dt.UTC), "the trainee's clock is not trusted"

    (usb / "a.zip").unlink()
    packed_earlier = future - dt.timedelta(days=365 * 70)
    pack_submission(second, ASSIGNMENT, trainee, code, usb / "b.zip", now=packed_earlier)
    outcomes = _zip_codes(collect(workshop, usb))
    assert outcomes == {"b.zip": intake.COLLECTED}
    assert b"l\\u1ea7n 2" in _notebook(workshop, trainee)

    shutil.copy(old_zip, usb / "a-gui-lai.zip")  # the older zip comes back
    outcomes = _zip_codes(collect(workshop, usb))
    assert outcomes == {"a-gui-lai.zip": intake.OLDER, "b.zip": intake.UNCHANGED}
    assert b"l\\u1ea7n 2" in _notebook(workshop, trainee)


def test_two_new_zips_in_one_run_follow_the_trainees_own_order(room, tmp_path):
    workshop, work = room
    trainee = "hv-clock"
    code = maker(workshop, work, trainee, GOOD[0]).code_for(trainee)
    usb = tmp_path / "usb"
    usb.mkdir()
    nine = dt.datetime(2025, 3, 5, 9, 0, tzinfo=dt.UTC)
    for label, minutes, name in (("sau", 30, "a.zip"), ("truoc", 0, "b.zip")):
        folder = _variant(work, tmp_path / label / ASSIGNMENT, label)
        pack_submission(
            folder, ASSIGNMENT, trainee, code, usb / name, now=nine + dt.timedelta(minutes=minutes)
        )
    outcomes = _zip_codes(collect(workshop, usb))
    assert outcomes == {"a.zip": intake.COLLECTED, "b.zip": intake.OLDER}
    assert b'"sau"' in _notebook(workshop, trainee)


def test_nobody_submits_in_another_name_or_locks_anyone_out(room, tmp_path):
    workshop, work = room
    victim, attacker = "hv-victim", "hv-attacker"
    make = maker(workshop, work, attacker, victim)
    usb = tmp_path / "usb"
    usb.mkdir()
    make.good_zip(usb / "that.zip", victim)
    collect(workshop, usb)
    genuine = _notebook(workshop, victim)

    forged = _variant(work, tmp_path / "gia" / ASSIGNMENT, "giả mạo")
    files = {
        p.relative_to(forged).as_posix(): p.read_bytes() for p in forged.rglob("*") if p.is_file()
    }
    hostile_intake.signed_zip(
        make, usb / "zz-gia.zip", files, trainee=victim, code=make.code_for(attacker)
    )
    outcomes = {o.source: o for o in collect(workshop, usb) if o.route == intake.ZIP}
    assert outcomes["zz-gia.zip"].code == "bad_signature"
    assert _notebook(workshop, victim) == genuine

    later = _variant(work, tmp_path / "moi" / ASSIGNMENT, "bài mới")
    pack_submission(later, ASSIGNMENT, victim, make.code_for(victim), usb / "that-moi.zip")
    outcomes = _zip_codes(collect(workshop, usb))
    assert outcomes["that-moi.zip"] == intake.COLLECTED, "the real trainee is never locked out"
    assert b"b\\u00e0i m\\u1edbi" in _notebook(workshop, victim)


def test_pack_needs_the_right_shape_of_code(room, tmp_path):
    workshop, work = room
    code = maker(workshop, work, "hv001", "hv002").code_for("hv001")
    sloppy = code.lower().replace("-", " ").replace("0", "o").replace("1", "l")
    out = pack_submission(work, ASSIGNMENT, "hv001", sloppy, tmp_path / "a.zip")
    with zipfile.ZipFile(out) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    assert submission_codes.verify(manifest, workshop.secret())
    typo = code[:-1] + ("A" if code[-1] != "A" else "B")
    with pytest.raises(InputError) as error:
        pack_submission(work, ASSIGNMENT, "hv001", typo, tmp_path / "b.zip")
    assert "mistyped" in error.value.message and "gõ sai" in error.value.message_vi
    done = run_cli("workshop", "pack", work, "--trainee", "hv001", "--out", tmp_path / "c.zip")
    assert done.returncode == 2 and "--code" in done.stderr
    moment = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    once = pack_submission(work, ASSIGNMENT, "hv001", code, tmp_path / "d.zip", now=moment)
    again = pack_submission(work, ASSIGNMENT, "hv001", code, tmp_path / "e.zip", now=moment)
    assert again.read_bytes() == once.read_bytes(), "same files, code and time: same bytes"


INTERRUPTED = """
import os, signal, zipfile
from cadrelab.cli import main
real_read = zipfile.ZipExtFile.read
calls = []
def read(self, n=-1):
    calls.append(n)
    if len(calls) == 3:
        os.kill(os.getpid(), signal.{signal})
    return real_read(self, n)
zipfile.ZipExtFile.read = read
raise SystemExit(main(["workshop", "collect", "--zips", {usb!r}, "--dir", {root!r}]))
"""


@pytest.mark.parametrize(("signal", "trainee"), [("SIGINT", "hv-stop"), ("SIGKILL", "hv-kill")])
def test_an_interrupted_collect_leaves_the_old_submission_and_nothing_a_rerun_trips_on(
    room, tmp_path, signal, trainee
):
    workshop, work = room
    code = maker(workshop, work, trainee, GOOD[0]).code_for(trainee)
    usb = tmp_path / "usb"
    usb.mkdir()
    first = _variant(work, tmp_path / "v1" / ASSIGNMENT, "cũ")
    pack_submission(first, ASSIGNMENT, trainee, code, usb / "cu.zip")
    collect(workshop, usb)
    held = _notebook(workshop, trainee)
    (usb / "cu.zip").unlink()
    second = _variant(work, tmp_path / "v2" / ASSIGNMENT, "mới")
    pack_submission(second, ASSIGNMENT, trainee, code, usb / "moi.zip")

    done = run_python(INTERRUPTED.format(signal=signal, usb=str(usb), root=str(workshop.root)))

    assert done.returncode == (130 if signal == "SIGINT" else -9), done.stderr
    assert _notebook(workshop, trainee) == held, "no half-collected submission"
    if signal == "SIGINT":
        assert "interrupted" in done.stderr and "Traceback" not in done.stderr
        assert _leftovers(workshop) == []
    outcomes = _zip_codes(collect(workshop, usb))
    assert outcomes == {"moi.zip": intake.COLLECTED}
    assert _leftovers(workshop) == []
    assert b"m\\u1edbi" in _notebook(workshop, trainee)


def test_memory_stays_bounded_whatever_the_number_of_zips(room, tmp_path):
    """Twenty zips of a megabyte each: collect holds one file's chunk at a time, not the zips."""
    import random
    import tracemalloc

    workshop, work = room
    noise = random.Random(11)
    usb = tmp_path / "usb"
    usb.mkdir()
    for n in range(20):
        trainee = f"hv-m{n:02d}"
        folder = shutil.copytree(work, tmp_path / trainee / ASSIGNMENT)
        (folder / "du-lieu.bin").write_bytes(noise.randbytes(1 << 20))
        maker(workshop, folder, trainee, GOOD[0]).good_zip(usb / f"{trainee}.zip")
    tracemalloc.start()
    try:
        outcomes = collect(workshop, usb)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert sorted(_zip_codes(outcomes).values()) == [intake.COLLECTED] * 20
    assert peak < 8 << 20, f"peak {peak / 2**20:.1f} MB for 20 MB of zips"
