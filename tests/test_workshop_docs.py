"""The trainer guide's threat model lists every defence of the grader, in both languages."""

from __future__ import annotations

import pytest

import cadrelab.grading.intake  # noqa: F401 - registers the intake defences
from cadrelab.grading.defences import DEFENCES
from tests.conftest import REPO

GUIDE = (REPO / "docs" / "workshop.md").read_text(encoding="utf-8")
ENGLISH, VIETNAMESE = GUIDE.split("## Tiếng Việt", 1)


@pytest.mark.parametrize("code", sorted(DEFENCES))
def test_every_defence_is_in_the_threat_model_in_both_languages(code) -> None:
    assert f"`{code}`" in ENGLISH
    assert f"`{code}`" in VIETNAMESE


def test_every_defence_names_a_fixture_and_a_message() -> None:
    from cadrelab.i18n import catalogue

    for code, defence in DEFENCES.items():
        assert defence.fixtures, code
        assert defence.message_key in catalogue(), code
