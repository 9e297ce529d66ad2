"""The fee till: customers ask for certified copies and certifications; the trainee collects.

    from cadrelab.widgets import FeeTill
    till = FeeTill.practice(
        seed=trainee_seed(hoc_vien, "tai-chinh-02"), exercise="tai-chinh-02", on=ngay_thu
    )
    till

Each customer orders certified copies (pages per document, number of copies),
signature certifications and contract certifications.  The amount due comes from
the fee rules of the reference tables in force on the day the till collects
(``reference.fee_rule`` of the procedures' fee codes), never from typed-in amounts.
Every amount entered goes to the answer store; a right one moves the queue on, a
wrong one gets a hint.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import ipywidgets as w
import numpy as np

from cadrelab import reference
from cadrelab.checks.reading import AnswerFormatError, parse_money
from cadrelab.data.providers import draw_female, format_dong, full_names
from cadrelab.data.seeds import stream
from cadrelab.errors import InputError
from cadrelab.i18n import t
from cadrelab.widgets.answers import record_answer
from cadrelab.widgets.practice import PracticeQueue, QueueTexts, Unreadable

SERVICE_PROCEDURES = {
    # what the till sells → the catalogue procedure whose fee code applies
    "copy": "CT-SY",
    "signature": "CT-CK",
    "contract": "CT-HD",
}


def fee_rules(on: dt.date) -> dict[str, reference.FeeRule]:
    """The till's fee rules on the day ``on``, looked up through the procedure catalogue."""
    return {
        service: reference.fee_rule(reference.procedure(code, on=on).fee_code, on=on)
        for service, code in SERVICE_PROCEDURES.items()
    }


@dataclass(frozen=True)
class CopyRequest:
    """One document to copy: its number of pages and how many certified copies."""

    pages: int
    copies: int


@dataclass(frozen=True)
class FeeOrder:
    """What one customer asks for at the till."""

    order_id: str
    customer: str
    documents: tuple[CopyRequest, ...] = ()
    signatures: int = 0
    contracts: int = 0


def fee_order(record: Mapping) -> FeeOrder:
    """A :class:`FeeOrder` from a dict: ``order_id``, ``customer``, ``documents`` (a list of
    ``{"pages": 5, "copies": 2}``), ``signatures``, ``contracts``."""
    order_id, customer = record.get("order_id"), record.get("customer")
    if not isinstance(order_id, str) or not order_id.strip():
        raise InputError("an order needs an order_id", field="order_id")
    if not isinstance(customer, str) or not customer.strip():
        raise InputError("an order needs a customer", field="customer")
    documents = tuple(
        CopyRequest(pages=_count(d, "pages", minimum=1), copies=_count(d, "copies", minimum=1))
        for d in record.get("documents") or ()
    )
    order = FeeOrder(
        order_id=order_id.strip(),
        customer=customer.strip(),
        documents=documents,
        signatures=_count(record, "signatures"),
        contracts=_count(record, "contracts"),
    )
    if not (order.documents or order.signatures or order.contracts):
        raise InputError(f"order {order.order_id} asks for nothing", field="documents")
    return order


def _count(record: Mapping, name: str, minimum: int = 0) -> int:
    value = record.get(name, 0)
    if isinstance(value, np.integer):
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise InputError(f"{name} must be a whole number ≥ {minimum}, not {value!r}", field=name)
    return value


def fee_due(order: FeeOrder, rules: Mapping[str, reference.FeeRule]) -> int:
    """The amount to collect in whole đồng, from the fee rules of the day (:func:`fee_rules`)."""
    copies = sum(d.copies * rules["copy"].amount(pages=d.pages) for d in order.documents)
    return (
        copies
        + order.signatures * rules["signature"].amount()
        + order.contracts * rules["contract"].amount()
    )


def practice_orders(seed: int, n: int = 8) -> list[FeeOrder]:
    """``n`` customers for practice, the same for the same seed.

    Mostly short documents, some long ones and now and then one long enough to
    reach the per-copy cap; a few signatures and contracts.
    """
    rng = stream(seed, "fee-till")
    names = full_names(rng, draw_female(rng, n))["full_name"].tolist()
    orders = []
    for k in range(n):
        documents = []
        for _ in range(int(rng.integers(1, 4))):
            band = rng.random()
            low, high = (1, 5) if band < 0.7 else (5, 41) if band < 0.95 else (190, 261)
            documents.append(CopyRequest(int(rng.integers(low, high)), int(rng.integers(1, 6))))
        signatures = int(rng.integers(1, 4)) if rng.random() < 0.4 else 0
        contracts = 1 if rng.random() < 0.2 else 0
        orders.append(
            FeeOrder(f"KH-{k + 1:03d}", names[k], tuple(documents), signatures, contracts)
        )
    return orders


# --- hints ------------------------------------------------------------------------------


def _copy_fee(rule: reference.FeeRule, pages: int, *, discount: bool, cap: bool) -> int:
    """The per-copy fee computed with a typical slip (no later-page rate, or no cap)."""
    first_pages, first_rate = rule.first_pages or 0, rule.amount_vnd or 0
    later_rate = (rule.later_page_vnd if discount else rule.amount_vnd) or 0
    total = min(pages, first_pages) * first_rate + max(pages - first_pages, 0) * later_rate
    return min(total, rule.cap_vnd) if cap and rule.cap_vnd is not None else total


def _slips(order: FeeOrder, rules: Mapping[str, reference.FeeRule]) -> dict[str, int]:
    """Totals a trainee gets from common slips, by the message key that explains each."""
    copy, right = rules["copy"], fee_due(order, rules)
    others = (
        order.signatures * rules["signature"].amount()
        + order.contracts * rules["contract"].amount()
    )
    slips = {
        "widgets.till.hint.copies": sum(copy.amount(pages=d.pages) for d in order.documents)
        + others,
        "widgets.till.hint.later_pages": sum(
            d.copies * _copy_fee(copy, d.pages, discount=False, cap=True) for d in order.documents
        )
        + others,
        "widgets.till.hint.cap": sum(
            d.copies * _copy_fee(copy, d.pages, discount=True, cap=False) for d in order.documents
        )
        + others,
        "widgets.till.hint.certifications": right - others,
    }
    return {key: total for key, total in slips.items() if total != right}


def till_hints(
    order: FeeOrder, amount: int, rules: Mapping[str, reference.FeeRule], tries: int
) -> tuple[str, ...]:
    """Hints for a wrong amount: the slip it matches, else the rules that apply to this order."""
    copy = rules["copy"]
    named = [key for key, total in _slips(order, rules).items() if total == amount]
    lines = [t(key, from_page=(copy.first_pages or 0) + 1) for key in named]
    if not lines:
        lines.append(t("widgets.till.hint.step_by_step"))
    if tries > 1:
        if any(d.pages > (copy.first_pages or 0) for d in order.documents):
            lines.append(t("widgets.till.hint.later_pages", from_page=(copy.first_pages or 0) + 1))
        if copy.cap_vnd is not None and any(
            copy.amount(pages=d.pages) == copy.cap_vnd for d in order.documents
        ):
            lines.append(t("widgets.till.hint.cap"))
        due = fee_due(order, rules)
        lines.append(t("widgets.hint.larger" if amount > due else "widgets.hint.smaller"))
    return tuple(dict.fromkeys(lines))


def describe_rule(rule: reference.FeeRule) -> str:
    """One line of the fee board, written from the reference table's columns."""
    if rule.kind == "per_page":
        text = t(
            "widgets.till.rule_per_page",
            name=rule.name_vi,
            first=format_dong(rule.amount_vnd or 0),
            first_pages=rule.first_pages,
            later=format_dong(rule.later_page_vnd or 0),
            from_page=(rule.first_pages or 0) + 1,
        )
        if rule.cap_vnd is not None:
            text += t("widgets.till.rule_cap", cap=format_dong(rule.cap_vnd))
        return text
    if rule.kind == "flat":
        return t("widgets.till.rule_flat", name=rule.name_vi, amount=format_dong(rule.amount_vnd))
    if rule.kind == "free":
        return t("widgets.till.rule_free", name=rule.name_vi)
    raise ValueError(f"the till has no use for a {rule.kind} fee ({rule.code})")


# --- the screen -----------------------------------------------------------------------------


@dataclass(frozen=True)
class TillVerdict:
    order_id: str
    amount: int
    ok: bool
    lines: tuple[str, ...]


class FeeTill(PracticeQueue[FeeOrder, int, TillVerdict]):
    """The fee-till screen over a queue of orders; drive it by hand or from code.

    Headless use: ``till.enter_amount("26.000 đ"); verdict = till.submit()``.
    """

    TEXTS = QueueTexts.under("widgets.till")
    CSS_CLASS = "cadrelab-fee-till"
    SOURCE = "fee-till"
    SUBMIT_ICON = "money"

    def __init__(
        self,
        orders: Sequence[FeeOrder | Mapping],
        *,
        exercise: str,
        on: dt.date,
        rules: Mapping[str, reference.FeeRule] | None = None,
        folder: str | Path | None = None,
        record: Callable[..., Path] = record_answer,
    ) -> None:
        self.rules = dict(rules or fee_rules(on))
        super().__init__(orders, exercise=exercise, folder=folder, record=record)

    @classmethod
    def practice(cls, *, seed: int, exercise: str, on: dt.date, n: int = 8, **options) -> FeeTill:
        """A till on day ``on`` with ``n`` practice customers drawn from ``seed``."""
        return cls(practice_orders(seed, n), exercise=exercise, on=on, **options)

    @property
    def orders(self) -> list[FeeOrder]:
        return self.items

    @property
    def order_view(self) -> w.HTML:
        return self.item_view

    def enter_amount(self, amount: int | str) -> None:
        self.amount_input.value = str(amount)

    # --- what the till adds to the queue ----------------------------------------------------

    def _item(self, row: FeeOrder | Mapping) -> FeeOrder:
        return row if isinstance(row, FeeOrder) else fee_order(row)

    def _build_form(self) -> list[w.Widget]:
        board = "".join(f"<li>{html.escape(describe_rule(r))}</li>" for r in self.rules.values())
        self.fee_board = w.HTML(
            f"<details><summary><b>{html.escape(t('widgets.till.board'))}</b></summary>"
            f"<ul>{board}</ul></details>"
        )
        self.amount_input = w.Text(
            placeholder=t("widgets.till.amount_placeholder"),
            description=t("widgets.till.amount"),
            style={"description_width": "initial"},
            layout=w.Layout(width="420px"),
        )
        return [self.fee_board, self.amount_input]

    def _load_form(self, order: FeeOrder) -> None:
        self.amount_input.value = ""

    def _close_form(self) -> None:
        self.amount_input.disabled = True

    def _read(self, order: FeeOrder) -> int:
        try:
            return parse_money(self.amount_input.value)
        except AnswerFormatError as exc:
            raise Unreadable(t("widgets.check.invalid"), (exc.message_vi,)) from exc

    def _judge(self, order: FeeOrder, amount: int, tries: int) -> TillVerdict:
        ok = amount == fee_due(order, self.rules)
        lines = () if ok else till_hints(order, amount, self.rules, tries)
        return TillVerdict(order.order_id, amount, ok, lines)

    def _answer_id(self, order: FeeOrder) -> str:
        return order.order_id

    def _item_html(self, order: FeeOrder) -> str:
        return _order_html(order)

    def _wrong_title(self, order: FeeOrder) -> str:
        return t("widgets.till.wrong")


def _order_html(order: FeeOrder) -> str:
    lines = [t("widgets.till.copy_line", copies=d.copies, pages=d.pages) for d in order.documents]
    if order.signatures:
        lines.append(t("widgets.till.signature_line", count=order.signatures))
    if order.contracts:
        lines.append(t("widgets.till.contract_line", count=order.contracts))
    items = "".join(f"<li>{html.escape(line)}</li>" for line in lines)
    customer = html.escape(t("widgets.till.customer", name=order.customer, code=order.order_id))
    return f"<p style='margin:4px 0'><b>{customer}</b></p><ul style='margin-top:0'>{items}</ul>"
