"""`cadrelab courses`: an editable copy of the courses."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_commands(commands: argparse._SubParsersAction) -> None:
    courses = commands.add_parser("courses", help="the courses shipped with cadrelab")
    sub = courses.add_subparsers(dest="courses_command", required=True)
    copy = sub.add_parser(
        "copy",
        help="copy the courses into DIR to work on (trainee version: no solutions); "
        "run again to take in a newer version without losing edits",
    )
    copy.add_argument("folder", type=Path, metavar="DIR")
    copy.add_argument(
        "--with-solutions",
        action="store_true",
        help="(trainers) the sources, with solutions and hidden tests",
    )
    copy.set_defaults(handler=_courses_copy)


def _courses_copy(args: argparse.Namespace) -> None:
    from cadrelab.i18n import t
    from cadrelab.lab import copy_courses

    report = copy_courses(args.folder, with_solutions=args.with_solutions)
    for name in report.kept:
        print(t("lab.kept_edited", file=name))
    print(
        t(
            "lab.copied",
            folder=report.folder,
            added=len(report.added),
            updated=len(report.updated),
            kept=len(report.kept),
        )
    )
