"""Administrative units: provinces and a sample of their communes, dated by resolution."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from cadrelab.reference.facts import Fact, FactTable, check_references, register
from cadrelab.reference.tables import split_list, table_error


class Province(Fact):
    """A province-level unit and its number of commune-level units (xã, phường, đặc khu)."""

    code: str = Field(pattern=r"^\d{2}$")
    name_vi: str
    kind: Literal["tỉnh", "thành phố"]
    communes: int = Field(ge=1)
    former_provinces: str
    note: str | None = None


class Commune(Fact):
    """A commune-level unit (xã, phường, đặc khu) used for synthetic addresses."""

    province_code: str = Field(pattern=r"^\d{2}$")
    name_vi: str
    kind: Literal["xã", "phường", "đặc khu"]
    former_names: str | None = None
    synthetic: bool
    note: str | None = None

    @property
    def former_names_list(self) -> tuple[str, ...]:
        return split_list(self.former_names)


_COMMUNE_PREFIX = {"xã": "Xã ", "phường": "Phường ", "đặc khu": "Đặc khu "}


def _check_communes(rows: tuple[Commune, ...]) -> None:
    check_references(rows, "province_code", "communes", PROVINCES)
    for row in rows:
        if not row.name_vi.startswith(_COMMUNE_PREFIX[row.kind]):
            raise table_error(
                "communes", row.line, "kind", f"kind {row.kind!r} does not match {row.name_vi!r}"
            )
        if row.synthetic and row.status != "illustrative":
            raise table_error(
                "communes", row.line, "status", "a synthetic commune must be 'illustrative'"
            )


PROVINCES = register(
    FactTable(
        "provinces",
        Province,
        ("code",),
        "provinces and their commune-level unit counts",
        one="province",
        many="provinces",
    )
)
COMMUNES = register(
    FactTable(
        "communes",
        Commune,
        ("province_code", "name_vi"),
        "a sample of commune-level units per province",
        _check_communes,
        many="communes",
    )
)


def provinces(*, on: object, teachable: bool = False) -> tuple[Province, ...]:
    """The provinces in force on ``on``."""
    return PROVINCES.in_force(on, teachable=teachable)


def province(code: str, *, on: object, teachable: bool = False) -> Province:
    """The province with this two-digit code on ``on``."""
    return PROVINCES.get(code, on, noun="province code", teachable=teachable)


def communes(
    province_code: str | None = None, *, on: object, teachable: bool = False
) -> tuple[Commune, ...]:
    """Sample commune-level units in force on ``on``: all, or those of one province.

    ``teachable``: only the units a lesson may show (synthetic ones and checked real ones).
    """
    rows = COMMUNES.in_force(on, teachable=teachable)
    if province_code is None:
        return rows
    province(province_code, on=on, teachable=teachable)
    return tuple(r for r in rows if r.province_code == province_code)
