"""The ``cadrelab`` command: parse, call the library, print.

Bad input (an :class:`~cadrelab.errors.InputError`) prints one line and exits 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn

from cadrelab.errors import InputError

Handler = Callable[[argparse.Namespace], int | None]


class _Parser(argparse.ArgumentParser):
    """Usage errors print one line, like every other bad-input error, and exit 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def _non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {value}")
    return value


def _positive_int(text: str) -> int:
    value = _non_negative_int(text)
    if value == 0:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


# --- data ----------------------------------------------------------------------


def _add_data_commands(commands: argparse._SubParsersAction) -> None:
    data = commands.add_parser("data", help="synthetic cases")
    sub = data.add_subparsers(dest="data_command", required=True)

    generate = sub.add_parser("generate", help="write every synthetic table as CSV plus manifest")
    generate.add_argument("--seed", type=_non_negative_int, required=True)
    generate.add_argument("--out", type=Path, required=True, help="output folder (replaced)")
    generate.add_argument(
        "--scale", type=_positive_int, default=1, help="multiply the default row counts"
    )
    generate.add_argument("--trainee", help="derive the seed from this trainee id and --seed")
    generate.set_defaults(handler=_data_generate)

    describe = sub.add_parser("describe", help="print the schema of every generated table")
    describe.set_defaults(handler=_data_describe)


def _data_generate(args: argparse.Namespace) -> None:
    from cadrelab.data.bundle import write_bundle

    manifest = write_bundle(args.out, seed=args.seed, scale=args.scale, trainee=args.trainee)
    for name, entry in manifest["files"].items():
        print(f"{name:28} {entry['rows']:>10,} rows  sha256 {entry['sha256'][:12]}")
    print(f"wrote {args.out}/manifest.json")


def _data_describe(args: argparse.Namespace) -> None:
    from cadrelab.data.bundle import describe_schemas

    print(describe_schemas())


# --- lab -----------------------------------------------------------------------


def _add_lab_command(commands: argparse._SubParsersAction) -> None:
    lab = commands.add_parser("lab", help="start JupyterLab on 127.0.0.1 with a token")
    lab.add_argument("--port", type=_positive_int, default=8888)
    lab.add_argument("--no-browser", action="store_true")
    lab.set_defaults(handler=_lab)


def _lab(args: argparse.Namespace) -> int:
    from cadrelab.lab import start_lab

    return start_lab(port=args.port, open_browser=not args.no_browser)


# --- entry point ------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="cadrelab", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    _add_data_commands(commands)
    _add_lab_command(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except InputError as exc:
        print(f"cadrelab: error: {exc.message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("cadrelab: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
