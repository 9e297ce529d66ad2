"""nbgrader's exchange collect, one submission at a time, never following a link.

nbgrader's own collect stops the whole class on one folder with a bad name, follows
a linked submission folder, copies with ``shutil.copytree`` straight into
``submitted/`` (a crash leaves half a submission, after deleting the previous one),
takes the newest folder per trainee by the time in its name (so a forged future time
locks the real one out) and only warns when a folder in a trainee's name belongs to
another Unix user.  This collect (set as ``ExchangeFactory.collect`` in the shared
config, so ``nbgrader collect`` and the formgrader use it too) vets every
``inbound/`` folder on its own and gives each refusal an intake outcome:

* the name must be ``<trainee>+<assignment>+<time>[+<random>]`` with a canonical
  trainee id on the roster and a time not in the future;
* when trainees are separate Unix users, the folder must belong to the trainee's
  user (or to the trainer's own account, which is trusted): ``owner_pattern``
  (``jupyter-{trainee}`` on The Littlest JupyterHub) names it; by default a user
  named ``{trainee}`` or ``jupyter-{trainee}``, when one exists.  Where trainees
  share one Unix user nothing on disk tells them apart: the threat model in
  docs/workshop.md says so;
* the folder is read as regular files only (:mod:`submission_folders`) into a
  staging folder that replaces ``submitted/<trainee>/<assignment>/`` in one rename.

A refused newest folder does not hide an older good one: the newest acceptable
folder that is newer than what ``submitted/`` holds is collected.
"""

from __future__ import annotations

import datetime as dt
import os
import pwd
from dataclasses import dataclass
from pathlib import Path

from nbgrader.exchange.default.collect import ExchangeCollect
from nbgrader.utils import parse_utc
from traitlets import Unicode

from cadrelab.data.seeds import normalise_trainee_id
from cadrelab.errors import InputError
from cadrelab.grading import intake
from cadrelab.grading.escaping import visible
from cadrelab.grading.intake import Current, Outcome, Refused
from cadrelab.grading.roster import load_roster
from cadrelab.grading.submission_folders import Limits, copy_folder, ignored
from cadrelab.grading.workshop import Workshop

CLOCK_SKEW = dt.timedelta(minutes=5)
TRIES_PER_TRAINEE = 5
REFUSALS_KEPT = 500


@dataclass(frozen=True)
class Inbound:
    """One ``inbound/`` folder that passed the checks needing no copy."""

    path: Path
    trainee: str
    stamp: str
    time: dt.datetime
    owners: frozenset[int] | None


def folder_time(text: str) -> dt.datetime:
    """A submission time as nbgrader writes it, in UTC; ValueError when it is not one."""
    try:
        moment = parse_utc(text)
    except Exception:  # dateutil raises several kinds on text that is no time
        raise ValueError(text) from None
    if not isinstance(moment, dt.datetime):
        raise ValueError(text)
    return moment.replace(tzinfo=dt.UTC)


def trainer_uid() -> int:
    """The account collect runs as: folders it owns were made by the trainer, not a trainee."""
    return os.geteuid()


def current_submission(workshop: Workshop, trainee: str, assignment: str) -> Current | None:
    """What ``submitted/`` holds for the trainee: from collect's book, else its timestamp.txt."""
    known = intake.Collected(workshop).get(trainee, assignment)
    if known is not None:
        return known
    stamp = workshop.submitted_dir / trainee / assignment / "timestamp.txt"
    try:
        moment = folder_time(stamp.read_text(encoding="utf-8").strip())
    except (OSError, ValueError):
        return None
    return Current(moment.isoformat(), moment.isoformat())


class LinkSafeCollect(ExchangeCollect):
    owner_pattern = Unicode(
        "",
        help="Unix user owning each trainee's submissions, e.g. 'jupyter-{trainee}' "
        "(default: a user named {trainee} or jupyter-{trainee}, when one exists)",
    ).tag(config=True)

    def init_src(self) -> None:
        if not self.coursedir.course_id:
            self.fail("No course id specified. Re-run with --course flag.")
        self.inbound_path = os.path.join(self.root, self.coursedir.course_id, "inbound")
        if not os.path.isdir(self.inbound_path):
            self.fail(f"Course not found: {self.inbound_path}")
        self.workshop = Workshop.open(self.coursedir.root)
        self.assignment = self.coursedir.assignment_id
        self.run_time = intake.now()
        self.outcomes: list[Outcome] = []
        self.candidates: dict[str, list[Inbound]] = {}
        roster = {trainee.id for trainee in load_roster(self.workshop)}
        refused: list[Outcome] = []
        for name in sorted(os.listdir(self.inbound_path)):
            parts = name.split("+")
            if len(parts) not in (3, 4) or parts[1] != self.assignment:
                continue
            path = Path(self.inbound_path) / name
            try:
                found = self._vet(path, parts, roster)
            except Refused as exc:
                refused.append(self._outcome(path.name, exc.code, exc))
                continue
            self.candidates.setdefault(found.trainee, []).append(found)
        self.outcomes += refused[:REFUSALS_KEPT]  # a flood of forged folders stays a list

    def _vet(self, path: Path, parts: list[str], roster: set[str]) -> Inbound:
        claimed = parts[0]
        try:
            trainee = normalise_trainee_id(claimed)
        except InputError:
            trainee = ""
        if trainee != claimed:
            raise _claiming(Refused("bad_name", path.name), claimed)
        try:
            moment = folder_time(parts[2])
        except ValueError:
            raise _claiming(Refused("bad_name", path.name), claimed) from None
        if moment > self.run_time + CLOCK_SKEW:
            raise _claiming(Refused("future_time", parts[2]), claimed)
        if roster and trainee not in roster:
            raise _claiming(Refused("not_on_roster", trainee), claimed)
        if path.is_symlink():
            raise _claiming(Refused("submission_link", path.name), claimed)
        return Inbound(path, trainee, parts[2], moment, self._owners(trainee))

    def _owners(self, trainee: str) -> frozenset[int] | None:
        """The uids allowed to own the trainee's folders; None where nothing can be checked."""
        if not self.check_owner:
            return None
        pattern = self.owner_pattern
        names = [pattern.replace("{trainee}", trainee)] if pattern else [trainee]
        if not pattern:
            names.append(f"jupyter-{trainee}")
        uids = set()
        for name in names:
            try:
                uids.add(pwd.getpwnam(name).pw_uid)
            except KeyError:
                continue
        if pattern or uids:
            return frozenset({*uids, trainer_uid()})  # the trainer's own account is trusted
        return None

    def init_dest(self) -> None:
        pass

    def copy_files(self) -> None:
        limits = Limits(
            max_file_bytes=1000 * self.coursedir.max_file_size,
            max_total_bytes=1000 * self.coursedir.max_dir_size,
        )
        skip = ignored(tuple(self.coursedir.ignore))
        with intake.locked(self.workshop):
            for trainee, folders in sorted(self.candidates.items()):
                self._collect_one(trainee, folders, limits, skip)
            intake.save_outcomes(self.workshop, intake.EXCHANGE, self.assignment, self.outcomes)

    def _collect_one(self, trainee: str, folders: list[Inbound], limits: Limits, skip) -> None:
        """The newest acceptable folder newer than what ``submitted/`` holds, if any."""
        current = current_submission(self.workshop, trainee, self.assignment)
        held = dt.datetime.fromisoformat(current.time) if current else None
        newest = sorted(folders, key=lambda f: f.time, reverse=True)[:TRIES_PER_TRAINEE]
        for folder in newest:
            if held is not None and folder.time <= held:
                code = intake.UNCHANGED if folder.time == held else intake.OLDER
                self.outcomes.append(self._outcome(folder.path.name, code, trainee=trainee))
                return
            try:
                with intake.replacing_submission(
                    self.workshop, trainee, self.assignment
                ) as staging:
                    copy_folder(folder.path, staging, limits, skip, owners=folder.owners)
                    (staging / "timestamp.txt").write_text(folder.stamp, encoding="utf-8")
            except Refused as exc:
                proven = folder.owners is not None and exc.code != "wrong_owner"
                self.outcomes.append(
                    self._outcome(folder.path.name, exc.code, exc, trainee, proven)
                )
                continue
            moment = folder.time.isoformat()
            intake.Collected(self.workshop).put(
                trainee, self.assignment, Current(moment, moment, route=intake.EXCHANGE)
            )
            proven = folder.owners is not None
            self.outcomes.append(
                self._outcome(folder.path.name, intake.COLLECTED, trainee=trainee, proven=proven)
            )
            return

    def _outcome(
        self,
        source: str,
        code: str,
        refusal: Refused | None = None,
        trainee: str = "",
        proven: bool = False,
    ) -> Outcome:
        return Outcome(
            route=intake.EXCHANGE,
            origin=self.inbound_path,
            source=visible(source),
            code=code,
            trainee=visible(refusal.trainee if refusal and refusal.trainee else trainee),
            assignment=self.assignment,
            proven=proven or bool(refusal and refusal.proven),
            detail=refusal.detail if refusal else "",
            time=self.run_time.isoformat(),
        )


def _claiming(refusal: Refused, claimed: str) -> Refused:
    refusal.trainee = claimed
    return refusal
