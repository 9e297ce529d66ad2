"""Synthetic cases for lessons, exercises and the simulation.

Every generator takes ``n``, ``seed`` and ``defect_rate`` and returns
:class:`Cases`: named DataFrames (schemas in :mod:`cadrelab.data.schemas`) and
the ground truth of every injected defect.  Course notebooks call
:func:`load_cases` with an exercise id; the trainee and the seed are worked out
so that the grader regenerates the same cases.
"""

from cadrelab.data.budget import generate_budget
from cadrelab.data.cases import Cases
from cadrelab.data.citizens import generate_citizens
from cadrelab.data.defects import DEFECT_KINDS
from cadrelab.data.dossiers import generate_dossiers
from cadrelab.data.exercises import EXERCISES, load_cases
from cadrelab.data.land import generate_land
from cadrelab.data.providers import REFERENCE_DATE, format_dong, format_dong_many, parse_dong
from cadrelab.data.seeds import trainee_id, trainee_seed, write_profile
from cadrelab.data.social import generate_social
from cadrelab.data.staff import generate_staff
from cadrelab.data.till import generate_till

__all__ = [
    "DEFECT_KINDS",
    "EXERCISES",
    "REFERENCE_DATE",
    "Cases",
    "format_dong",
    "format_dong_many",
    "generate_budget",
    "generate_citizens",
    "generate_dossiers",
    "generate_land",
    "generate_social",
    "generate_staff",
    "generate_till",
    "load_cases",
    "parse_dong",
    "trainee_id",
    "trainee_seed",
    "write_profile",
]
