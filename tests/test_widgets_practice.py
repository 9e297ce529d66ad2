"""The queue skeleton behind the practice screens, driven through a minimal screen of its own."""

from __future__ import annotations

import html
from dataclasses import dataclass

import ipywidgets as w
import pytest

from cadrelab.errors import InputError
from cadrelab.i18n import t
from cadrelab.widgets.fee_till import FeeTill
from cadrelab.widgets.practice import PracticeQueue, Unreadable


@dataclass(frozen=True)
class Doubled:
    """The verdict of the toy screen: is the answer twice the item?"""

    ok: bool
    lines: tuple[str, ...]


class Doubling(PracticeQueue[int, int, Doubled]):
    """A toy screen: each item is a number, the right answer is twice that number."""

    TEXTS = FeeTill.TEXTS
    CSS_CLASS = "cadrelab-doubling"
    SOURCE = "doubling"
    SUBMIT_ICON = "check"

    def _item(self, row: str) -> int:
        return int(row)

    def _build_form(self) -> list[w.Widget]:
        self.entry = w.Text()
        self.closed = False
        return [self.entry]

    def _load_form(self, item: int) -> None:
        self.entry.value = ""

    def _close_form(self) -> None:
        self.closed = True

    def _read(self, item: int) -> int:
        if not self.entry.value.strip().isdigit():
            raise Unreadable("not a number", ("digits only",))
        return int(self.entry.value)

    def _judge(self, item: int, answer: int, tries: int) -> Doubled:
        return Doubled(answer == 2 * item, () if answer == 2 * item else (f"try {tries}",))

    def _answer_id(self, item: int) -> str:
        return f"n{item}"

    def _item_html(self, item: int) -> str:
        return f"<b>{item}</b>"

    def _wrong_title(self, item: int) -> str:
        return f"{item} is not it"


class Recorder:
    """Stands in for the answer store and remembers every call."""

    def __init__(self, fail: bool = False) -> None:
        self.calls: list[tuple] = []
        self.fail = fail

    def __call__(self, exercise, item, value, *, correct, source, folder):
        self.calls.append((exercise, item, value, correct, source, folder))
        if self.fail:
            raise InputError("store is read-only", problem_vi="kho chỉ đọc")


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def screen(recorder) -> Doubling:
    return Doubling(["3", "5", "7"], exercise="thu-tuc-02", folder="somewhere", record=recorder)


def answer(screen: Doubling, value: str):
    screen.entry.value = value
    return screen.submit()


def test_items_layout_and_first_item(screen) -> None:
    assert screen.items == [3, 5, 7] and screen.current == 3 and not screen.done
    assert screen.item_view.value == "<b>3</b>"
    assert "1/3" in screen.progress.value
    assert screen.widget.children[2] is screen.entry
    assert screen.widget._dom_classes == ("cadrelab-doubling",)
    assert screen.widget.layout.border == "1px solid #ced4da"


def test_wrong_stays_with_growing_tries_right_moves_on(screen, recorder) -> None:
    assert answer(screen, "7").lines == ("try 1",)
    assert answer(screen, "8").lines == ("try 2",)
    assert screen.current == 3 and "3 is not it" in screen.feedback.value
    assert answer(screen, "6").ok
    assert screen.current == 5 and screen.tries == 0 and screen.first_try_right == 0
    assert screen.entry.value == "" and "2/3" in screen.progress.value
    assert [(c[1], c[2], c[3]) for c in recorder.calls] == [
        ("n3", 7, False),
        ("n3", 8, False),
        ("n3", 6, True),
    ]
    assert {(c[0], c[4], c[5]) for c in recorder.calls} == {("thu-tuc-02", "doubling", "somewhere")}
    assert len(screen.verdicts) == 3


def test_unreadable_is_explained_not_counted_not_stored(screen, recorder) -> None:
    assert answer(screen, "six") is None
    assert "cadrelab-invalid" in screen.feedback.value and "digits only" in screen.feedback.value
    assert screen.tries == 0 and recorder.calls == [] and screen.verdicts == []


def test_finished_queue_locks_and_sums_up(screen) -> None:
    answer(screen, "6")
    screen.next_button.click()
    assert screen.current == 7 and "cadrelab-info" in screen.feedback.value
    screen.entry.value = "14"
    screen.submit_button.click()
    assert screen.done and screen.closed and screen.first_try_right == 2
    assert screen.submit_button.disabled and screen.next_button.disabled
    assert screen.item_view.value == html.escape(t(FeeTill.TEXTS.summary, total=3, first=2))
    assert screen.submit() is None
    screen.next()
    assert screen.position == 3


def test_store_failure_is_shown_and_the_verdict_stands() -> None:
    screen = Doubling(["4"], exercise="thu-tuc-02", record=Recorder(fail=True))
    assert answer(screen, "8").ok and screen.done
    assert "kho chỉ đọc" in screen.feedback.value


def test_the_exercise_id_is_checked_before_anything_else() -> None:
    with pytest.raises(InputError) as caught:
        Doubling(["not a number"], exercise="Bài 1", record=Recorder())
    assert caught.value.field == "exercise"
