"""The workshop around nbgrader: set-up, roster, release, collect, a parallel sandboxed
autograde, feedback with hidden tests removed, reports and export.

nbgrader stays the engine and the gradebook; these modules add what it lacks, one
concern each: :mod:`setup` (``workshop init``), :mod:`roster` (with :mod:`roster_sheet`,
the slips with each trainee's :mod:`submission_codes`), :mod:`release` (with
:mod:`leaks`), :mod:`collect` (the exchange via :mod:`exchange`, zips via
:mod:`submission_zips`, folders read by :mod:`submission_folders`, every refusal an
:mod:`intake` defence), :mod:`autograde` (workers running :mod:`pipeline`:
:mod:`rebuild` rebuilds the notebook, :mod:`sandbox` runs it through
:mod:`inside_sandbox.runner`, :mod:`value_codec` carries values out, :mod:`judge` runs
the tests, :mod:`gradebook_writer` writes the gradebook, :mod:`grade_records` keeps the
records; every defence in :mod:`defences`), :mod:`feedback`, :mod:`report` and
:mod:`export` (on :mod:`scores`, with trainee text kept as text by :mod:`escaping`).
The command line is ``cadrelab workshop …``.
"""
