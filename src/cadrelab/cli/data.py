"""`cadrelab data`: synthetic cases."""

from __future__ import annotations

import argparse
from pathlib import Path

from cadrelab.cli.common import non_negative_int, positive_int


def add_commands(commands: argparse._SubParsersAction) -> None:
    data = commands.add_parser("data", help="synthetic cases")
    sub = data.add_subparsers(dest="data_command", required=True)

    generate = sub.add_parser("generate", help="write every synthetic table as CSV plus manifest")
    generate.add_argument("--seed", type=non_negative_int, required=True)
    generate.add_argument("--out", type=Path, required=True, help="output folder (replaced)")
    generate.add_argument(
        "--scale", type=positive_int, default=1, help="multiply the default row counts"
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
