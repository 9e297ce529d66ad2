"""The ``cadrelab`` command: parse, call the library, print.

Each command group lives in its own module (``data``, ``sim``, ``workshop``, ``lab``,
``courses``)
with an ``add_commands`` function; handlers are set with ``set_defaults(handler=...)``.
Bad input (an :class:`~cadrelab.errors.InputError`) prints one line and exits 2.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from cadrelab.cli import courses, data, facts, lab, sim, workshop
from cadrelab.cli.common import Parser
from cadrelab.errors import InputError

GROUPS = (data, sim, workshop, lab, courses, facts)


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="cadrelab",
        description="Training and simulation for Vietnamese commune officials (cán bộ cấp xã).",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    for group in GROUPS:
        group.add_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except InputError as exc:
        # One line; with the Vietnamese wording too where the problem has one (trainers, planners).
        vietnamese = f" / lỗi: {exc.message_vi}" if exc.problem_vi else ""
        print(f"cadrelab: error: {exc.message}{vietnamese}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("cadrelab: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (e.g. `cadrelab data describe | head`): stop quietly.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
