"""The ground truth of generated cases is withheld inside the grading sandbox."""

from __future__ import annotations

import pytest

from cadrelab.data import generate_land
from cadrelab.data.cases import GRADING_ENV
from cadrelab.errors import InputError
from cadrelab.grading.sandbox import sandbox_env


def test_truth_is_there_outside_the_sandbox(monkeypatch) -> None:
    monkeypatch.delenv(GRADING_ENV, raising=False)
    cases = generate_land(200, seed=3, defect_rate=0.2)
    assert len(cases.defects) > 0
    assert len(cases.defects_of("parcels")) > 0


def test_truth_is_withheld_inside_the_sandbox(monkeypatch) -> None:
    monkeypatch.setenv(GRADING_ENV, "sandbox")
    cases = generate_land(200, seed=3, defect_rate=0.2)
    assert len(cases.defects) == 0
    assert len(cases["parcels"]) == 200
    with pytest.raises(InputError) as caught:
        cases.defects_of("parcels")
    assert "chấm bài" in caught.value.message_vi


def test_the_sandbox_sets_the_switch() -> None:
    assert sandbox_env("hv001", "/submission")[GRADING_ENV] == "sandbox"
