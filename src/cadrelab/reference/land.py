"""Land-use codes and the (illustrative) land-price table."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from cadrelab.reference.facts import Fact, FactTable, check_references, register
from cadrelab.reference.tables import split_list
from cadrelab.reference.units import PROVINCES


class LandUseCode(Fact):
    """A land-use type code as written on cadastral maps and certificates."""

    code: str = Field(pattern=r"^[A-Z]{3}$")
    name_vi: str
    group: Literal["nông nghiệp", "phi nông nghiệp", "chưa sử dụng"]
    replaced_by: str | None = None
    note: str | None = None

    @property
    def replaced_by_list(self) -> tuple[str, ...]:
        """The codes that took over from this one when it went out of use."""
        return split_list(self.replaced_by)


class LandPrice(Fact):
    """A land-price-table entry (đồng per m²) for one province, zone and land-use code."""

    province_code: str = Field(pattern=r"^\d{2}$")
    zone: Literal["đô thị", "nông thôn"]
    land_use_code: str
    price_vnd_per_m2: int = Field(ge=0)
    note: str | None = None


def _check_codes(rows: tuple[LandUseCode, ...]) -> None:
    check_references(rows, "replaced_by", "land_use_codes", LAND_USE, many=True, when="after")


def _check_prices(rows: tuple[LandPrice, ...]) -> None:
    check_references(rows, "province_code", "land_prices", PROVINCES)
    check_references(rows, "land_use_code", "land_prices", LAND_USE)


LAND_USE = register(
    FactTable(
        "land_use_codes",
        LandUseCode,
        ("code",),
        "land-use type codes",
        _check_codes,
        one="land_use_code",
        many="land_use_codes",
    )
)
LAND_PRICES = register(
    FactTable(
        "land_prices",
        LandPrice,
        ("province_code", "zone", "land_use_code"),
        "an illustrative land-price table",
        _check_prices,
        one="land_price",
        many="land_prices",
    )
)


def land_use_codes(*, on: object, teachable: bool = False) -> tuple[LandUseCode, ...]:
    """The land-use codes in force on ``on``."""
    return LAND_USE.in_force(on, teachable=teachable)


def land_use_code(code: str, *, on: object, teachable: bool = False) -> LandUseCode:
    return LAND_USE.get(code, on, noun="land-use code", teachable=teachable)


def land_prices(*, on: object, teachable: bool = False) -> tuple[LandPrice, ...]:
    return LAND_PRICES.in_force(on, teachable=teachable)


def land_price(
    province_code: str, zone: str, land_use_code: str, *, on: object, teachable: bool = False
) -> int:
    """Price-table price in đồng per m² on ``on`` (the contract date of a transfer)."""
    row = LAND_PRICES.get(
        (province_code, zone, land_use_code), on, noun="price for", teachable=teachable
    )
    return row.price_vnd_per_m2
