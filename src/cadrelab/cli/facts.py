"""`cadrelab facts`: what the law tables say on a date, what changed, and their audit."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import sys
from pathlib import Path

from cadrelab.errors import InputError


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD, got {text!r}") from None


def _table(text: str) -> str:
    from cadrelab.reference import REGISTRY

    if text not in REGISTRY:
        known = ", ".join(sorted(REGISTRY))
        raise argparse.ArgumentTypeError(f"unknown table {text!r} (known: {known})")
    return text


def add_commands(commands: argparse._SubParsersAction) -> None:
    facts = commands.add_parser("facts", help="dated, sourced legal facts and their audit")
    sub = facts.add_subparsers(dest="facts_command", required=True)

    listing = sub.add_parser("list", help="facts in force on a date (every version without --on)")
    listing.add_argument("--on", type=_day, help="the day (YYYY-MM-DD)")
    listing.add_argument("--table", type=_table)
    listing.set_defaults(handler=_list)

    show = sub.add_parser("show", help="every column of one fact (all versions without --on)")
    show.add_argument("code", help="the fact's key, e.g. HT-KS or 01/đô thị/ODT")
    show.add_argument("--on", type=_day)
    show.add_argument("--table", type=_table)
    show.set_defaults(handler=_show)

    changes = sub.add_parser("changes", help="facts added, changed or ended between two dates")
    changes.add_argument("--from", dest="first", type=_day, required=True)
    changes.add_argument("--to", dest="last", type=_day, required=True)
    changes.add_argument("--table", type=_table)
    changes.set_defaults(handler=_changes)

    audit = sub.add_parser(
        "audit", help="fail on facts without source, gaps, unverified facts used by lessons"
    )
    audit.set_defaults(handler=_audit)

    count = sub.add_parser("count", help="the number of facts by status, as a Markdown table")
    count.add_argument(
        "--readme", type=Path, help="also replace the table between the facts-count markers here"
    )
    count.set_defaults(handler=_count)


def _tables(name: str | None):
    from cadrelab.reference import REGISTRY

    return [REGISTRY[name]] if name else list(REGISTRY.values())


def _period(row) -> str:
    first, last = row.period
    return f"{first} – {'' if last == dt.date.max else last}"


def _line(table, row) -> str:
    from cadrelab.reference.facts import key_text

    name = getattr(row, "name_vi", "") or ""
    key = key_text(table.key_of(row))
    return f"{table.name:16} {key:28} {_period(row):25} {row.status:12} {name}"


def _list(args: argparse.Namespace) -> None:
    lines = []
    for table in _tables(args.table):
        rows = table.rows() if args.on is None else table.in_force(args.on)
        lines += [_line(table, row) for row in rows]
    _print(lines)


def _print(lines: list[str]) -> None:
    """Print only once everything is known: a bad table or date prints nothing but the error."""
    if lines:
        print("\n".join(lines))


def _show(args: argparse.Namespace) -> None:
    from cadrelab.reference.facts import key_text

    found = []
    for table in _tables(args.table):
        rows = [r for r in table.rows() if key_text(table.key_of(r)) == args.code]
        if rows and args.on is not None:
            split = tuple(args.code.split("/")) if len(table.key) > 1 else args.code
            rows = [table.get(split, args.on)]
        found += [(table, r) for r in rows]
    if not found:
        raise InputError(f"no fact has the key {args.code!r}", field="code")
    lines = []
    for table, row in found:
        lines.append(f"[{table.name}.csv, row {row.line}]")
        lines += [f"  {c:16} {v}" for c, v in row.model_dump().items() if v is not None]
    _print(lines)


def _changes(args: argparse.Namespace) -> None:
    lines = []
    for table in _tables(args.table):
        for kind, old, new in table.changes(args.first, args.last):
            row = new or old
            detail = f"row {old.line} → row {new.line}" if old and new else f"row {row.line}"
            lines.append(f"{kind:8} {_line(table, row)}  ({detail})")
    _print(lines)


def _audit(args: argparse.Namespace) -> int:
    from cadrelab.reference import REGISTRY
    from cadrelab.reference.audit import audit

    problems = audit(course_usage())
    for problem in problems:
        print(f"{problem} / {problem.line_vi}")
    if problems:
        print(f"{len(problems)} problem(s) in the fact tables", file=sys.stderr)
        return 1
    total = sum(len(t.rows()) for t in REGISTRY.values())
    print(f"{total} facts in {len(REGISTRY)} tables: no problem")
    return 0


def _count(args: argparse.Namespace) -> None:
    from cadrelab.reference.audit import status_table, with_status_table

    table = status_table()
    if args.readme is not None:
        from cadrelab.atomic import write_text

        try:
            text = args.readme.read_text(encoding="utf-8")
        except OSError as exc:
            raise InputError(f"cannot read ({exc.strerror})", file=args.readme) from None
        write_text(args.readme, with_status_table(text, table, args.readme))
    print(table)


def course_usage() -> dict:
    """Fact version -> the lessons and exercises that use it (see docs/facts.md).

    Lessons' own reads come from reading their code cells; an exercise's cases come from
    running its generator while the loader records every fact it hands out.
    """
    from cadrelab.content import courses_dir
    from cadrelab.reference.usage import notebook_uses, resolve

    used: dict = {}
    generated: dict[str, set] = {}
    for notebook in sorted(courses_dir().glob("*/*/*.ipynb")):
        label = notebook.relative_to(courses_dir()).as_posix()
        found = notebook_uses([notebook])
        refs = resolve(found.uses)
        for exercise in found.exercises:
            if exercise not in generated:
                generated[exercise] = _exercise_facts(exercise)
            refs |= generated[exercise]
        for ref in refs:
            used.setdefault(ref, set()).add(label)
    return used


def _exercise_facts(exercise: str) -> set:
    from cadrelab.data import load_cases
    from cadrelab.reference import recording

    with recording() as used, contextlib.redirect_stdout(io.StringIO()):  # notices for trainees
        load_cases(exercise, trainee="facts-audit")
    return used
