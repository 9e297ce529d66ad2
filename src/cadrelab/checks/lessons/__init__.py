"""The practice questions of every teaching notebook, one module per course.

Each module registers its questions (:class:`cadrelab.checks.registry.LessonCheck`)
when imported; the hints are message keys of ``messages/checks.csv``.
"""

from cadrelab.checks.lessons import dat_dai, mo_phong, nhap_mon, tai_chinh, thu_tuc

__all__ = ["dat_dai", "mo_phong", "nhap_mon", "tai_chinh", "thu_tuc"]
