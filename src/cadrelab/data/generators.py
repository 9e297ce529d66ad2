"""Every generator by name, with the row counts of a default bundle (scale 1)."""

from __future__ import annotations

from collections.abc import Callable

from cadrelab.data.budget import generate_budget
from cadrelab.data.cases import Cases
from cadrelab.data.citizens import generate_citizens
from cadrelab.data.dossiers import generate_dossiers
from cadrelab.data.land import generate_land
from cadrelab.data.social import generate_social
from cadrelab.data.staff import generate_staff
from cadrelab.data.till import generate_till

Generator = Callable[[int, int, float], Cases]

GENERATORS: dict[str, Generator] = {
    "citizens": generate_citizens,
    "land": generate_land,
    "dossiers": generate_dossiers,
    "budget": generate_budget,
    "staff": generate_staff,
    "social": generate_social,
    "till": generate_till,
}

# n for each generator at scale 1: what n counts is in each generator's docstring.
DEFAULT_SIZES: dict[str, int] = {
    "citizens": 3000,
    "land": 3000,
    "dossiers": 3000,
    "budget": 600,
    "staff": 20,
    "social": 1000,
    "till": 600,
}
