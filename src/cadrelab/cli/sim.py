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

    optimise = sub.add_parser(
        "optimise", help="the fewest officers and their roles that meet a target"
    )
    optimise.add_argument("scenario", type=_scenario)
    optimise.add_argument(
        "--target", required=True, help='e.g. "overall.on_time_rate >= 0.95" (met with 95%% CI)'
    )
    optimise.add_argument("--max-officers", type=positive_int, help="search up to this many")
    optimise.add_argument(
        "--roles-may-combine",
        action="append",
        metavar="ROLE+ROLE",
        help="roles one officer may hold together, e.g. reception+return (repeatable)",
    )
    optimise.add_argument("--replications", type=positive_int, help="first-stage replications")
    optimise.add_argument("--seed", type=non_negative_int)
    optimise.add_argument("--json", type=Path, help="write the chosen roster and figures here")
    optimise.add_argument("--scenario-out", type=Path, help="write the chosen roster as a scenario")
    optimise.add_argument("--lang", **lang)
    optimise.set_defaults(handler=_sim_optimise)

    calibrate = sub.add_parser(
        "calibrate", help="a scenario from a commune's dossier log (CSV or Excel)"
    )
    calibrate.add_argument("log", type=Path)
    calibrate.add_argument("--out", type=Path, required=True, help="scenario file to write")
    calibrate.add_argument("--map", type=Path, help="YAML column map for other exports")
    calibrate.add_argument(
        "--template",
        type=_scenario,
        default=None,
        help="scenario whose staff and routes the result keeps (default: baseline)",
    )
    calibrate.add_argument("--lang", **lang)
    calibrate.set_defaults(handler=_sim_calibrate)

    log = sub.add_parser("log", help="write a dossier log, as provinces export it, from a run")
    log.add_argument("scenario", type=_scenario)
    log.add_argument("--out", type=Path, required=True, help="CSV file to write")
    log.add_argument("--replication", type=non_negative_int, default=0)
    log.add_argument("--seed", type=non_negative_int)
    log.add_argument("--lang", **lang)
    log.set_defaults(handler=_sim_log)

    warmup = sub.add_parser("warmup", help="propose the warm-up of a scenario (MSER-5)")
    warmup.add_argument("scenario", type=_scenario)
    warmup.add_argument("--replications", type=positive_int, default=5)
    warmup.add_argument("--plot", type=Path, help="write the plot (PNG) here")
    warmup.add_argument("--lang", **lang)
    warmup.set_defaults(handler=_sim_warmup)

    describe = sub.add_parser(
        "describe", help="describe a scenario (the model), or with --stress the model and its run"
    )
    describe.add_argument("scenario", type=_scenario)
    describe.add_argument(
        "--stress",
        action="store_true",
        help="the whole STRESS-DES report: model, experiment and results of a run",
    )
    describe.add_argument("--replications", type=positive_int)
    describe.add_argument("--out", type=Path, help="write the report (Markdown) here")
    describe.set_defaults(handler=_sim_describe)

    dashboard = sub.add_parser(
        "dashboard", help="serve the planners' dashboard with Voila on 127.0.0.1 (with a token)"
    )
    dashboard.add_argument("--port", type=positive_int, default=8866)
    dashboard.add_argument("--no-browser", action="store_true")
    dashboard.set_defaults(handler=_sim_dashboard)


def _progress_bar(description: str, unit: str = "rep"):
    from tqdm import tqdm

    bar = tqdm(
        desc=description, unit=unit, leave=False, file=sys.stderr, disable=not sys.stderr.isatty()
    )

    def update(done: int, total: int) -> None:
        bar.total = total
        bar.n = done
        bar.refresh()

    return bar, update


def _sim_run(args: argparse.Namespace) -> None:
    from cadrelab.sim.presentation import report
    from cadrelab.sim.results.metrics import DEFAULT_PRECISION, parse_key
    from cadrelab.sim.results.replications import run_scenario, run_to_precision, write_results
    from cadrelab.sim.scenario.files import load_scenario

    scenario = load_scenario(args.scenario)
    keys = [parse_key(k, scenario) for k in args.precision_metric or ()] or DEFAULT_PRECISION
    bar, progress = _progress_bar(scenario.name)
    with bar:
        if args.target_half_width:
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
    for path in write_results(results, json_path=args.json, csv_dir=args.csv):
        print(_wrote(path, lang))


def _sim_compare(args: argparse.Namespace) -> None:
    from cadrelab.sim.presentation import report
    from cadrelab.sim.results.replications import compare_scenarios, write_json
    from cadrelab.sim.scenario.files import load_scenario

    base = load_scenario(args.base)
    alternatives = [load_scenario(path) for path in args.alternatives]
    bar, progress = _progress_bar("compare")
    with bar:
        comparison = compare_scenarios(base, alternatives, args.replications, args.seed, progress)
    lang = args.lang or _default_lang()
    print(report.comparison_table(comparison, lang))
    if args.json:
        write_json(args.json, comparison.summary())
        print(_wrote(args.json, lang))


def _sim_sweep(args: argparse.Namespace) -> None:
    from cadrelab.i18n import t
    from cadrelab.sim.experiments.sweep import load_sweep, run_sweep, write_table

    spec = load_sweep(args.spec)
    out = args.out or Path("generated") / "sim" / f"{spec.name}.csv"
    table = run_sweep(spec, workers=args.workers, scheduler=args.scheduler, progress_bar=True)
    write_table(table, out)
    print(
        t(
            "sim.report.sweep_done",
            args.lang or _default_lang(),
            cases=len(spec.cases),
            replications=table.attrs["replications"],
            path=out,
        )
    )


def _sim_optimise(args: argparse.Namespace) -> None:
    from cadrelab.sim.experiments import optimise
    from cadrelab.sim.results.replications import write_json, write_text
    from cadrelab.sim.scenario.files import load_scenario, scenario_yaml

    scenario = load_scenario(args.scenario)
    target = optimise.parse_target(args.target, scenario)
    combine = optimise.parse_combinations(args.roles_may_combine or (), scenario)
    bar, progress = _progress_bar("optimise", unit="run")
    with bar:
        search = optimise.search(
            scenario,
            target,
            max_officers=args.max_officers,
            combine=combine,
            replications=args.replications,
            seed=args.seed,
            progress=progress,
        )
    lang = args.lang or _default_lang()
    print(optimise.report(search, lang))
    if args.json:
        write_json(args.json, search.summary())
        print(_wrote(args.json, lang))
    if args.scenario_out:
        write_text(args.scenario_out, scenario_yaml(search.best.scenario))
        print(_wrote(args.scenario_out, lang))


def _sim_calibrate(args: argparse.Namespace) -> None:
    from cadrelab.content import scenario_path
    from cadrelab.sim.experiments.calibrate import calibrate, report
    from cadrelab.sim.experiments.eventlog import read_column_map, read_log
    from cadrelab.sim.results.replications import write_text
    from cadrelab.sim.scenario.files import load_merged, scenario_yaml

    column_map = read_column_map(args.map) if args.map else None
    log = read_log(args.log, column_map)
    template = load_merged(args.template or scenario_path("baseline"))
    calibration = calibrate(log, template, source=args.log)
    write_text(args.out, scenario_yaml(calibration.scenario, calibration.notes))
    lang = args.lang or _default_lang()
    print(report(calibration, lang))
    print(_wrote(args.out, lang))


def _sim_log(args: argparse.Namespace) -> None:
    from cadrelab.sim.experiments.eventlog import log_table
    from cadrelab.sim.results.replications import run_scenario, write_csv
    from cadrelab.sim.scenario.files import load_scenario

    scenario = load_scenario(args.scenario)
    results = run_scenario(scenario, args.replication + 1, args.seed)
    write_csv(args.out, log_table(results, args.replication))
    print(_wrote(args.out, args.lang or _default_lang()))


def _sim_warmup(args: argparse.Namespace) -> None:
    from cadrelab.sim.experiments.warmup import propose_warmup, report
    from cadrelab.sim.presentation.charts import png
    from cadrelab.sim.results.replications import write_bytes
    from cadrelab.sim.scenario.files import load_scenario

    scenario = load_scenario(args.scenario)
    proposal = propose_warmup(scenario, args.replications)
    lang = args.lang or _default_lang()
    print(report(proposal, lang))
    if args.plot:
        write_bytes(args.plot, png(proposal.figure(lang)))
        print(_wrote(args.plot, lang))


def _sim_describe(args: argparse.Namespace) -> None:
    from cadrelab.sim.presentation.stress import stress_report
    from cadrelab.sim.results.replications import run_scenario, write_text
    from cadrelab.sim.scenario.files import load_scenario

    scenario = load_scenario(args.scenario)
    results = run_scenario(scenario, args.replications, keep_records=False) if args.stress else None
    text = stress_report(scenario, results, source=args.scenario)
    if args.out:
        write_text(args.out, text)
        print(_wrote(args.out, _default_lang()))
    else:
        print(text)


def _sim_dashboard(args: argparse.Namespace) -> int:
    from cadrelab.sim.dashboard import start_dashboard

    return start_dashboard(port=args.port, open_browser=not args.no_browser)


def _wrote(path: Path, lang: str) -> str:
    from cadrelab.i18n import t

    return t("sim.report.wrote", lang, path=path)


def _default_lang() -> str:
    from cadrelab.i18n import default_lang

    return default_lang()
