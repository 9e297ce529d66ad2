"""Judging answers: reading what trainees type, comparing it, and the lesson questions.

* :mod:`cadrelab.checks.reading` — numbers, money and dates written the Vietnamese way;
* :mod:`cadrelab.checks.compare` — the one comparison, kind by kind, used by the lesson
  self-checks and by the exercises' hidden tests (:func:`~cadrelab.checks.compare.judge`);
* :mod:`cadrelab.checks.registry` and :mod:`cadrelab.checks.lessons` — every practice
  question of the teaching notebooks and how its expected value is computed from the
  trainee's own cases, out of the notebook.

Widgets and the grader both import from here; neither imports the other.
"""
