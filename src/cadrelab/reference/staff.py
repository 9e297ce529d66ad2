"""Posts at a commune People's Committee and the fields of work each one handles."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from cadrelab.reference.facts import Fact, FactTable, register
from cadrelab.reference.procedures import PROCEDURE_FIELDS
from cadrelab.reference.tables import split_list, table_error


class StaffPost(Fact):
    """A post at the commune People's Committee and the fields of work it specialises in."""

    code: str = Field(pattern=r"^[a-z_]+$")
    name_vi: str
    unit: Literal["LANH_DAO", "VP", "KT", "VHXH", "TTPVHCC"]
    typical_count: int = Field(ge=0)
    handles_fields: str | None = None
    signs: bool
    note: str | None = None

    @property
    def handles_fields_list(self) -> tuple[str, ...]:
        return split_list(self.handles_fields)


def _check_posts(rows: tuple[StaffPost, ...]) -> None:
    for row in rows:
        for item in row.handles_fields_list:
            if item not in PROCEDURE_FIELDS:
                raise table_error(
                    "staff_posts", row.line, "handles_fields", f"{item!r} is not a procedure field"
                )
        if row.signs and row.unit != "LANH_DAO":
            raise table_error("staff_posts", row.line, "signs", "only the leadership signs results")


STAFF_POSTS = register(
    FactTable(
        "staff_posts",
        StaffPost,
        ("code",),
        "posts at a commune People's Committee",
        _check_posts,
        many="staff_posts",
    )
)


def staff_posts(*, on: object, teachable: bool = False) -> tuple[StaffPost, ...]:
    """The posts in force on ``on``."""
    return STAFF_POSTS.in_force(on, teachable=teachable)
