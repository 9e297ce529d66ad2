"""The fee till: amounts from the reference fee rules, hints for the usual slips."""

from __future__ import annotations

import datetime as dt

import pytest

from cadrelab import reference
from cadrelab.data.providers import format_dong
from cadrelab.errors import InputError
from cadrelab.widgets.answers import load_answers, read_answers
from cadrelab.widgets.fee_till import (
    CopyRequest,
    FeeOrder,
    FeeTill,
    describe_rule,
    fee_due,
    fee_order,
    fee_rules,
    practice_orders,
    till_hints,
)

DAY = dt.date(2025, 9, 15)  # the day the till collects
RULES = fee_rules(DAY)
COPY = RULES["copy"]


def copy_fee_from_table(pages: int) -> int:
    """The certified-copy fee worked out from the table's columns, independently of amount()."""
    first = min(pages, COPY.first_pages) * COPY.amount_vnd
    later = max(pages - COPY.first_pages, 0) * COPY.later_page_vnd
    return min(first + later, COPY.cap_vnd)


def test_rules_come_from_the_procedure_catalogue() -> None:
    assert reference.fee_rule(reference.procedure("CT-SY", on=DAY).fee_code, on=DAY) == COPY
    assert COPY.kind == "per_page" and COPY.cap_vnd is not None
    assert RULES["signature"] == reference.fee_rule(
        reference.procedure("CT-CK", on=DAY).fee_code, on=DAY
    )
    assert RULES["contract"] == reference.fee_rule(
        reference.procedure("CT-HD", on=DAY).fee_code, on=DAY
    )


@pytest.mark.parametrize("pages", [1, 2, 3, 7, 150, 198, 199, 200, 260, 1000])
def test_copy_fee_per_page_with_cap(pages: int) -> None:
    order = FeeOrder("A", "Lê Văn Bình", (CopyRequest(pages, 3),))
    assert fee_due(order, RULES) == 3 * copy_fee_from_table(pages)


def test_whole_order() -> None:
    order = FeeOrder(
        "A", "Lê Văn Bình", (CopyRequest(3, 2), CopyRequest(250, 1)), signatures=2, contracts=1
    )
    expected = (
        2 * copy_fee_from_table(3)
        + copy_fee_from_table(250)
        + 2 * RULES["signature"].amount_vnd
        + RULES["contract"].amount_vnd
    )
    assert fee_due(order, RULES) == expected


def test_other_rules_give_other_amounts() -> None:
    cheaper = COPY.model_copy(update={"cap_vnd": 50_000})
    order = FeeOrder("A", "Lê Văn Bình", (CopyRequest(120, 1),))
    assert fee_due(order, {**RULES, "copy": cheaper}) == 50_000
    assert fee_due(order, RULES) == copy_fee_from_table(120)


def test_fee_board_is_written_from_the_table() -> None:
    text = describe_rule(COPY)
    for amount in (COPY.amount_vnd, COPY.later_page_vnd, COPY.cap_vnd):
        assert format_dong(amount) in text
    assert format_dong(RULES["signature"].amount_vnd) in describe_rule(RULES["signature"])


def test_orders_from_dicts() -> None:
    order = fee_order(
        {
            "order_id": "KH-9",
            "customer": "Trần Thị Mai",
            "documents": [{"pages": 4, "copies": 2}],
            "signatures": 1,
        }
    )
    assert order == FeeOrder("KH-9", "Trần Thị Mai", (CopyRequest(4, 2),), 1, 0)
    for bad in (
        {"order_id": "KH-9", "customer": "X", "documents": [{"pages": 0, "copies": 1}]},
        {"order_id": "KH-9", "customer": "X", "signatures": -1},
        {"order_id": "KH-9", "customer": "X"},
        {"customer": "X", "signatures": 1},
    ):
        with pytest.raises(InputError):
            fee_order(bad)


def test_practice_orders_are_seeded() -> None:
    assert practice_orders(5, 10) == practice_orders(5, 10)
    assert practice_orders(5, 10) != practice_orders(6, 10)
    orders = practice_orders(1, 200)
    pages = [d.pages for o in orders for d in o.documents]
    assert max(pages) > 200 and min(pages) >= 1  # some copies reach the cap


# --- hints ------------------------------------------------------------------------------


LONG = FeeOrder("A", "Lê Văn Bình", (CopyRequest(5, 3), CopyRequest(250, 1)), signatures=2)


def slip(order: FeeOrder, *, copies=True, discount=True, cap=True, others=True) -> int:
    total = 0
    for d in order.documents:
        first = min(d.pages, COPY.first_pages) * COPY.amount_vnd
        later_rate = COPY.later_page_vnd if discount else COPY.amount_vnd
        fee = first + max(d.pages - COPY.first_pages, 0) * later_rate
        fee = min(fee, COPY.cap_vnd) if cap else fee
        total += fee * (d.copies if copies else 1)
    if others:
        total += order.signatures * RULES["signature"].amount_vnd
    return total


@pytest.mark.parametrize(
    ("slip_options", "words"),
    [
        ({"copies": False}, "nhân phí của một bản với số bản"),
        ({"discount": False}, "Từ trang thứ"),
        ({"cap": False}, "mức tối đa"),
        ({"others": False}, "chứng thực chữ ký"),
    ],
)
def test_usual_slips_are_named(slip_options, words) -> None:
    amount = slip(LONG, **slip_options)
    assert amount != fee_due(LONG, RULES)
    assert any(words in line for line in till_hints(LONG, amount, RULES, tries=1))


def test_hints_never_show_the_amount_due() -> None:
    due = fee_due(LONG, RULES)
    for amount in (0, 1000, due - 1, due + 1, slip(LONG, cap=False)):
        for tries in (1, 2, 3):
            text = " ".join(till_hints(LONG, amount, RULES, tries))
            assert format_dong(due) not in text and str(due) not in text


# --- the screen ---------------------------------------------------------------------------


@pytest.fixture
def till(tmp_path) -> FeeTill:
    return FeeTill.practice(seed=7, n=4, exercise="tai-chinh-02", on=DAY, folder=tmp_path)


def test_right_amounts_move_the_queue_and_are_stored(till, tmp_path) -> None:
    due = [fee_due(o, RULES) for o in till.orders]
    for k, amount in enumerate(due):
        till.enter_amount(format_dong(amount) if k % 2 else amount)
        assert till.submit().ok
    assert till.done and till.first_try_right == 4
    assert load_answers(tmp_path, "tai-chinh-02") == {
        o.order_id: amount for o, amount in zip(till.orders, due, strict=True)
    }


def test_wrong_amount_gets_hints_and_stays(till, tmp_path) -> None:
    order = till.current
    due = fee_due(order, RULES)
    till.enter_amount(due + 1000)
    first = till.submit()
    assert not first.ok and till.current is order
    second = till.submit()
    assert any("lớn hơn" in line for line in second.lines)
    assert format_dong(due) not in till.feedback.value
    till.enter_amount(str(due))
    till.submit_button.click()
    assert till.position == 1
    attempts = read_answers(tmp_path, "tai-chinh-02").attempts(order.order_id)
    assert [(a.value, a.correct) for a in attempts] == [
        (due + 1000, False),
        (due + 1000, False),
        (due, True),
    ]


def test_unreadable_amount_is_explained_not_stored(till, tmp_path) -> None:
    for text in ("hai mươi nghìn", "", "26 nghìn"):
        till.enter_amount(text)
        assert till.submit() is None
        assert "cadrelab-invalid" in till.feedback.value
    assert load_answers(tmp_path, "tai-chinh-02") == {}


def test_next_button_skips(till) -> None:
    till.next_button.click()
    assert till.position == 1 and "2/4" in till.progress.value
