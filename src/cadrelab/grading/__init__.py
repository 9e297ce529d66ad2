"""The workshop around nbgrader: set-up, roster, release, collect, a parallel sandboxed
autograde, feedback with hidden tests removed, reports and export.

nbgrader stays the engine and the gradebook; these modules add what it lacks, one
concern each: :mod:`setup` (``workshop init``), :mod:`roster`, :mod:`release` (with
:mod:`leaks`), :mod:`collect` (exchange, via :mod:`exchange`, and zips),
:mod:`autograde` (workers running :mod:`submission`: :mod:`plan` rebuilds the
notebook, :mod:`sandbox` and :mod:`runner` execute it, :mod:`capture` carries values
out, :mod:`judge` runs the tests, :mod:`merge` writes the gradebook, :mod:`results`
keeps the records), :mod:`feedback`, :mod:`report` and :mod:`export` (on
:mod:`scores`).  The command line is ``cadrelab workshop …``.
"""
