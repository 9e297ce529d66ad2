"""Practice screens and self-checks for the teaching notebooks.

    from cadrelab.widgets import check, format_date, IntakeDesk, FeeTill

How answers are read and compared lives in :mod:`cadrelab.checks` (shared with the
exercises' hidden tests); the readers are re-exported here for notebooks.  Importing
this package in a notebook also makes cadrelab's input errors show as a one-line
Vietnamese message instead of a traceback.
"""

from cadrelab.checks.reading import (
    AnswerFormatError,
    format_date,
    parse_date,
    parse_money,
    parse_number,
)
from cadrelab.widgets.answers import answers_dir, load_answers, read_answers, record_answer
from cadrelab.widgets.fee_till import FeeOrder, FeeTill, fee_due, practice_orders
from cadrelab.widgets.feedback import install_friendly_errors
from cadrelab.widgets.intake import IntakeCase, IntakeDesk, intake_case, judge_intake
from cadrelab.widgets.selfcheck import CheckResult, SelfCheck, check

__all__ = [
    "AnswerFormatError",
    "CheckResult",
    "FeeOrder",
    "FeeTill",
    "IntakeCase",
    "IntakeDesk",
    "SelfCheck",
    "answers_dir",
    "check",
    "fee_due",
    "format_date",
    "install_friendly_errors",
    "intake_case",
    "judge_intake",
    "load_answers",
    "parse_date",
    "parse_money",
    "parse_number",
    "practice_orders",
    "read_answers",
    "record_answer",
]

install_friendly_errors()
