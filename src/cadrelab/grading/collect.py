"""``workshop collect``: bring submissions into ``submitted/<trainee>/<assignment>/``.

Two roads in, each submission handled on its own: whatever one zip or folder
holds, it gets an outcome (collected, older, unchanged, or refused by an intake
defence with a message in both languages) and collect goes on for everyone else.

* The nbgrader exchange (a hub, or one laptop): :class:`~cadrelab.grading.exchange.
  LinkSafeCollect`, run in process so that Ctrl-C stops it at once.
* Zips packed by trainees (:func:`~cadrelab.grading.submission_zips.pack_submission`,
  the ``workshop pack`` command) in a folder the trainer filled from a USB stick or
  a chat.  Each zip is first checked without unpacking (its signed manifest must
  hold, :mod:`~cadrelab.grading.submission_codes`) and its content entered in the
  receipt book; then, per trainee and assignment, the newest content — by the time
  collect first saw it, the trainee's own clock only breaking ties within one run —
  is unpacked if it is newer than what ``submitted/`` holds.

Everything runs under the intake lock, which also removes what a killed collect
left behind; every submission folder is written to a staging folder and renamed
into place, so an interrupted collect leaves the previous submission untouched.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from nbgrader.exchange.abc import ExchangeError
from nbgrader.utils import temp_attrs

from cadrelab.errors import InputError
from cadrelab.grading import intake
from cadrelab.grading.escaping import visible
from cadrelab.grading.exchange import LinkSafeCollect, current_submission
from cadrelab.grading.intake import Current, Outcome, Refused
from cadrelab.grading.roster import load_roster
from cadrelab.grading.submission_zips import Candidate, check_zip, unpack_zip
from cadrelab.grading.workshop import Workshop


def released_assignments(workshop: Workshop) -> list[str]:
    if not workshop.release_dir.is_dir():
        return []
    return sorted(p.name for p in workshop.release_dir.iterdir() if p.is_dir())


def collect(
    workshop: Workshop, zips: Path | None = None, owner_pattern: str | None = None
) -> list[Outcome]:
    """Collect from the exchange and, with ``zips``, from that folder of zips."""
    if owner_pattern is not None and "{trainee}" not in owner_pattern:
        raise InputError("must contain {trainee}, e.g. jupyter-{trainee}", field="owner-pattern")
    with intake.locked(workshop):
        outcomes = collect_exchange(workshop, released_assignments(workshop), owner_pattern)
        if zips is not None:
            outcomes += collect_zips(workshop, zips)
    return outcomes


def collect_exchange(
    workshop: Workshop, assignments: list[str], owner_pattern: str | None = None
) -> list[Outcome]:
    """Every released assignment's inbound folders; nothing when the exchange has none."""
    inbound = workshop.exchange_root / workshop.course_id / "inbound"
    if not inbound.is_dir():
        return []
    api = workshop.api()
    outcomes: list[Outcome] = []
    with intake.locked(workshop):
        for assignment in assignments:
            with temp_attrs(api.coursedir, assignment_id=assignment):
                collector = LinkSafeCollect(
                    coursedir=api.coursedir, authenticator=api.authenticator, parent=api
                )
                collector.update = True
                if owner_pattern is not None:
                    collector.owner_pattern = owner_pattern
                try:
                    collector.start()
                except ExchangeError as exc:
                    raise InputError(
                        f"nbgrader could not collect: {exc}", file=inbound, field=assignment
                    ) from None
                outcomes += collector.outcomes
    return outcomes


def _zip_paths(folder: Path) -> list[Path]:
    """Entries named ``*.zip`` (any case), whatever they are: links and folders get refused."""
    return sorted(p for p in folder.iterdir() if p.name.lower().endswith(".zip"))


def collect_zips(workshop: Workshop, folder: Path) -> list[Outcome]:
    """Every zip in ``folder``, one at a time; returns one outcome per zip."""
    if not folder.is_dir():
        raise InputError("folder of zip files not found", file=folder)
    secret = workshop.secret()
    checks = (secret, set(workshop.assignments()), {t.id for t in load_roster(workshop)})
    book = _ZipBook(str(folder.resolve()), intake.now())
    groups: dict[tuple[str, str], list[tuple[str, Candidate]]] = {}
    with intake.locked(workshop):
        receipts = intake.Receipts(workshop)
        for path in _zip_paths(folder):
            try:
                candidate = check_zip(path, *checks)
            except Refused as exc:
                book.add(path, exc.code, exc.trainee, exc.assignment, exc.proven, exc.detail)
                continue
            seen = receipts.receive(
                candidate.key, candidate.trainee, candidate.assignment, book.run_time
            )
            key = (candidate.trainee, candidate.assignment)
            groups.setdefault(key, []).append((seen, candidate))
        for (trainee, assignment), group in sorted(groups.items()):
            current = current_submission(workshop, trainee, assignment)
            placed = False
            for seen, candidate in sorted(group, key=lambda item: _order(*item), reverse=True):
                order = _order(seen, candidate)
                if placed or (current is not None and order <= _held(current)):
                    same = current is not None and current.key == candidate.key
                    code = intake.UNCHANGED if same else intake.OLDER
                    book.add(candidate.path, code, trainee, assignment)
                    continue
                try:
                    _place(workshop, candidate, seen, checks)
                except Refused as exc:
                    book.add(candidate.path, exc.code, trainee, assignment, detail=exc.detail)
                    continue
                current_now = Current(seen, "|".join(order), candidate.key, intake.ZIP)
                intake.Collected(workshop).put(trainee, assignment, current_now)
                book.add(candidate.path, intake.COLLECTED, trainee, assignment)
                placed = True
        intake.save_outcomes(workshop, intake.ZIP, book.origin, book.outcomes)
    return book.outcomes


class _ZipBook:
    """The outcomes of one zip run (every signed zip's trainee is proven)."""

    def __init__(self, origin: str, run_time: dt.datetime) -> None:
        self.origin, self.run_time = origin, run_time
        self.outcomes: list[Outcome] = []

    def add(
        self,
        path: Path,
        code: str,
        trainee: str,
        assignment: str,
        proven: bool = True,
        detail: str = "",
    ) -> None:
        self.outcomes.append(
            Outcome(
                intake.ZIP,
                self.origin,
                visible(path.name),
                code,
                visible(trainee),
                assignment,
                proven,
                detail,
                self.run_time.isoformat(),
            )
        )


def _order(seen: str, candidate: Candidate) -> tuple[str, str, str]:
    """Newer content sorts higher: when collect first saw it, then the trainee's own clock."""
    return (_utc(seen), candidate.packed_at, candidate.key)


def _held(current: Current) -> tuple[str, ...]:
    if current.order and current.order.count("|") == 2:
        return tuple(current.order.split("|"))
    return (_utc(current.time), "", "")


def _utc(stamp: str) -> str:
    """A stored time in one comparable form (UTC, microseconds)."""
    try:
        moment = dt.datetime.fromisoformat(stamp)
    except ValueError:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")


def _place(workshop: Workshop, candidate: Candidate, seen: str, checks: tuple) -> None:
    """Unpack into a staging folder that replaces the trainee's submission in one rename."""
    with intake.replacing_submission(workshop, candidate.trainee, candidate.assignment) as staging:
        unpack_zip(candidate, *checks, staging)
        (staging / "timestamp.txt").write_text(seen, encoding="utf-8")
