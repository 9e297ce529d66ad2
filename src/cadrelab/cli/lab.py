"""`cadrelab lab`: JupyterLab for trainees."""

from __future__ import annotations

import argparse
from pathlib import Path

from cadrelab.cli.common import positive_int


def add_commands(commands: argparse._SubParsersAction) -> None:
    lab = commands.add_parser("lab", help="start JupyterLab on 127.0.0.1 with a token")
    lab.add_argument("--port", type=positive_int, default=8888)
    lab.add_argument("--no-browser", action="store_true")
    lab.add_argument(
        "--dir",
        type=Path,
        help="folder to serve (default: your copy of the courses in ~/cadrelab, made or "
        "refreshed first)",
    )
    lab.set_defaults(handler=_lab)


def _lab(args: argparse.Namespace) -> int:
    from cadrelab.lab import start_lab

    return start_lab(port=args.port, open_browser=not args.no_browser, root=args.dir)
