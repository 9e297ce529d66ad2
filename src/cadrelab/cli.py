"""The ``cadrelab`` command: parse, call the library, print.

Bad input (an :class:`~cadrelab.errors.InputError`) prints one line and exits 2.
"""

from __future__ import annotations

import argparse
import os
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


# --- sim -----------------------------------------------------------------------


def _fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError("must be between 0 and 1")
    return value


def _add_sim_commands(commands: argparse._SubParsersAction) -> None:
    sim = commands.add_parser("sim", help="staffing simulation of a commune service centre")
    sub = sim.add_subparsers(dest="sim_command", required=True)
    lang = {
        "choices": ["vi", "en"],
        "default": None,
        "help": "language of the printed table (default: CADRELAB_LANG or vi)",
    }

    run = sub.add_parser("run", help="run a scenario and print waits, utilisation, on-time rates")
    run.add_argument("scenario", type=Path)
    run.add_argument("--replications", type=_positive_int)
    run.add_argument("--seed", type=_non_negative_int)
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
    run.add_argument("--max-replications", type=_positive_int, default=200)
    run.set_defaults(handler=_sim_run)

    compare = sub.add_parser("compare", help="paired differences of alternatives against a base")
    compare.add_argument("base", type=Path)
    compare.add_argument("alternatives", type=Path, nargs="+")
    compare.add_argument("--replications", type=_positive_int)
    compare.add_argument("--seed", type=_non_negative_int)
    compare.add_argument("--json", type=Path, help="write the comparison as JSON here")
    compare.add_argument("--lang", **lang)
    compare.set_defaults(handler=_sim_compare)

    sweep = sub.add_parser("sweep", help="run many cases (e.g. every commune) into one table")
    sweep.add_argument("spec", type=Path)
    sweep.add_argument("--workers", type=_positive_int, help="local worker processes")
    sweep.add_argument("--scheduler", help="address of a Dask scheduler, e.g. tcp://host:8786")
    sweep.add_argument("--out", type=Path, help="CSV file for the tidy results table")
    sweep.add_argument("--lang", **lang)
    sweep.set_defaults(handler=_sim_sweep)

    dashboard = sub.add_parser(
        "dashboard", help="serve the planners' dashboard with Voila on 127.0.0.1 (with a token)"
    )
    dashboard.add_argument("--port", type=_positive_int, default=8866)
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


# --- workshop --------------------------------------------------------------------


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected seconds, got {text!r}") from None
    if not 0 < value <= 3600:
        raise argparse.ArgumentTypeError("must be more than 0 and at most 3600")
    return value


def _add_workshop_commands(commands: argparse._SubParsersAction) -> None:
    workshop = commands.add_parser("workshop", help="run a graded workshop on nbgrader")
    sub = workshop.add_subparsers(dest="workshop_command", required=True)
    folder = argparse.ArgumentParser(add_help=False)
    folder.add_argument(
        "--dir", type=Path, default=Path("."), help="workshop folder (default: the current folder)"
    )

    init = sub.add_parser("init", help="create or refresh a workshop folder from courses/")
    init.add_argument("folder", type=Path, metavar="DIR")
    init.add_argument("--course-id", help="nbgrader course id (default: cadrelab)")
    init.add_argument("--courses", type=Path, help="courses folder (default: the repository's)")
    init.add_argument(
        "--exchange",
        type=Path,
        help="existing nbgrader exchange folder, e.g. /srv/nbgrader/exchange",
    )
    init.set_defaults(handler=_workshop_init)

    roster = sub.add_parser("roster", help="trainees of the workshop")
    roster_sub = roster.add_subparsers(dest="roster_command", required=True)
    load = roster_sub.add_parser("import", parents=[folder], help="add trainees from a CSV file")
    load.add_argument("csv", type=Path, metavar="CSV")
    load.set_defaults(handler=_workshop_roster_import)

    release = sub.add_parser("release", parents=[folder], help="generate and release assignments")
    which = release.add_mutually_exclusive_group(required=True)
    which.add_argument("assignment", nargs="?", metavar="ASSIGNMENT")
    which.add_argument("--all", action="store_true", help="every assignment in source/")
    release.set_defaults(handler=_workshop_release)

    collect = sub.add_parser(
        "collect", parents=[folder], help="collect submissions from the exchange and from zip files"
    )
    collect.add_argument(
        "--zips",
        type=Path,
        metavar="FOLDER",
        help="also take the zip files trainees exported into FOLDER",
    )
    collect.set_defaults(handler=_workshop_collect)

    autograde = sub.add_parser(
        "autograde", parents=[folder], help="grade every submission in parallel, each in a sandbox"
    )
    autograde.add_argument("assignment", metavar="ASSIGNMENT")
    autograde.add_argument("--jobs", type=_positive_int, help="parallel workers (default: cores)")
    autograde.add_argument(
        "--timeout", type=_seconds, default=30.0, help="seconds each cell may run (default: 30)"
    )
    autograde.add_argument("--force", action="store_true", help="grade again what is done")
    autograde.add_argument(
        "--unsafe",
        action="store_true",
        help="run without the sandbox when bubblewrap is missing (dangerous)",
    )
    autograde.set_defaults(handler=_workshop_autograde)

    feedback = sub.add_parser("feedback", parents=[folder], help="Vietnamese feedback pages")
    feedback.add_argument("assignment", metavar="ASSIGNMENT")
    feedback.set_defaults(handler=_workshop_feedback)

    report = sub.add_parser("report", parents=[folder], help="class report with a skill heatmap")
    report.add_argument(
        "--html",
        type=Path,
        metavar="OUT",
        help="HTML file to write (default: DIR/reports/report.html)",
    )
    report.set_defaults(handler=_workshop_report)

    export = sub.add_parser(
        "export", parents=[folder], help="scores as CSV (one row per trainee and assignment)"
    )
    export.add_argument("csv", type=Path, metavar="CSV")
    export.set_defaults(handler=_workshop_export)

    pack = sub.add_parser("pack", help="(trainees) zip an assignment folder for the trainer")
    pack.add_argument("folder", type=Path, metavar="FOLDER")
    pack.add_argument("--trainee", help="trainee id (default: this trainee's profile)")
    pack.add_argument("--assignment", help="assignment id (default: the folder's name)")
    pack.add_argument("--out", type=Path, help="zip file (default: <assignment>-<trainee>.zip)")
    pack.set_defaults(handler=_workshop_pack)


def _workshop_init(args: argparse.Namespace) -> None:
    from cadrelab.grading.setup import DEFAULT_COURSES, init_workshop
    from cadrelab.i18n import t

    workshop, changes = init_workshop(
        args.folder, args.course_id, args.courses or DEFAULT_COURSES, args.exchange
    )
    for assignment, change in changes.items():
        print(f"{assignment:40} {t(f'grading.cli.lesson_{change}')}")
    print(
        t(
            "grading.cli.init_done",
            folder=workshop.root,
            course=workshop.course_id,
            lessons=len(changes),
        )
    )


def _workshop_roster_import(args: argparse.Namespace) -> None:
    from cadrelab.grading.roster import import_roster
    from cadrelab.grading.workshop import Workshop
    from cadrelab.i18n import t

    trainees = import_roster(Workshop.open(args.dir), args.csv)
    print(t("grading.cli.roster_done", count=len(trainees)))


def _workshop_release(args: argparse.Namespace) -> None:
    from cadrelab.grading.release import release
    from cadrelab.grading.workshop import Workshop
    from cadrelab.i18n import t

    workshop = Workshop.open(args.dir)
    assignments = workshop.assignments() if args.all else [args.assignment]
    for done in release(workshop, assignments):
        print(t("grading.cli.released", assignment=done.assignment, notebooks=done.notebooks))


def _workshop_collect(args: argparse.Namespace) -> int:
    from cadrelab.grading.collect import collect_exchange, collect_zips
    from cadrelab.grading.workshop import Workshop
    from cadrelab.i18n import t

    workshop = Workshop.open(args.dir)
    released = sorted(p.name for p in workshop.release_dir.glob("*") if p.is_dir())
    for assignment, count in collect_exchange(workshop, released).items():
        print(t("grading.cli.collected_exchange", assignment=assignment, count=count))
    if args.zips is None:
        return 0
    report = collect_zips(workshop, args.zips)
    for trainee, assignment, name in report.from_zips:
        print(t("grading.cli.collected_zip", trainee=trainee, assignment=assignment, zip=name))
    for name in report.older:
        print(t("grading.cli.zip_older", zip=name))
    for problem in report.rejected:
        print(f"cadrelab: error: {problem.message}", file=sys.stderr)
    return 2 if report.rejected else 0


def _workshop_autograde(args: argparse.Namespace) -> int:
    from cadrelab.grading.autograde import autograde
    from cadrelab.grading.workshop import Workshop
    from cadrelab.i18n import t

    summary = autograde(
        Workshop.open(args.dir),
        args.assignment,
        jobs=args.jobs,
        timeout=args.timeout,
        unsafe=args.unsafe,
        force=args.force,
    )
    for status, count in sorted(summary.statuses.items()):
        print(f"{t(f'grading.status.{status}'):28} {count:>5}")
    print(
        t(
            "grading.cli.autograded",
            graded=summary.graded,
            skipped=summary.skipped,
            seconds=summary.seconds,
        )
    )
    for error in summary.errors:
        print(f"cadrelab: grader error: {error}", file=sys.stderr)
    return 1 if summary.errors else 0


def _workshop_feedback(args: argparse.Namespace) -> None:
    from cadrelab.grading.feedback import generate_feedback
    from cadrelab.grading.workshop import Workshop
    from cadrelab.i18n import t

    pages = generate_feedback(Workshop.open(args.dir), args.assignment)
    print(t("grading.cli.feedback_done", count=len(pages)))


def _workshop_report(args: argparse.Namespace) -> None:
    from cadrelab.grading.report import write_report
    from cadrelab.grading.workshop import Workshop
    from cadrelab.i18n import t

    report, html, png = write_report(Workshop.open(args.dir), args.html)
    print(report.progress.to_string(index=False))
    print(t("grading.cli.report_done", html=html, png=png, attention=len(report.attention)))


def _workshop_export(args: argparse.Namespace) -> None:
    from cadrelab.grading.export import export_csv
    from cadrelab.grading.workshop import Workshop
    from cadrelab.i18n import t

    rows = export_csv(Workshop.open(args.dir), args.csv)
    print(t("grading.cli.exported", rows=rows, csv=args.csv))


def _workshop_pack(args: argparse.Namespace) -> None:
    from cadrelab.data.seeds import trainee_id
    from cadrelab.grading.collect import pack_submission
    from cadrelab.i18n import t

    trainee = args.trainee or trainee_id()
    assignment = args.assignment or args.folder.resolve().name
    out = args.out or Path(f"{assignment}-{trainee}.zip")
    print(t("grading.cli.packed", zip=pack_submission(args.folder, assignment, trainee, out)))


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
    _add_sim_commands(commands)
    _add_workshop_commands(commands)
    _add_lab_command(commands)
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
