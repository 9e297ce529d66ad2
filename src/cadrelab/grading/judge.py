"""Judge a submission in the grader's own process, on the data its cells left behind.

The judge replays the rebuilt notebook without the trainee's code: locked cells
(trusted: they come from the gradebook's copy) run here; each trainee cell is
replaced by what it bound or changed in the sandbox, decoded as plain data; the
tests (hidden parts included) run here on that data, with the real builtins.  So
an input transformer, a patched builtin or a killed kernel in the sandbox cannot
touch a test, and the hidden tests never enter the sandbox.

A trainee's value reaches the tests only under a name the trainee may set: a name
the model solution binds, or any name that neither a builtin, a locked cell nor a
test binds.  Redefining ``len`` or a locked cell's table is kept in the sandbox and
noted.  A test that calls a function the trainee wrote calls it back inside the
sandbox with the arguments as data and gets the result as data; a test may also
re-run a trainee's cell on other data (:mod:`cadrelab.grading.rerun`).  No expected
value ever crosses over.

Tests regenerate the trainee's cases from the workshop secret
(:func:`cadrelab.data.exercises.workshop_cases`).  When a locked cell fails here, the
locked cells are run once more on their own: if one that reads no answer name fails
without any trainee value, the fault is the grader's (status ``grader_error``), never
a silent zero.

A test passes when it raises nothing (nbgrader's rule); a test ending in a number
gives that number as partial credit, clipped to its points.  Tests placed after
the cell where the sandbox died or timed out never pass.
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import io
import linecache
import numbers
import os
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

from cadrelab.data.exercises import workshop_cases
from cadrelab.grading import value_codec
from cadrelab.grading.rebuild import Plan, PlannedCell
from cadrelab.grading.rerun import Rerunner, rerunning

BEGIN_HIDDEN = "BEGIN HIDDEN TESTS"
END_HIDDEN = "END HIDDEN TESTS"
MESSAGE_LIMIT = 400
DECODE_SECONDS = 30.0  # for all the values of one notebook together
BUILTIN_NAMES = frozenset(dir(builtins))


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
    grader_error: bool = False
    kept_out: list[str] = field(default_factory=list)  # names a trainee may not set
    undecodable: list[str] = field(default_factory=list)


def bound_names(source: str) -> set[str]:
    """Every name a cell binds (assignments, imports, definitions, loop targets)."""
    try:
        tree = ast.parse(_transform(source))
    except (SyntaxError, ValueError):
        return set()
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.alias):
            names.add((node.asname or node.name).split(".")[0])
    return names


def read_names(source: str) -> set[str]:
    """Every name a cell reads."""
    try:
        tree = ast.parse(_transform(source))
    except (SyntaxError, ValueError):
        return set()
    return {
        node.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)
    }


def settable_names(plan: Plan) -> tuple[frozenset[str], frozenset[str]]:
    """(names the model solutions bind, names only the grader may bind)."""
    answers: set[str] = set()
    fixed: set[str] = set(BUILTIN_NAMES)
    for cell in plan.cells:
        if cell.spec is None or cell.cell_type != "code":
            continue
        if cell.role in ("answer", "manual"):
            answers |= bound_names(cell.spec.solution)
        elif cell.role in ("locked", "test"):
            fixed |= bound_names(cell.source)
    return frozenset(answers - BUILTIN_NAMES), frozenset(fixed)


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
    def __init__(
        self,
        workdir: Path,
        trainee: str,
        remote: Callable[[str], object] | None,
        secret: bytes | None = None,
        rerunner: Rerunner | None = None,
    ) -> None:
        self.workdir = workdir
        self.trainee = trainee
        self.remote = remote
        self.secret = secret
        self.rerunner = rerunner
        self.decode_left = DECODE_SECONDS
        self.namespace = self._fresh_namespace()

    def _fresh_namespace(self) -> dict:
        namespace: dict = {"__name__": "__main__", "__builtins__": builtins}
        namespace["get_ipython"] = lambda: _IPythonStub(namespace)
        return namespace

    def verdict(self, plan: Plan, effects: dict[str, dict], stopped_at: str | None) -> Verdict:
        verdict = Verdict()
        answers, fixed = settable_names(plan)
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
                    self._apply(effects[cell.key], answers, fixed, verdict)
            if verdict.setup_errors:
                verdict.grader_error = self._setup_fails_alone(plan)
        return verdict

    def _locked(self, cell: PlannedCell, verdict: Verdict) -> None:
        try:
            _run(_transform(cell.source), f"<locked {cell.key}>", self.namespace)
        except Exception as exc:
            grade_id = cell.spec.grade_id if cell.spec else cell.key
            verdict.setup_errors.append(f"{grade_id}: {type(exc).__name__}: {exc}"[:MESSAGE_LIMIT])

    def _setup_fails_alone(self, plan: Plan) -> bool:
        """Whether a locked cell that reads no answer name fails with no trainee value at
        all: then the fault is the grader's.  (A locked cell that shows a trainee's answer
        fails when the answer is missing or wrong: that is the trainee's.)"""
        answers, _ = settable_names(plan)
        namespace, self.namespace = self.namespace, self._fresh_namespace()
        alone = Verdict()
        try:
            for cell in plan.cells:
                if cell.role == "locked" and cell.cell_type == "code":
                    before = len(alone.setup_errors)
                    self._locked(cell, alone)
                    if len(alone.setup_errors) > before and not read_names(cell.source) & answers:
                        return True
        finally:
            self.namespace = namespace
        return False

    def _apply(
        self, effect: dict, answers: frozenset[str], fixed: frozenset[str], verdict: Verdict
    ) -> None:
        for name, data in effect.get("set", {}).items():
            if name.startswith("_"):
                continue
            if name in fixed and name not in answers:
                verdict.kept_out.append(name)
                continue
            self.namespace[name] = self._decode(name, data, verdict)
        for name in effect.get("deleted", []):
            if not name.startswith("_") and (name in answers or name not in fixed):
                self.namespace.pop(name, None)

    def _decode(self, name: str, data: object, verdict: Verdict) -> object:
        if self.decode_left <= 0:
            verdict.undecodable.append(name)
            return value_codec.Opaque("value", "decoding time used up")
        started = time.monotonic()
        try:
            value = value_codec.decode(data, self.remote, name=name, seconds=self.decode_left)
        except (value_codec.CaptureError, RecursionError, MemoryError) as exc:
            verdict.undecodable.append(name)
            return value_codec.Opaque("malformed", str(exc))
        finally:
            self.decode_left -= time.monotonic() - started
        if isinstance(value, value_codec.Opaque) and value.over_limit:
            verdict.undecodable.append(name)
        return value

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
        """The folder, environment, cases and import path a notebook expects; undone after."""
        old_cwd, old_path = os.getcwd(), list(sys.path)
        old_env = {
            name: os.environ.get(name)
            for name in (
                "CADRELAB_TRAINEE",
                "CADRELAB_ANSWERS_DIR",
                "CADRELAB_CASES_DIR",
                "MPLBACKEND",
            )
        }
        os.chdir(self.workdir)
        sys.path.insert(0, str(self.workdir))
        os.environ["CADRELAB_TRAINEE"] = self.trainee
        os.environ["MPLBACKEND"] = "Agg"  # locked cells may plot; nothing is shown here
        os.environ.pop("CADRELAB_ANSWERS_DIR", None)
        os.environ.pop("CADRELAB_CASES_DIR", None)
        sink = io.StringIO()
        try:
            with contextlib.ExitStack() as stack:
                if self.secret is not None:
                    stack.enter_context(workshop_cases(self.secret))
                if self.rerunner is not None:
                    stack.enter_context(rerunning(self.rerunner))
                stack.enter_context(contextlib.redirect_stdout(sink))
                stack.enter_context(contextlib.redirect_stderr(sink))
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
