"""Judge a submission in the grader's own process, on the data its cells left behind.

The judge replays the rebuilt notebook without the trainee's code: locked cells
(trusted: they come from the gradebook's copy) run here; each trainee cell is
replaced by what it bound or changed in the sandbox, decoded as plain data; the
tests (hidden parts included) run here on that data.  So an input transformer,
a patched builtin or a killed kernel in the sandbox cannot touch a test, and the
hidden tests never enter the sandbox.  A test that calls a function the trainee
wrote calls it back inside the sandbox with the arguments as data, and gets the
result as data; no expected value ever crosses over.

A test passes when it raises nothing (nbgrader's rule); a test ending in a number
gives that number as partial credit, clipped to its points.  Tests placed after
the cell where the sandbox died or timed out never pass.
"""

from __future__ import annotations

import ast
import contextlib
import io
import linecache
import numbers
import os
import sys
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

from cadrelab.grading import value_codec as capture
from cadrelab.grading.rebuild import Plan, PlannedCell

BEGIN_HIDDEN = "BEGIN HIDDEN TESTS"
END_HIDDEN = "END HIDDEN TESTS"
MESSAGE_LIMIT = 400


@dataclass
class TestOutcome:
    """One test cell's result.  ``message`` is safe to show a trainee; ``trace`` is for trainers."""

    grade_id: str
    points: float
    score: float
    hidden_failure: bool = False
    message: str = ""
    trace: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.score >= self.points


@dataclass
class Verdict:
    tests: list[TestOutcome] = field(default_factory=list)
    setup_errors: list[str] = field(default_factory=list)


def hidden_lines(source: str) -> set[int]:
    """1-based numbers of the lines inside hidden-test regions (markers included)."""
    lines, inside = set(), False
    for number, line in enumerate(source.splitlines(), start=1):
        if BEGIN_HIDDEN in line:
            inside = True
        if inside:
            lines.add(number)
        if END_HIDDEN in line:
            inside = False
    return lines


def visible_source(source: str) -> str:
    """A test's source without its hidden regions (what the trainee was given)."""
    hidden = hidden_lines(source)
    return "\n".join(
        line for number, line in enumerate(source.splitlines(), start=1) if number not in hidden
    )


class _IPythonStub:
    """Enough of ``get_ipython()`` for locked cells and tests: magics do nothing, except that
    ``%%time`` and ``%%capture`` still run their cell."""

    def __init__(self, namespace: dict) -> None:
        self.namespace = namespace

    def run_line_magic(self, name: str, line: str, *args: object) -> None:
        return None

    def run_cell_magic(self, name: str, line: str, cell: str) -> None:
        if name in ("time", "capture"):
            _run(cell, "<cell magic>", self.namespace)

    def system(self, command: str) -> None:
        return None

    getoutput = system


def _transform(source: str) -> str:
    from IPython.core.inputtransformer2 import TransformerManager

    return TransformerManager().transform_cell(source)


def _run(source: str, filename: str, namespace: dict) -> object:
    """Execute a cell; the value of its last expression, if it ends with one."""
    lines = source.splitlines(keepends=True)
    linecache.cache[filename] = (len(source), None, lines, filename)  # for trainers' tracebacks
    tree = ast.parse(source, filename)
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    exec(compile(tree, filename, "exec"), namespace)
    if last is None:
        return None
    return eval(compile(ast.Expression(last.value), filename, "eval"), namespace)


def _frames_in(tb: TracebackType | None, filename: str) -> list[int]:
    numbers_ = []
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == filename:
            numbers_.append(tb.tb_lineno)
        tb = tb.tb_next
    return numbers_


class Judge:
    def __init__(self, workdir: Path, trainee: str, remote: Callable[[str], object] | None) -> None:
        self.workdir = workdir
        self.trainee = trainee
        self.remote = remote
        self.namespace: dict = {"__name__": "__main__", "__builtins__": __builtins__}
        self.namespace["get_ipython"] = lambda: _IPythonStub(self.namespace)

    def verdict(self, plan: Plan, effects: dict[str, dict], stopped_at: str | None) -> Verdict:
        verdict = Verdict()
        stopped = False
        with self._context():
            for cell in plan.cells:
                if cell.key == stopped_at:
                    stopped = True
                if cell.role == "test" and cell.spec is not None:
                    verdict.tests.append(self._test(cell, stopped))
                elif cell.role == "locked" and cell.cell_type == "code":
                    self._locked(cell, verdict)
                elif cell.trainee_code and cell.key in effects:
                    self._apply(effects[cell.key])
        return verdict

    def _locked(self, cell: PlannedCell, verdict: Verdict) -> None:
        try:
            _run(_transform(cell.source), f"<locked {cell.key}>", self.namespace)
        except Exception as exc:
            grade_id = cell.spec.grade_id if cell.spec else cell.key
            verdict.setup_errors.append(f"{grade_id}: {type(exc).__name__}: {exc}"[:MESSAGE_LIMIT])

    def _apply(self, effect: object) -> None:
        if not isinstance(effect, dict):
            return
        assigned = effect.get("set")
        if isinstance(assigned, dict):
            for name, data in assigned.items():
                if not isinstance(name, str) or not name.isidentifier() or name.startswith("_"):
                    continue
                try:
                    self.namespace[name] = capture.decode(data, self.remote, name=name)
                except (capture.CaptureError, RecursionError, MemoryError) as exc:
                    self.namespace[name] = capture.Opaque("malformed", str(exc))
        deleted = effect.get("deleted")
        if isinstance(deleted, list):
            for name in deleted:
                if isinstance(name, str) and not name.startswith("_"):
                    self.namespace.pop(name, None)

    def _test(self, cell: PlannedCell, stopped: bool) -> TestOutcome:
        spec = cell.spec
        assert spec is not None
        points = float(spec.points or 0)
        outcome = TestOutcome(spec.grade_id, points, 0.0)
        if stopped:
            outcome.message = "kernel_stopped"
            return outcome
        filename = f"<test {spec.grade_id}>"
        source = _transform(cell.source)
        try:
            value = _run(source, filename, self.namespace)
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # any failure of a test (SystemExit too) is a failed test
            self._failure(outcome, exc, source, filename)
            return outcome
        outcome.score = _credit(value, points)
        return outcome

    def _failure(
        self, outcome: TestOutcome, exc: BaseException, source: str, filename: str
    ) -> None:
        hidden = hidden_lines(source)
        lines = _frames_in(exc.__traceback__, filename)
        if isinstance(exc, SyntaxError) and exc.filename == filename and exc.lineno:
            lines.append(exc.lineno)
        text = f"{type(exc).__name__}: {exc}".strip().rstrip(":")
        secret = [
            line.strip()
            for number, line in enumerate(source.splitlines(), start=1)
            if number in hidden
            and len(line.strip()) >= 6
            and BEGIN_HIDDEN not in line
            and END_HIDDEN not in line
        ]
        outcome.hidden_failure = any(n in hidden for n in lines) or any(s in text for s in secret)
        outcome.trace = traceback.format_exception(type(exc), exc, exc.__traceback__)[-12:]
        if outcome.hidden_failure:
            outcome.message = "hidden_failed"
            return
        source_lines = source.splitlines()
        where = ""
        if lines and 0 < lines[-1] <= len(source_lines):
            where = source_lines[lines[-1] - 1].strip()
        outcome.message = text[:MESSAGE_LIMIT] + (f"\n    {where}" if where else "")

    @contextlib.contextmanager
    def _context(self) -> Iterator[None]:
        """The folder, environment and import path a notebook expects; undone afterwards."""
        old_cwd, old_path = os.getcwd(), list(sys.path)
        old_env = {
            name: os.environ.get(name)
            for name in ("CADRELAB_TRAINEE", "CADRELAB_ANSWERS_DIR", "MPLBACKEND")
        }
        os.chdir(self.workdir)
        sys.path.insert(0, str(self.workdir))
        os.environ["CADRELAB_TRAINEE"] = self.trainee
        os.environ["MPLBACKEND"] = "Agg"  # locked cells may plot; nothing is shown here
        os.environ.pop("CADRELAB_ANSWERS_DIR", None)
        sink = io.StringIO()
        try:
            with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
                yield
        finally:
            os.chdir(old_cwd)
            sys.path[:] = old_path
            for name, value in old_env.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
            _forget_modules_under(self.workdir)
            if "matplotlib.pyplot" in sys.modules:
                sys.modules["matplotlib.pyplot"].close("all")


def _credit(value: object, points: float) -> float:
    """nbgrader's partial credit: a test ending in a number scores that number."""
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        number = float(value)
        if number >= 0:
            return min(number, points)
    return points


def _forget_modules_under(folder: Path) -> None:
    prefix = str(folder.resolve())
    for name, module in list(sys.modules.items()):
        origin = getattr(module, "__file__", None) or ""
        if origin and str(Path(origin).resolve()).startswith(prefix):
            del sys.modules[name]
