"""`cadrelab workshop`: a graded workshop on nbgrader."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from cadrelab.cli.common import positive_int


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected seconds, got {text!r}") from None
    if not 0 < value <= 3600:
        raise argparse.ArgumentTypeError("must be more than 0 and at most 3600")
    return value


def _memory(text: str) -> str:
    if not re.fullmatch(r"[1-9][0-9]*[KMGT]", text):
        raise argparse.ArgumentTypeError(f"expected a size such as 512M or 2G, got {text!r}")
    return text


def _cores(text: str) -> float:
    if not re.fullmatch(r"[0-9]+(\.[0-9]+)?", text) or not 0 < float(text) <= 64:
        raise argparse.ArgumentTypeError(f"expected cores, more than 0 and at most 64: {text!r}")
    return float(text)


def add_commands(commands: argparse._SubParsersAction) -> None:
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
    sheet = roster_sub.add_parser(
        "sheet", parents=[folder], help="printable slips with each trainee's submission code"
    )
    sheet.add_argument("--out", type=Path, required=True, help="FILE.html (to print) or FILE.csv")
    sheet.set_defaults(handler=_workshop_roster_sheet)

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
    collect.add_argument(
        "--owner-pattern",
        metavar="PATTERN",
        help="Unix user owning each trainee's exchange submissions, e.g. 'jupyter-{trainee}' "
        "(default: a user named like the trainee, or jupyter-<trainee>, when one exists)",
    )
    collect.set_defaults(handler=_workshop_collect)

    autograde = sub.add_parser(
        "autograde", parents=[folder], help="grade every submission in parallel, each in a sandbox"
    )
    autograde.add_argument("assignment", metavar="ASSIGNMENT")
    autograde.add_argument("--jobs", type=positive_int, help="parallel workers (default: cores)")
    autograde.add_argument(
        "--timeout", type=_seconds, default=30.0, help="seconds each cell may run (default: 30)"
    )
    autograde.add_argument(
        "--submission-timeout",
        type=_seconds,
        default=300.0,
        help="seconds a whole submission may run, tests included (default: 300)",
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

    handout = sub.add_parser(
        "handout", parents=[folder], help="one zip per trainee: the exercise and their own cases"
    )
    handout.add_argument("assignment")
    handout.add_argument("--out", type=Path, required=True, help="folder for the zips")
    handout.set_defaults(handler=_workshop_handout)

    hub = sub.add_parser(
        "hub-config",
        parents=[folder],
        help="write a JupyterHub configuration (one server, or --kubernetes) for the workshop",
    )
    hub.add_argument("out", type=Path, metavar="OUT", help="the hub's folder (not in DIR)")
    hub.add_argument("--ip", default="0.0.0.0", help="address trainees reach (default: all)")
    hub.add_argument("--port", type=positive_int, default=8000)
    hub.add_argument("--hub-port", type=positive_int, default=8081)
    hub.add_argument("--proxy-api-port", type=positive_int, default=8001)
    hub.add_argument("--login", choices=["password", "code"], default="password")
    hub.add_argument("--memory", type=_memory, default="1G", help="per trainee (default: 1G)")
    hub.add_argument("--cpu", type=_cores, default=1.0, help="cores per trainee (default: 1)")
    hub.add_argument("--idle-minutes", type=positive_int, default=60)
    hub.add_argument("--kubernetes", action="store_true", help="Zero to JupyterHub values")
    hub.add_argument("--image", help="(--kubernetes) trainees' image with cadrelab, NAME:TAG")
    hub.add_argument("--hub-image", help="(--kubernetes) hub image with cadrelab[hub], NAME:TAG")
    hub.set_defaults(handler=_workshop_hub_config)

    pack = sub.add_parser("pack", help="(trainees) zip an assignment folder for the trainer")
    pack.add_argument("folder", type=Path, metavar="FOLDER")
    pack.add_argument("--trainee", help="trainee id (default: this trainee's profile)")
    pack.add_argument(
        "--code", required=True, help="the submission code on the slip from the trainer"
    )
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
        print(t("grading.cli.cases_written", trainees=done.trainees_with_cases))


def _workshop_handout(args: argparse.Namespace) -> None:
    from cadrelab.grading.case_handout import write_handout
    from cadrelab.grading.workshop import Workshop
    from cadrelab.i18n import t

    written = write_handout(Workshop.open(args.dir), args.assignment, args.out)
    print(t("grading.cli.handout_done", count=len(written), folder=args.out))


def _workshop_roster_sheet(args: argparse.Namespace) -> None:
    from cadrelab.grading.roster_sheet import write_roster_sheet
    from cadrelab.grading.workshop import Workshop
    from cadrelab.i18n import t

    count = write_roster_sheet(Workshop.open(args.dir), args.out)
    print(t("grading.cli.sheet_done", count=count, file=args.out))


def _workshop_collect(args: argparse.Namespace) -> int:
    from cadrelab.grading.collect import collect
    from cadrelab.grading.workshop import Workshop
    from cadrelab.i18n import t

    outcomes = collect(Workshop.open(args.dir), args.zips, args.owner_pattern)
    refused = [outcome for outcome in outcomes if outcome.refused]
    for outcome in outcomes:
        if not outcome.refused:
            print(t(f"grading.cli.collect_{outcome.code}", **vars(outcome)))
    for outcome in refused:
        problem = outcome.problem()
        print(f"cadrelab: error: {problem.message} / lỗi: {problem.message_vi}", file=sys.stderr)
    print(t("grading.cli.collect_done", count=len(outcomes) - len(refused), refused=len(refused)))
    return 2 if refused else 0


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
        submission_timeout=args.submission_timeout,
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


def _workshop_feedback(args: argparse.Namespace) -> int:
    from cadrelab.grading.feedback import generate_feedback
    from cadrelab.grading.workshop import Workshop
    from cadrelab.i18n import t

    run = generate_feedback(Workshop.open(args.dir), args.assignment)
    print(t("grading.cli.feedback_done", count=len(run.pages)))
    for problem in run.problems:
        print(
            f"cadrelab: error: {problem.student}: {t('grading.cli.feedback_problem', 'en')} "
            f"({problem.detail}) / lỗi: {t('grading.cli.feedback_problem', 'vi')}",
            file=sys.stderr,
        )
    return 2 if run.problems else 0


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
    from cadrelab.grading.submission_zips import pack_submission
    from cadrelab.i18n import t

    trainee = args.trainee or trainee_id()
    assignment = args.assignment or args.folder.resolve().name
    out = args.out or Path(f"{assignment}-{trainee}.zip")
    packed = pack_submission(args.folder, assignment, trainee, args.code, out)
    print(t("grading.cli.packed", zip=packed))


def _workshop_hub_config(args: argparse.Namespace) -> None:
    from cadrelab.errors import InputError
    from cadrelab.hub.config import HubOptions, write_hub_config
    from cadrelab.hub.kubernetes import write_values
    from cadrelab.i18n import t

    options = HubOptions(
        ip=args.ip,
        port=args.port,
        hub_port=args.hub_port,
        proxy_api_port=args.proxy_api_port,
        login=args.login,
        memory=args.memory,
        cpu=args.cpu,
        idle_minutes=args.idle_minutes,
    )
    if args.kubernetes:
        if not (args.image and args.hub_image):
            raise InputError("--kubernetes needs --image and --hub-image", field="--image")
        values, command = write_values(args.dir, args.out, options, args.image, args.hub_image)
        print(t("hub.values_written", values=values, command=command))
        return
    config, code = write_hub_config(args.dir, args.out, options)
    print(t("hub.config_written", config=config, folder=config.parent))
    print(t("hub.code_line", code=code) if args.login == "code" else t("hub.password_line"))
