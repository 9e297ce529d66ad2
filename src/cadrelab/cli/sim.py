"""`cadrelab sim`: the staffing simulation."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cadrelab.cli.common import non_negative_int, positive_int


def _fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError("must be between 0 and 1")
    return value


def _scenario(text: str) -> Path:
    """A scenario file, or the name of a shipped one (``baseline``)."""
    path = Path(text)
    if path.exists() or path.suffix or len(path.parts) > 1:
        return path
    from cadrelab.content import scenario_path

    return scenario_path(text)


def add_commands(commands: argparse._SubParsersAction) -> None:
    sim = commands.add_parser("sim", help="staffing simulation of a commune service centre")
    sub = sim.add_subparsers(dest="sim_command", required=True)
    lang = {
        "choices": ["vi", "en"],
        "default": None,
        "help": "language of the printed table (default: CADRELAB_LANG or vi)",
    }

    run = sub.add_parser("run", help="run a scenario and print waits, utilisation, on-time rates")
    run.add_argument("scenario", type=_scenario, help="scenario file, or a shipped one by name")
    run.add_argument("--replications", type=positive_int)
    run.add_argument("--seed", type=non_negative_int)
    run.add_argument("--json", type=Path, help="write the summary as JSON here")
    run.add_argument("--csv", type=Path, help="write per-dossier and per-step records here")
    run.add_argument("--lang", **lang)
    run.add_argument(
        "--target-half-width",
        type=_fraction,
        help="add replications until the 95%% half-width is this share of the mean",
    )
    run.add_argument(
        "--precision-metric",
        action="append",
        help="figure the target applies to, e.g. procedures.DD-CN.on_time_rate "
        "(default: overall.lead_time_working_days; repeatable)",
    )
    run.add_argument("--max-replications", type=positive_int, default=200)
    run.set_defaults(handler=_sim_run)

    compare = sub.add_parser("compare", help="paired differences of alternatives against a base")
    compare.add_argument("base", type=_scenario)
    compare.add_argument("alternatives", type=_scenario, nargs="+")
    compare.add_argument("--replications", type=positive_int)
    compare.add_argument("--seed", type=non_negative_int)
    compare.add_argument("--json", type=Path, help="write the comparison as JSON here")
    compare.add_argument("--lang", **lang)
    compare.set_defaults(handler=_sim_compare)

    sweep = sub.add_parser("sweep", help="run many cases (e.g. every commune) into one table")
    sweep.add_argument("spec", type=Path)
    sweep.add_argument("--workers", type=positive_int, help="local worker processes")
    sweep.add_argument("--scheduler", help="address of a Dask scheduler, e.g. tcp://host:8786")
    sweep.add_argument("--out", type=Path, help="CSV file for the tidy results table")
    sweep.add_argument("--lang", **lang)
    sweep.set_defaults(handler=_sim_sweep)

    dashboard = sub.add_parser(
        "dashboard", help="serve the planners' dashboard with Voila on 127.0.0.1 (with a token)"
    )
    dashboard.add_argument("--port", type=positive_int, default=8866)
    dashboard.add_argument("--no-browser", action="store_true")
    dashboard.set_defaults(handler=_sim_dashboard)


def _progress_bar(description: str):
    from tqdm import tqdm

    bar = tqdm(desc=description, unit="rep", leave=False, file=sys.stderr)

    def update(done: int, total: int) -> None:
        bar.total = total
        bar.n = done
        bar.refresh()

    return bar, update


def _sim_run(args: argparse.Namespace) -> None:
    from cadrelab.sim import io, report
    from cadrelab.sim.loading import load_scenario
    from cadrelab.sim.run import (
        DEFAULT_PRECISION_METRICS,
        parse_key,
        run_scenario,
        run_to_precision,
    )

    scenario = load_scenario(args.scenario)
    bar, progress = _progress_bar(scenario.name)
    with bar:
        if args.target_half_width:
            keys = (
                [parse_key(k) for k in args.precision_metric]
                if args.precision_metric
                else DEFAULT_PRECISION_METRICS
            )
            results = run_to_precision(
                scenario,
                args.target_half_width,
                keys=keys,
                max_replications=args.max_replications,
                seed=args.seed,
                progress=progress,
                keep_records=args.csv is not None,
            )
        else:
            results = run_scenario(
                scenario, args.replications, args.seed, progress, keep_records=args.csv is not None
            )
    lang = args.lang or _default_lang()
    print(report.results_table(results, lang))
    for path in io.write_results(results, json_path=args.json, csv_dir=args.csv):
        print(_wrote(path, lang))


def _sim_compare(args: argparse.Namespace) -> None:
    from cadrelab.sim import io, report
    from cadrelab.sim.loading import load_scenario
    from cadrelab.sim.run import compare_scenarios

    base = load_scenario(args.base)
    alternatives = [load_scenario(path) for path in args.alternatives]
    bar, progress = _progress_bar("compare")
    with bar:
        comparison = compare_scenarios(base, alternatives, args.replications, args.seed, progress)
    lang = args.lang or _default_lang()
    print(report.comparison_table(comparison, lang))
    if args.json:
        io.write_json(args.json, comparison.summary())
        print(_wrote(args.json, lang))


def _sim_sweep(args: argparse.Namespace) -> None:
    from cadrelab.i18n import t
    from cadrelab.sim.sweep import load_sweep, run_sweep, write_table

    spec = load_sweep(args.spec)
    table = run_sweep(spec, workers=args.workers, scheduler=args.scheduler, progress_bar=True)
    out = args.out or Path("generated") / "sim" / f"{spec.name}.csv"
    write_table(table, out)
    print(
        t(
            "sim.report.sweep_done",
            args.lang or _default_lang(),
            cases=len(spec.cases),
            replications=spec.replications,
            path=out,
        )
    )


def _sim_dashboard(args: argparse.Namespace) -> int:
    from cadrelab.sim.dashboard import start_dashboard

    return start_dashboard(port=args.port, open_browser=not args.no_browser)


def _wrote(path: Path, lang: str) -> str:
    from cadrelab.i18n import t

    return t("sim.report.wrote", lang, path=path)


def _default_lang() -> str:
    from cadrelab.i18n import default_lang

    return default_lang()
