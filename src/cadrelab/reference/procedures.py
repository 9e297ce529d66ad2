"""The catalogue of procedures a commune works from: who receives, who decides, how long."""

from __future__ import annotations

from typing import Literal, NamedTuple, get_args

from pydantic import Field, field_validator

from cadrelab.reference.facts import Fact, FactTable, check_references, register
from cadrelab.reference.fees import FEES
from cadrelab.reference.tables import split_list, table_error

OPTIONAL_MARK = "(nếu có)"


def is_optional_component(component: str) -> bool:
    """A component the citizen hands over only if it applies to them ("… (nếu có)")."""
    return OPTIONAL_MARK in component


ProcedureField = Literal[
    "civil_status", "certification", "land", "business", "social", "finance", "receive_only"
]
PROCEDURE_FIELDS: tuple[str, ...] = get_args(ProcedureField)

#: Who receives a dossier or decides on it (``receiving_unit``, ``deciding_unit``, stages).
AGENCIES: dict[str, str] = {
    "TTPVHCC_XA": "Trung tâm Phục vụ hành chính công cấp xã",
    "UBND_XA": "Chủ tịch Ủy ban nhân dân cấp xã",
    "PHONG_KT_XA": "Phòng Kinh tế cấp xã (cơ quan đăng ký kinh doanh cấp xã)",
    "HD_XDKT": "Hội đồng xác định mức độ khuyết tật cấp xã",
    "VPDKDD": "Văn phòng đăng ký đất đai hoặc Chi nhánh",
    "CO_QUAN_THUE": "Cơ quan thuế",
    "UBND_TINH": "Ủy ban nhân dân cấp tỉnh",
    "SO_NGANH": "Sở, ngành cấp tỉnh",
    "CONG_AN": "Cơ quan Công an",
    "BHXH": "Cơ quan Bảo hiểm xã hội",
}


class Stage(NamedTuple):
    """A step of a procedure: the agency that does it and its days (None: not set by law)."""

    agency: str
    days: int | None


def _stages(text: str | None) -> tuple[Stage, ...]:
    """``"VPDKDD 17; UBND_XA 3"`` or ``"CO_QUAN_THUE"`` -> stages; ValueError names a bad part."""
    stages = []
    for part in split_list(text):
        agency, _, days = part.partition(" ")
        if agency not in AGENCIES or not (days == "" or days.isdigit()):
            raise ValueError(f"{part!r} is not '<agency> [days]' with a known agency")
        stages.append(Stage(agency, int(days) if days else None))
    return tuple(stages)


class Procedure(Fact):
    """A procedure handled at a commune's one-stop shop, with its deadline, fee and dossier."""

    code: str = Field(pattern=r"^[A-Z]{1,4}-[A-Z0-9]{1,12}$")
    name_vi: str
    field: ProcedureField
    unit: Literal["VP", "KT", "VHXH", "TTPVHCC"]
    receiving_unit: str
    deciding_unit: str
    deadline_days: int = Field(ge=0)
    deadline_unit: Literal["working", "calendar"]
    cutoff_applies: bool
    stages: str | None = None
    outside_stages: str | None = None
    fee_code: str | None = None
    extra_fee_codes: str | None = None
    online_level: Literal["toan_trinh", "mot_phan", "truc_tiep"]
    components: str
    volume_weight: float = Field(ge=0)
    note: str | None = None

    @field_validator("receiving_unit", "deciding_unit")
    @classmethod
    def _known_agency(cls, code: str) -> str:
        if code not in AGENCIES:
            raise ValueError(f"unknown agency {code!r} (known: {', '.join(AGENCIES)})")
        return code

    @field_validator("stages")
    @classmethod
    def _stages_add_up(cls, text: str | None, info) -> str | None:
        total = info.data.get("deadline_days")
        stages = _stages(text)
        if any(stage.days is None for stage in stages):
            raise ValueError("every stage within the deadline needs its days")
        days = sum(stage.days or 0 for stage in stages)
        if text is not None and total is not None and days != total:
            raise ValueError(f"stages add up to {days}, not the deadline {total}")
        return text

    @field_validator("outside_stages")
    @classmethod
    def _steps_parse(cls, text: str | None) -> str | None:
        _stages(text)
        return text

    @property
    def components_list(self) -> tuple[str, ...]:
        return split_list(self.components)

    @property
    def required_components(self) -> tuple[str, ...]:
        """Components without which the dossier is incomplete (not those marked "(nếu có)")."""
        return tuple(c for c in self.components_list if not is_optional_component(c))

    @property
    def stages_list(self) -> tuple[Stage, ...]:
        """Steps within the statutory deadline (e.g. registration 17 days, then issuing 3)."""
        return _stages(self.stages)

    @property
    def outside_stages_list(self) -> tuple[Stage, ...]:
        """Steps by other agencies not counted in the deadline (e.g. the tax notice)."""
        return _stages(self.outside_stages)

    @property
    def extra_fee_codes_list(self) -> tuple[str, ...]:
        """Further fees or taxes collected with the dossier (e.g. income tax on a transfer)."""
        return split_list(self.extra_fee_codes)


def _check_procedures(rows: tuple[Procedure, ...]) -> None:
    check_references(rows, "fee_code", "procedures", FEES)
    check_references(rows, "extra_fee_codes", "procedures", FEES, many=True)
    for row in rows:
        if row.cutoff_applies and row.deadline_days != 0:
            raise table_error(
                "procedures",
                row.line,
                "cutoff_applies",
                "the same-day cut-off applies only to a procedure done the same day",
            )
    if rows and sum(r.volume_weight for r in rows) <= 0:
        raise table_error("procedures", None, "volume_weight", "all volume weights are zero")


PROCEDURES = register(
    FactTable(
        "procedures",
        Procedure,
        ("code",),
        "the procedures a commune's one-stop shop handles",
        _check_procedures,
        one="procedure",
        many="procedures",
    )
)


def procedures(*, on: object, teachable: bool = False) -> tuple[Procedure, ...]:
    """The catalogue in force on ``on``."""
    return PROCEDURES.in_force(on, teachable=teachable)


def procedure(code: str, *, on: object, teachable: bool = False) -> Procedure:
    """The procedure with this code as in force on ``on`` (the dossier's receipt date)."""
    return PROCEDURES.get(code, on, noun="procedure code", teachable=teachable)
