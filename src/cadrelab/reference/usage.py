"""Which facts a notebook reads, and which facts it types in instead of reading them.

Both are found by reading the notebook's cells, without running them:

* :func:`notebook_uses` parses every code cell and follows the names bound to
  ``cadrelab.reference`` and ``cadrelab.calendar``.  A call such as
  ``reference.fee_rule("TNCN-BDS", on=...)`` uses that fee; a call without a
  literal key (``reference.procedures(on=...)``, ``reference.procedure(code, ...)``)
  uses the whole table; any ``calendar`` call uses the calendar's tables.  A literal
  ``on=`` date (``dt.date(2025, 8, 1)`` or ``"2025-08-01"``) narrows the use to the
  versions in force that day; ``teachable=True`` narrows it to the checked versions (the
  loader refuses or leaves out the others).  ``load_cases("<exercise>")`` is reported too, so the
  caller can run that exercise's generator under :func:`cadrelab.reference.recording`.
* :func:`hard_coded_facts` finds amounts, rates and deadlines that a notebook types
  in and that equal a fact of the tables: integer literals of at least 1,000 equal
  to an amount, float literals equal to a rate, literal day counts given to
  ``calendar.deadline``, and in Markdown ``2.000 đồng``, ``0,5%`` and
  ``3 ngày làm việc``.  Each finding names the notebook, the cell, the line and the
  facts it matches, so an author can read the fact from the table instead.
"""

from __future__ import annotations

import ast
import datetime as dt
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from cadrelab.errors import InputError
from cadrelab.reference.facts import REGISTRY, TEACHABLE, FactRef, as_day, key_text

#: Tables every call into ``cadrelab.calendar`` reads.
CALENDAR_TABLES = ("calendar_days", "office_hours")
#: Calls into ``cadrelab.calendar`` whose second argument is a number of days.
DEADLINE_CALLS = frozenset({"deadline", "deadline_many"})
AMOUNT_FLOOR = 1_000


@dataclass(frozen=True)
class Use:
    """A read of a fact table: one key (or the whole table), on one day (or any day).

    ``teachable``: the read asked for checked facts only (``teachable=True``), which the
    loader enforces, so it uses no ``unverified`` row.
    """

    table: str
    key: str | None = None
    day: dt.date | None = None
    teachable: bool = False


@dataclass(frozen=True)
class NotebookUses:
    uses: frozenset[Use]
    exercises: frozenset[str]


@dataclass(frozen=True)
class Finding:
    """A number typed into a notebook that equals a fact of the tables."""

    path: Path
    cell: int
    line: int
    kind: str  # amount | rate | deadline
    text: str
    facts: tuple[FactRef, ...]

    def __str__(self) -> str:
        facts = ", ".join(f"{f.table}:{f.key}" for f in self.facts)
        return (
            f"{self.path}: cell {self.cell}, line {self.line}: {self.kind} {self.text!r} = {facts}"
        )


# --- reading notebooks ---------------------------------------------------------------


def cells(path: Path) -> Iterator[tuple[int, str, str]]:
    """(index, cell type, source) of every cell of a notebook file."""
    try:
        notebook = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read the notebook ({exc})", file=path) from None
    for index, cell in enumerate(notebook.get("cells", [])):
        source = cell.get("source", "")
        yield (
            index,
            cell.get("cell_type", ""),
            "".join(source) if isinstance(source, list) else source,
        )


def _parse(source: str) -> ast.Module | None:
    """A code cell as Python, with IPython magics and shell lines blanked out."""
    lines = ["" if line.lstrip().startswith(("%", "!")) else line for line in source.split("\n")]
    try:
        return ast.parse("\n".join(lines))
    except SyntaxError:
        return None


class _Names:
    """What local names stand for: the reference module, the calendar, their functions."""

    def __init__(self) -> None:
        self.modules: dict[str, str] = {}  # alias -> "reference" | "calendar"
        self.functions: dict[str, tuple[str, str]] = {}  # alias -> (module, function)

    def learn(self, tree: ast.AST) -> None:
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name in _MODULES and alias.asname:
                        self.modules[alias.asname] = _MODULES[alias.name]
            elif isinstance(node, ast.ImportFrom) and node.module:
                for alias in node.names:
                    name = alias.asname or alias.name
                    dotted = f"{node.module}.{alias.name}"
                    if dotted in _MODULES:
                        self.modules[name] = _MODULES[dotted]
                    elif node.module.startswith("cadrelab"):
                        self.functions[name] = (node.module, alias.name)

    def call(self, node: ast.Call) -> tuple[str, str] | None:
        """(module, function) for a call into cadrelab, else None."""
        func = node.func
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            module = self.modules.get(func.value.id)
            return (module, func.attr) if module else None
        if isinstance(func, ast.Name) and func.id in self.functions:
            module, name = self.functions[func.id]
            return (_ours(module) or module, name)
        return None


_MODULES = {"cadrelab.reference": "reference", "cadrelab.calendar": "calendar"}


def _ours(module: str) -> str | None:
    """Which of our modules a function imported from ``module`` belongs to."""
    if module.startswith("cadrelab.reference"):
        return "reference"
    return _MODULES.get(module)


def _code_trees(path: Path) -> Iterator[tuple[int, ast.Module]]:
    for index, kind, source in cells(path):
        if kind == "code":
            tree = _parse(source)
            if tree is not None:
                yield index, tree


def _readers() -> dict[str, tuple[str, int]]:
    """Function name in ``cadrelab.reference`` -> (table, number of key arguments)."""
    found: dict[str, tuple[str, int]] = {}
    for table in REGISTRY.values():
        if table.one:
            found[table.one] = (table.name, len(table.key))
        if table.many:
            found[table.many] = (table.name, 0)
    return found


def notebook_uses(paths: Iterable[Path]) -> NotebookUses:
    """The fact tables, keys and exercises that these notebooks read (see module doc)."""
    readers = _readers()
    uses: set[Use] = set()
    exercises: set[str] = set()
    for path in paths:
        names = _Names()
        for _, tree in _code_trees(path):
            names.learn(tree)
            for node in ast.walk(tree):
                if not isinstance(node, ast.Call):
                    continue
                if _called_name(node) == "load_cases" and _literal(node, 0) is not None:
                    exercises.add(str(_literal(node, 0)))
                target = names.call(node)
                if target is None:
                    continue
                module, function = target
                if module == "calendar":
                    uses.update(Use(t) for t in CALENDAR_TABLES)
                elif module == "reference" and function in readers:
                    uses.add(_use(node, *readers[function]))
    return NotebookUses(frozenset(uses), frozenset(exercises))


def _called_name(node: ast.Call) -> str | None:
    func = node.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)


def _literal(node: ast.Call, position: int) -> object | None:
    if len(node.args) > position and isinstance(node.args[position], ast.Constant):
        return node.args[position].value
    return None


def _use(node: ast.Call, table: str, arity: int) -> Use:
    keys = [_literal(node, i) for i in range(arity)]
    key = key_text(keys) if arity and all(isinstance(k, str) for k in keys) else None
    on = next((kw.value for kw in node.keywords if kw.arg == "on"), None)
    teachable = next((kw.value for kw in node.keywords if kw.arg == "teachable"), None)
    checked_only = isinstance(teachable, ast.Constant) and teachable.value is True
    return Use(table, key, _literal_day(on), checked_only)


def _literal_day(node: ast.expr | None) -> dt.date | None:
    """``dt.date(2025, 8, 1)``, ``datetime.date(...)``, ``dt.datetime(...)`` or an ISO string."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        try:
            return as_day(node.value)
        except InputError:
            return None
    if isinstance(node, ast.Call) and _called_name(node) in ("date", "datetime"):
        numbers = [a.value for a in node.args if isinstance(a, ast.Constant)]
        if len(numbers) >= 3 and len(numbers) == len(node.args):
            try:
                return dt.date(*numbers[:3])
            except (TypeError, ValueError):
                return None
    return None


def resolve(uses: Iterable[Use]) -> set[FactRef]:
    """The fact versions a set of uses points at (unknown keys point at nothing)."""
    refs: set[FactRef] = set()
    for use in uses:
        table = REGISTRY[use.table]
        rows = table.rows()
        if use.key is not None:
            rows = [r for r in rows if key_text(table.key_of(r)) == use.key]
        if use.day is not None:
            rows = [r for r in rows if r.period[0] <= use.day <= r.period[1]]
        if use.teachable:
            rows = [r for r in rows if r.status in TEACHABLE]
        refs.update(table.ref(r) for r in rows)
    return refs


# --- numbers typed in ------------------------------------------------------------------

_MD_AMOUNT = re.compile(r"(\d{1,3}(?:\.\d{3})+|\d{4,})\s*(?:đ\b|đồng|VNĐ|VND)")
_MD_RATE = re.compile(r"(\d+(?:,\d+)?)\s*%")
_MD_DAYS = re.compile(r"(\d+)\s*ngày(\s+làm việc)?")


def _fact_values() -> dict[str, dict[object, set[FactRef]]]:
    """kind -> value -> facts having it: amounts (đồng), rates, deadlines by unit."""
    values: dict[str, dict[object, set[FactRef]]] = {"amount": {}, "rate": {}, "deadline": {}}
    for table in REGISTRY.values():
        for row in table.rows():
            ref = table.ref(row)
            for column in ("amount_vnd", "later_page_vnd", "cap_vnd", "price_vnd_per_m2"):
                amount = getattr(row, column, None)
                if isinstance(amount, int) and amount >= AMOUNT_FLOOR:
                    values["amount"].setdefault(amount, set()).add(ref)
            rate = getattr(row, "rate", None)
            if rate:
                values["rate"].setdefault(round(rate, 6), set()).add(ref)
            days = getattr(row, "deadline_days", None)
            if days:
                values["deadline"].setdefault((days, row.deadline_unit), set()).add(ref)
    return values


def hard_coded_facts(paths: Iterable[Path]) -> list[Finding]:
    """Amounts, rates and deadlines typed into these notebooks that equal a fact (module doc)."""
    values = _fact_values()
    findings: list[Finding] = []
    for path in paths:
        names = _Names()
        for index, kind, source in cells(path):
            if kind == "code":
                tree = _parse(source)
                if tree is not None:
                    names.learn(tree)
                    findings += _code_findings(path, index, tree, names, values)
            elif kind == "markdown":
                findings += _markdown_findings(path, index, source, values)
    return findings


def _code_findings(path, index, tree, names, values) -> list[Finding]:
    found = []
    deadline_args = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and names.call(node) in {
            ("calendar", name) for name in DEADLINE_CALLS
        }:
            days = node.args[1] if len(node.args) > 1 else None
            days = days or next((k.value for k in node.keywords if k.arg == "days"), None)
            if isinstance(days, ast.Constant) and isinstance(days.value, int):
                deadline_args.add(id(days))
                facts = set().union(
                    *(refs for (n, _), refs in values["deadline"].items() if n == days.value)
                )
                if facts:
                    found.append(_finding(path, index, days, "deadline", facts))
    for node in ast.walk(tree):
        if not isinstance(node, ast.Constant) or id(node) in deadline_args:
            continue
        value = node.value
        if isinstance(value, bool):
            continue
        if isinstance(value, int) and value in values["amount"]:
            found.append(_finding(path, index, node, "amount", values["amount"][value]))
        elif isinstance(value, float) and round(value, 6) in values["rate"]:
            found.append(_finding(path, index, node, "rate", values["rate"][round(value, 6)]))
    return found


def _finding(path, index, node, kind, facts) -> Finding:
    text = repr(node.value)
    return Finding(Path(path), index, node.lineno, kind, text, tuple(sorted(facts)))


_MARKDOWN = (
    ("amount", _MD_AMOUNT, lambda m: int(m.group(1).replace(".", ""))),
    ("rate", _MD_RATE, lambda m: round(float(m.group(1).replace(",", ".")) / 100, 6)),
    ("deadline", _MD_DAYS, lambda m: (int(m.group(1)), "working" if m.group(2) else "calendar")),
)


def _markdown_findings(path, index, source, values) -> list[Finding]:
    found = []
    for number, line in enumerate(source.split("\n"), start=1):
        for kind, pattern, value_of in _MARKDOWN:
            for match in pattern.finditer(line):
                facts = values[kind].get(value_of(match))
                if facts:
                    found.append(
                        Finding(
                            Path(path), index, number, kind, match.group(0), tuple(sorted(facts))
                        )
                    )
    return found
