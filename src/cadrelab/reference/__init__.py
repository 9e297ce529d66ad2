"""Legal facts under ``datasets/reference/``: typed, dated, sourced, loaded once.

Every legal fact cadrelab uses (deadlines, fees, rates, codes, holidays, units in
charge) lives in one of the registered CSV tables with the dates it is in force,
its source and its status; code reads it here, always for a day::

    reference.procedure("HT-KS", on=received_at)     # the version in force that day
    reference.fee_rule("TNCN-BDS", on=contract_date)
    reference.procedures(on=day)                     # the whole catalogue that day

See ``docs/facts.md``. A broken table raises :class:`InputError` naming the file,
the row (header = row 1) and the column.
"""

from cadrelab.content import reference_dir
from cadrelab.reference.budget import (
    BUDGET_CHAPTERS,
    BUDGET_LINES,
    BudgetChapter,
    BudgetLine,
    budget_chapters,
    budget_line,
    budget_lines,
)
from cadrelab.reference.documents import (
    DOCUMENTS,
    GoverningDocument,
    governing_document,
    governing_documents,
)
from cadrelab.reference.facts import (
    REGISTRY,
    STATUSES,
    TEACHABLE,
    DayFact,
    Fact,
    FactRef,
    FactTable,
    as_day,
    clear_caches,
    recording,
    register,
)
from cadrelab.reference.fees import FEES, FeeRule, fee_amounts, fee_rule, fee_schedules
from cadrelab.reference.land import (
    LAND_PRICES,
    LAND_USE,
    LandPrice,
    LandUseCode,
    land_price,
    land_prices,
    land_use_code,
    land_use_codes,
)
from cadrelab.reference.procedures import (
    AGENCIES,
    OPTIONAL_MARK,
    PROCEDURE_FIELDS,
    PROCEDURES,
    Procedure,
    is_optional_component,
    procedure,
    procedures,
)
from cadrelab.reference.staff import STAFF_POSTS, StaffPost, staff_posts
from cadrelab.reference.units import (
    COMMUNES,
    PROVINCES,
    Commune,
    Province,
    communes,
    province,
    provinces,
)
from cadrelab.reference.working_time import (
    CALENDAR_DAYS,
    OFFICE_HOURS,
    CalendarDay,
    OfficeSession,
    calendar_days,
    office_sessions,
)

__all__ = [
    "AGENCIES",
    "BUDGET_CHAPTERS",
    "BUDGET_LINES",
    "CALENDAR_DAYS",
    "COMMUNES",
    "DOCUMENTS",
    "FEES",
    "LAND_PRICES",
    "LAND_USE",
    "OFFICE_HOURS",
    "OPTIONAL_MARK",
    "PROCEDURES",
    "PROCEDURE_FIELDS",
    "PROVINCES",
    "REGISTRY",
    "STAFF_POSTS",
    "STATUSES",
    "TEACHABLE",
    "BudgetChapter",
    "BudgetLine",
    "CalendarDay",
    "Commune",
    "DayFact",
    "Fact",
    "FactRef",
    "FactTable",
    "FeeRule",
    "GoverningDocument",
    "LandPrice",
    "LandUseCode",
    "OfficeSession",
    "Procedure",
    "Province",
    "StaffPost",
    "as_day",
    "budget_chapters",
    "budget_line",
    "budget_lines",
    "calendar_days",
    "clear_caches",
    "communes",
    "fee_amounts",
    "fee_rule",
    "fee_schedules",
    "governing_document",
    "governing_documents",
    "is_optional_component",
    "land_price",
    "land_prices",
    "land_use_code",
    "land_use_codes",
    "office_sessions",
    "procedure",
    "procedures",
    "province",
    "provinces",
    "recording",
    "reference_dir",
    "register",
    "staff_posts",
]
