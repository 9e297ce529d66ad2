"""Zips on the trainer's side, without a workshop: codes, signatures, limits, random input.

The reader must never raise anything but a refusal, never accept a zip that is not
signed with the code of the trainee it names, and keep its memory small whatever
the zip claims; the registry must give every defence a message, a label and a
fixture that makes it fire.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import tempfile
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cadrelab.errors import InputError
from cadrelab.grading import defences, intake, submission_codes
from cadrelab.grading.intake import Refused
from cadrelab.grading.submission_zips import check_zip, unpack_zip
from cadrelab.i18n import t
from graders.fixtures import hostile_intake

SECRET = bytes(range(32))
ASSIGNMENT = "bai-a"
CHECKS = (SECRET, {ASSIGNMENT}, {"hv001", "hv002"})
FILES = {
    "bai.ipynb": json.dumps({"cells": [], "metadata": {}, "nbformat": 4}).encode(),
    "du-lieu/a.csv": "mã,tên\n1,Lê Văn A\n".encode(),
}


def _maker(folder: Path) -> hostile_intake.Maker:
    return hostile_intake.Maker(
        folder, ASSIGNMENT, "hv001", "hv002", lambda who: submission_code(who)
    )


def submission_code(trainee: str) -> str:
    return submission_codes.submission_code(SECRET, trainee)


def _signed(path: Path, files: dict[str, bytes] = FILES, **options) -> Path:
    return hostile_intake.signed_zip(_maker(path.parent), path, files, **options)


def test_registry_names_a_message_a_label_and_a_fixture_for_every_defence():
    kinds = {**hostile_intake.ZIP_KINDS, **hostile_intake.INBOUND_KINDS}
    named = set()
    for code, defence in intake.DEFENCES.items():
        assert defences.DEFENCES[code] is defence, "one registry for every defence"
        assert defence.message_key == f"grading.label.{code}" and defence.status is None
        for lang in ("vi", "en"):
            assert "{" not in t(f"grading.intake.{code}", lang, name="x")
            assert t(defence.message_key, lang)
        vietnamese = t(f"grading.intake.{code}", "vi", name="x")
        assert vietnamese != t(f"grading.intake.{code}", "en", name="x")
        assert not vietnamese.isascii()
        assert defence.fixtures, code
        for fixture in defence.fixtures:
            assert kinds[fixture][0] == code, fixture
            named.add(fixture)
    assert named == set(kinds), "every fixture kind is some defence's fixture"


def test_codes_are_short_stable_per_trainee_and_catch_typing_slips():
    code = submission_code("hv001")
    assert len(code) == 14 and code.count("-") == 2
    assert code == submission_code(" HV001 ")
    assert code != submission_code("hv002")
    assert code != submission_codes.submission_code(bytes(32), "hv001")
    plain = code.replace("-", "")
    assert submission_codes.normalise_code(code.lower().replace("-", " ")) == plain
    caught = 0
    for position in range(len(plain)):
        for symbol in submission_codes.ALPHABET:
            if symbol == plain[position]:
                continue
            typo = plain[:position] + symbol + plain[position + 1 :]
            try:
                submission_codes.normalise_code(typo)
            except InputError:
                caught += 1
    assert caught / (len(plain) * 31) > 0.9, "the check symbol catches most one-symbol slips"


def test_a_signed_zip_is_checked_then_unpacked_exactly(tmp_path):
    path = _signed(tmp_path / "a.zip")
    candidate = check_zip(path, *CHECKS)
    assert (candidate.trainee, candidate.assignment) == ("hv001", ASSIGNMENT)
    target = tmp_path / "ra"
    target.mkdir()
    unpack_zip(candidate, *CHECKS, target)
    unpacked = {
        p.relative_to(target).as_posix(): p.read_bytes() for p in target.rglob("*") if p.is_file()
    }
    assert unpacked == FILES


def test_memory_stays_small_for_a_zip_at_the_limits(tmp_path):
    """Four members of 4.9 MB each (19.6 MB, just under the limits) are streamed."""
    import random

    noise = random.Random(3)
    files = {f"du-lieu/{i}.bin": noise.randbytes(4_900_000) for i in range(4)}
    path = _signed(tmp_path / "lon.zip", {**FILES, **files}, method=zipfile.ZIP_STORED)
    target = tmp_path / "ra"
    target.mkdir()
    tracemalloc.start()
    try:
        candidate = check_zip(path, *CHECKS)
        unpack_zip(candidate, *CHECKS, target)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 << 20, f"peak {peak / 2**20:.1f} MB for a 19.6 MB zip"
    assert hashlib.sha256((target / "du-lieu/3.bin").read_bytes()).digest() == (
        hashlib.sha256(files["du-lieu/3.bin"]).digest()
    )


def _refused_or_original(path: Path, original_key: str, target: Path) -> None:
    """What any zip may do: be refused, or be exactly the signed original."""
    try:
        candidate = check_zip(path, *CHECKS)
    except Refused:
        return
    assert candidate.key == original_key and candidate.trainee == "hv001"
    target.mkdir()
    try:
        unpack_zip(candidate, *CHECKS, target)
    except Refused:
        return
    unpacked = {
        p.relative_to(target).as_posix(): p.read_bytes() for p in target.rglob("*") if p.is_file()
    }
    assert unpacked == FILES


PROPERTY = settings(max_examples=150, deadline=None)


EXAMPLE_MEMORY = 2 << 20


@contextlib.contextmanager
def _scratch():
    """A fresh folder per example (pytest's tmp_path is shared by all of a test's examples)."""
    with tempfile.TemporaryDirectory(prefix="cadrelab-zip-") as folder:
        yield Path(folder)


@contextlib.contextmanager
def _bounded():
    """The reader's Python memory for one example stays under :data:`EXAMPLE_MEMORY`."""
    tracemalloc.start()
    try:
        yield
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < EXAMPLE_MEMORY, f"peak {peak} bytes"


@PROPERTY
@given(data=st.binary(max_size=4000))
def test_random_bytes_are_refused(data):
    with _scratch() as folder:
        path = folder / "ngau-nhien.zip"
        path.write_bytes(data)
        with _bounded(), pytest.raises(Refused):
            check_zip(path, *CHECKS)


@PROPERTY
@given(
    edits=st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)), max_size=6),
    cut=st.none() | st.floats(0, 1),
)
def test_damaged_signed_zips_are_refused_or_exactly_the_original(edits, cut):
    with _scratch() as folder:
        original = _signed(folder / "goc.zip")
        key = check_zip(original, *CHECKS).key
        data = bytearray(original.read_bytes())
        for where, value in edits:
            data[int(where * len(data))] = value
        if cut is not None:
            data = data[: int(cut * len(data))]
        damaged = folder / "hong.zip"
        damaged.write_bytes(bytes(data))
        with _bounded():
            _refused_or_original(damaged, key, folder / "ra")


NAMES = st.lists(
    st.sampled_from([*"ab./\\:-_ ", "\x00", "\x1b", "..", "bai.ipynb", "A", "é", "e\u0301"]),
    min_size=1,
    max_size=6,
).map("".join)
MEMBER = st.tuples(
    NAMES,
    st.binary(max_size=64),
    st.sampled_from([0o100644, 0o120777, 0o020644, 0o010644, 0o040755, 0]),
    st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2]),
)


@PROPERTY
@given(
    members=st.lists(MEMBER, max_size=6),
    signing=st.sampled_from(["none", "unsigned", "other_code", "other_trainee", "random_code"]),
    seed=st.integers(0, 10**6),
)
def test_zips_without_the_trainees_code_are_never_accepted(members, signing, seed):
    files = dict(FILES)
    for name, data, _, _ in members:
        files.setdefault(name, data)
    make = _maker(Path("."))
    manifest: dict | None = None
    if signing != "none":
        manifest = hostile_intake.manifest_for(make, files)
        if signing == "unsigned":
            del manifest["signature"]
        elif signing == "other_code":
            manifest["signature"] = submission_codes.sign(manifest, submission_code("hv002"))
        elif signing == "other_trainee":
            manifest["trainee"] = "hv002"
        else:
            manifest["signature"] = hashlib.sha256(str(seed).encode()).hexdigest()
    modes = {name: (mode, method) for name, _, mode, method in members}

    def tweak(info: zipfile.ZipInfo) -> None:
        if info.filename in modes:
            mode, method = modes[info.filename]
            info.external_attr = mode << 16
            info.create_system = 3
            info.compress_type = method

    with _scratch() as folder:
        path = folder / "la.zip"
        try:
            hostile_intake.write_zip(path, manifest, files, tweak)
        except (ValueError, OSError):
            return  # zipfile itself refuses to write some names; nothing to collect
        with _bounded(), pytest.raises(Refused):
            check_zip(path, *CHECKS)


def test_the_threat_model_lists_every_intake_defence_in_both_languages():
    text = (Path(__file__).resolve().parents[1] / "docs" / "workshop.md").read_text(
        encoding="utf-8"
    )
    english = text.split("### Threat model: collection and outputs", 1)[1].split("\n### ", 1)[0]
    vietnamese = text.split("### Mô hình đe dọa: thu bài và dữ liệu xuất ra", 1)[1]
    vietnamese = vietnamese.split("\n### ", 1)[0]
    for code in intake.DEFENCES:
        assert f"`{code}`" in english and f"`{code}`" in vietnamese, code
