"""Read what trainees type: numbers, money and dates written the Vietnamese way.

Vietnamese puts dots between thousands and a comma before decimals (``1.250.000,5``)
and writes dates day first (``05/03/2025``).  Each parser returns a plain Python
value or raises :class:`AnswerFormatError`, whose Vietnamese text tells the trainee
what to type instead; self-checks, widgets and hidden tests read answers here, and the
trainee sees that text, never a traceback.
"""

from __future__ import annotations

import calendar as month_calendar
import datetime as dt
import math
import numbers
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import numpy as np
import pandas as pd

from cadrelab.errors import InputError
from cadrelab.i18n import t

SPACES = "\u0020\u00a0\u202f\u2009"
CURRENCY = re.compile(r"^(?:vnđ|vnd|đồng|đ)\s*|\s*(?:vnđ|vnd|đồng|đ)$", re.IGNORECASE)
MONEY_WORDS = re.compile(r"(triệu|nghìn|ngàn|tỷ|tỉ|trăm|\d\s*(tr|k)\b)", re.IGNORECASE)
DAY_FIRST = re.compile(r"(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d+)")
YEAR_FIRST = re.compile(r"(\d{4})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{1,2})")
SPELLED_DATE = re.compile(r"ngày\s*(\d{1,2})\s*tháng\s*(\d{1,2})\s*năm\s*(\d+)", re.IGNORECASE)
TIME_OF_DAY = re.compile(r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")


class AnswerFormatError(InputError):
    """An answer of the wrong kind or shape; ``message_vi`` tells the trainee what to type."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(t(key, "en", **values), problem_vi=t(key, "vi", **values))
        self.key = key


# --- what the trainee handed in ---------------------------------------------------------


def kind_name(value: object) -> str:
    """A trainee-readable name for the kind of ``value`` (in the current language)."""
    if isinstance(value, (bool, np.bool_)):
        return t("widgets.kind.bool")
    if isinstance(value, str):
        return t("widgets.kind.text", text=_shorten(value))
    if isinstance(value, numbers.Number):
        return t("widgets.kind.number")
    if isinstance(value, (dt.date, np.datetime64)):
        return t("widgets.kind.date")
    if isinstance(value, pd.DataFrame):
        return t("widgets.kind.frame", rows=len(value))
    if isinstance(value, pd.Series):
        return t("widgets.kind.series", rows=len(value))
    if isinstance(value, (list, tuple, set, frozenset, np.ndarray, pd.Index)):
        return t("widgets.kind.collection", rows=len(value))
    if isinstance(value, dict):
        return t("widgets.kind.dict")
    if callable(value):
        return t("widgets.kind.function")
    return t("widgets.kind.other", name=type(value).__name__)


def reject_blank(value: object) -> None:
    """Raise the friendly message for an answer that was never filled in."""
    if value is Ellipsis:
        raise AnswerFormatError("widgets.answer.ellipsis")
    if value is None:
        raise AnswerFormatError("widgets.answer.none")
    if isinstance(value, str) and not value.strip(SPACES + "\t\n"):
        raise AnswerFormatError("widgets.answer.empty")
    if value is pd.NA or value is pd.NaT:
        raise AnswerFormatError("widgets.answer.missing_value")
    if callable(value) and not isinstance(value, (pd.Series, pd.DataFrame)):
        raise AnswerFormatError("widgets.answer.function")


def scalar_from(value: object) -> object:
    """Unwrap numpy scalars and one-element columns; explain a column where a value is needed."""
    if isinstance(value, (pd.Series, pd.Index, np.ndarray, pd.DataFrame, list, tuple)):
        size = value.size if isinstance(value, (pd.DataFrame, np.ndarray)) else len(value)
        if size == 1:
            raise AnswerFormatError("widgets.answer.one_element", got=kind_name(value))
        raise AnswerFormatError("widgets.answer.many_elements", got=kind_name(value))
    if isinstance(value, np.generic):
        return value.item()
    return value


# --- numbers ----------------------------------------------------------------------------


def parse_number(value: object) -> int | float:
    """A number from a number or from text like ``"1.250.000"``, ``"12,5"`` or ``"2%"``.

    Text follows the Vietnamese convention (dots between thousands, decimal comma);
    a plain Python-style ``"12.5"`` is read too.  Text that reads two ways, such as
    ``"1.250"`` (one thousand two hundred fifty, or one point two five), is refused
    with a message that says how to write it unambiguously.
    """
    reject_blank(value)
    value = scalar_from(value)
    if isinstance(value, bool):
        raise AnswerFormatError("widgets.number.bool")
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, Decimal):
        return _finite(float(value)) if value != value.to_integral_value() else int(value)
    if isinstance(value, numbers.Real):
        return _finite(float(value))
    if isinstance(value, str):
        return _number_from_text(value)
    raise AnswerFormatError("widgets.number.wrong_kind", got=kind_name(value))


def _finite(number: float) -> float:
    if math.isnan(number):
        raise AnswerFormatError("widgets.number.nan")
    if math.isinf(number):
        raise AnswerFormatError("widgets.number.inf")
    return number


def _number_from_text(text: str) -> int | float:
    body = _clean(text)
    percent = body.endswith("%")
    body = body.removesuffix("%").strip()
    sign, body = _split_sign(body)
    number = _unsigned_number(body, text)
    number = sign * number
    if percent:
        return number / 100
    return number


def _unsigned_number(body: str, text: str) -> int | float:
    if re.fullmatch(r"\d+", body):
        return int(body)
    match = re.fullmatch(r"(\d+)([.,])(\d+)", body)
    if match:
        whole, _, fraction = match.groups()
        if len(fraction) == 3 and whole[0] != "0" and len(whole) <= 3:
            raise AnswerFormatError(
                "widgets.number.ambiguous",
                text=text.strip(),
                as_whole=whole + fraction,
                as_decimal=f"{whole},{fraction.rstrip('0') or '0'}",
            )
        return float(f"{whole}.{fraction}")
    grouped = _grouped(body)
    if grouped is None:
        raise AnswerFormatError("widgets.number.unreadable", text=_shorten(text))
    whole, fraction = grouped
    return float(f"{whole}.{fraction}") if fraction else int(whole)


def _grouped(body: str) -> tuple[str, str] | None:
    """Digits with thousands marks and an optional decimal part: ``1.250.000,5``.

    Returns (whole digits, decimal digits) or None when the marks are not a grouping.
    """
    for thousands, decimal in ((".", ","), (",", ".")):
        pattern = rf"(\d{{1,3}}(?:{re.escape(thousands)}\d{{3}})+)(?:{re.escape(decimal)}(\d+))?"
        match = re.fullmatch(pattern, body)
        if match:
            return match.group(1).replace(thousands, ""), match.group(2) or ""
    return None


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFC", text).strip(SPACES + "\t\n")
    # Spaces between digit groups ("1 250 000") are thousands marks.
    return re.sub(rf"(?<=\d)[{SPACES}](?=\d{{3}}(?!\d))", "", text)


def _split_sign(body: str) -> tuple[int, str]:
    if body[:1] in "-−":
        return -1, body[1:].strip(SPACES)
    if body[:1] == "+":
        return 1, body[1:].strip(SPACES)
    return 1, body


# --- money ------------------------------------------------------------------------------


def parse_money(value: object) -> int:
    """Whole đồng from a number or from text like ``"1.250.000 đ"``, ``"1 250 000 đồng"``.

    Fractions of a đồng are rounded half up: amounts are compared in whole đồng.
    """
    reject_blank(value)
    value = scalar_from(value)
    if isinstance(value, str):
        return _money_from_text(value)
    if isinstance(value, bool):
        raise AnswerFormatError("widgets.number.bool")
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, (numbers.Real, Decimal)):
        return round_dong(_finite(float(value)) if not isinstance(value, Decimal) else value)
    raise AnswerFormatError("widgets.money.wrong_kind", got=kind_name(value))


def round_dong(amount: float | Decimal) -> int:
    """Round half up to whole đồng (``0.5`` → ``1``), the way receipts are written."""
    exact = amount if isinstance(amount, Decimal) else Decimal(repr(float(amount)))
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _money_from_text(text: str) -> int:
    body = _clean(text)
    if MONEY_WORDS.search(body):
        raise AnswerFormatError("widgets.money.words", text=_shorten(text))
    sign, body = _split_sign(CURRENCY.sub("", body).strip(SPACES))
    if re.fullmatch(r"\d+", body):
        return sign * int(body)
    grouped = _grouped(body)
    if grouped is None:
        match = re.fullmatch(r"(\d+)[.,](\d{1,2})", body)
        if not match:
            raise AnswerFormatError("widgets.money.unreadable", text=_shorten(text))
        grouped = match.group(1), match.group(2)
    whole, fraction = grouped
    try:
        return sign * round_dong(Decimal(f"{whole}.{fraction or 0}"))
    except InvalidOperation:
        raise AnswerFormatError("widgets.money.unreadable", text=_shorten(text)) from None


# --- dates ------------------------------------------------------------------------------


def parse_date(value: object) -> dt.date:
    """A date from a date, a datetime or text written day first: ``"05/03/2025"``.

    Also read: ``5-3-2025``, ``05.03.2025``, ISO ``2025-03-05`` and
    ``ngày 5 tháng 3 năm 2025``.  A time of day after the date is ignored.
    """
    reject_blank(value)
    value = scalar_from(value)
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, np.datetime64):
        if np.isnat(value):
            raise AnswerFormatError("widgets.answer.missing_value")
        return pd.Timestamp(value).date()
    if isinstance(value, str):
        return _date_from_text(value)
    raise AnswerFormatError("widgets.date.wrong_kind", got=kind_name(value))


def _date_from_text(text: str) -> dt.date:
    body = unicodedata.normalize("NFC", text).strip(SPACES + "\t\n")
    for pattern, order in ((DAY_FIRST, "dmy"), (SPELLED_DATE, "dmy"), (YEAR_FIRST, "ymd")):
        match = re.fullmatch(pattern.pattern + TIME_OF_DAY.pattern, body, re.IGNORECASE)
        if match:
            parts = dict(zip(order, match.groups()[:3], strict=True))
            return _valid_date(parts["y"], int(parts["m"]), int(parts["d"]))
    raise AnswerFormatError("widgets.date.unreadable", text=_shorten(text))


def _valid_date(year_text: str, month: int, day: int) -> dt.date:
    if len(year_text) != 4:
        raise AnswerFormatError("widgets.date.year")
    year = int(year_text)
    if not 1 <= month <= 12:
        raise AnswerFormatError("widgets.date.month", month=month)
    days = month_calendar.monthrange(year, month)[1]
    if not 1 <= day <= days:
        raise AnswerFormatError("widgets.date.day", day=day, month=month, year=year, days=days)
    return dt.date(year, month, day)


def format_date(day: dt.date) -> str:
    """``dd/mm/yyyy``, the way Vietnamese forms write a date."""
    return day.strftime("%d/%m/%Y")


def _shorten(text: str, limit: int = 40) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
