"""What happens to a submission on its way in: the intake defences, and what collect remembers.

Every way a zip or an exchange folder can be refused is one defence in
:data:`DEFENCES`, registered with the grader's own in :mod:`cadrelab.grading.defences`
(its code, whether it marks tampering, what the trainee and the trainer see, its
label's message key, its fixtures in ``graders/fixtures/hostile_intake.py``); the
message passed on to the trainee is ``grading.intake.<code>``.
A refusal is raised as :class:`Refused` by the code that finds it and becomes one
:class:`Outcome`, kept in the workshop's state with the outcomes of the other
submissions, so ``collect`` goes on for everyone else and the class report lists it.

State, in ``.cadrelab/intake/`` (never copied to trainees):

* ``outcomes.json``: the latest outcome of every zip and exchange folder;
* ``receipts.jsonl``: when ``collect`` first saw each signed zip content (append-only);
  that moment, not any time inside the zip, is the submission's time;
* ``collected.json``: which content is in ``submitted/`` for each trainee and assignment,
  so a replayed older zip never replaces a newer one;
* ``lock``: one ``collect`` at a time; taking it removes what a killed run left behind.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from cadrelab import atomic
from cadrelab.errors import InputError
from cadrelab.grading.defences import Defence, register
from cadrelab.grading.escaping import visible
from cadrelab.grading.workshop import Workshop
from cadrelab.i18n import Lang, t

# What a refused trainee and the trainer see, for every intake defence.
NOTHING_COLLECTED = "nothing collected; the trainer passes on the message; the trainee packs again"
LISTED = "collect's error line and the report's refused-submissions table, with the message"


def _defence(code: str, tampering: bool, *fixtures: str) -> Defence:
    """An intake defence: no grading status (nothing is graded), its label as message key;
    the message passed on to the trainee is ``grading.intake.<code>``."""
    return Defence(
        code, tampering, None, NOTHING_COLLECTED, LISTED, f"grading.label.{code}", fixtures
    )


DEFENCES: dict[str, Defence] = {
    d.code: d
    for d in (
        _defence(
            "submission_link",
            True,
            "zip_symlink_member",
            "zip_file_is_link",
            "inbound_folder_link",
            "inbound_notebook_link",
        ),
        _defence(
            "submission_special_file", True, "zip_device_member", "zip_file_is_fifo", "inbound_fifo"
        ),
        _defence(
            "folder_as_file",
            True,
            "zip_notebook_folder",
            "zip_file_is_folder",
            "inbound_notebook_folder",
        ),
        _defence(
            "unsafe_path",
            True,
            "zip_absolute_path",
            "zip_parent_path",
            "zip_backslash_path",
            "zip_control_name",
        ),
        _defence("submission_unreadable", False, "inbound_unreadable"),
        _defence(
            "submission_too_large",
            False,
            "zip_file_too_large",
            "zip_member_too_large",
            "inbound_too_large",
        ),
        _defence(
            "submission_too_many_files", False, "zip_too_many_members", "inbound_too_many_files"
        ),
        _defence("zip_unreadable", False, "zip_truncated", "zip_not_a_zip", "zip_corrupted"),
        _defence("zip_encrypted", False, "zip_encrypted"),
        _defence("zip_unsupported_method", False, "zip_deflate64", "zip_bzip2"),
        _defence("zip_bomb", True, "zip_bomb"),
        _defence("duplicate_name", True, "zip_duplicate_name", "zip_case_duplicate"),
        _defence("file_and_folder", True, "zip_file_and_folder"),
        _defence("manifest_missing", False, "zip_without_manifest"),
        _defence("manifest_invalid", False, "zip_manifest_not_json", "zip_manifest_extra_field"),
        _defence("unsigned", False, "zip_unsigned", "zip_old_format"),
        _defence("bad_signature", True, "zip_other_trainees_name", "zip_wrong_code"),
        _defence("files_mismatch", True, "zip_file_changed_after_signing", "zip_unlisted_file"),
        _defence("unknown_assignment", False, "zip_unknown_assignment"),
        _defence("not_on_roster", False, "zip_not_on_roster", "inbound_not_on_roster"),
        _defence("wrong_owner", True, "inbound_other_owner"),
        _defence("bad_name", True, "inbound_bad_name"),
        _defence("future_time", True, "inbound_future_time"),
    )
}
register(*DEFENCES.values())
# Outcomes that are not refusals.
COLLECTED, OLDER, UNCHANGED = "collected", "older", "unchanged"
ZIP, EXCHANGE = "zip", "exchange"


class Refused(Exception):
    """A submission refused by the defence ``code``; ``detail`` names the entry (shown escaped)."""

    def __init__(self, code: str, detail: str = "") -> None:
        if code not in DEFENCES:
            raise ValueError(f"unknown intake defence {code!r}")
        self.code = code
        self.detail = visible(detail)
        self.trainee = ""  # who the submission names, once its manifest or folder name is read
        self.proven = False  # whether that was proven (a valid signature, the folder's owner)
        self.assignment = ""  # the assignment it names, when read
        super().__init__(f"{code}: {self.detail}" if self.detail else code)


@dataclass
class Outcome:
    """What collect did with one zip or exchange folder."""

    route: str
    origin: str
    source: str
    code: str
    trainee: str = ""
    assignment: str = ""
    proven: bool = False
    detail: str = ""
    time: str = ""

    @property
    def refused(self) -> bool:
        return self.code in DEFENCES

    def message(self, lang: Lang | None = None) -> str:
        return t(f"grading.intake.{self.code}", lang, name=self.detail or "—")

    def problem(self) -> InputError:
        """The refusal as one bad-input line naming the zip or folder, in both languages."""
        return InputError(self.message("en"), file=self.source, problem_vi=self.message("vi"))


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _folder(workshop: Workshop) -> Path:
    return workshop.state_dir / "intake"


def _read_json(path: Path, default: object) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return default


def _write_json(path: Path, data: object) -> None:
    atomic.write_text(path, json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n")


def load_outcomes(workshop: Workshop) -> list[Outcome]:
    """The latest outcome of every zip and exchange folder (empty when collect never ran)."""
    names = {f.name for f in fields(Outcome)}
    raw = _read_json(_folder(workshop) / "outcomes.json", [])
    outcomes = []
    for item in raw if isinstance(raw, list) else []:
        if isinstance(item, dict) and set(item) == names:
            with contextlib.suppress(TypeError):
                outcome = Outcome(**{k: item[k] for k in names})
                if all(isinstance(getattr(outcome, n), str) for n in names - {"proven"}):
                    outcomes.append(outcome)
    return outcomes


def save_outcomes(workshop: Workshop, route: str, scope: str, outcomes: list[Outcome]) -> None:
    """Replace the outcomes of one run's scope (a zip folder, or an assignment's exchange)."""

    def in_scope(o: Outcome) -> bool:
        return o.route == route and (o.origin if route == ZIP else o.assignment) == scope

    kept = [o for o in load_outcomes(workshop) if not in_scope(o)]
    _write_json(_folder(workshop) / "outcomes.json", [asdict(o) for o in kept + outcomes])


class Receipts:
    """When each signed content was first seen by collect: the book a replay cannot rewrite."""

    def __init__(self, workshop: Workshop) -> None:
        self.path = _folder(workshop) / "receipts.jsonl"
        self.first_seen: dict[str, str] = {}
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except OSError:
            lines = []
        for line in lines:
            with contextlib.suppress(ValueError, TypeError, KeyError):
                entry = json.loads(line)  # a line cut short by a kill is skipped
                self.first_seen.setdefault(str(entry["key"]), str(entry["first_seen"]))

    def receive(self, key: str, trainee: str, assignment: str, moment: dt.datetime) -> str:
        """The first time ``key`` was seen, recording ``moment`` when it is new."""
        if key not in self.first_seen:
            stamp = moment.isoformat()
            entry = {"key": key, "trainee": trainee, "assignment": assignment, "first_seen": stamp}
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(self.path, "a", encoding="utf-8") as handle:
                handle.write("\n" + json.dumps(entry, sort_keys=True) + "\n")
                handle.flush()
                os.fsync(handle.fileno())
            self.first_seen[key] = stamp
        return self.first_seen[key]


@dataclass(frozen=True)
class Current:
    """What ``submitted/<trainee>/<assignment>/`` holds: its time, order and content key."""

    time: str
    order: str = ""
    key: str = ""
    route: str = ""


class Collected:
    """``collected.json``: the content in ``submitted/`` per trainee and assignment."""

    def __init__(self, workshop: Workshop) -> None:
        self.path = _folder(workshop) / "collected.json"
        raw = _read_json(self.path, {})
        self.entries = raw if isinstance(raw, dict) else {}

    def get(self, trainee: str, assignment: str) -> Current | None:
        entry = self.entries.get(f"{trainee}/{assignment}")
        with contextlib.suppress(TypeError):
            return Current(**entry) if isinstance(entry, dict) else None
        return None

    def put(self, trainee: str, assignment: str, current: Current) -> None:
        self.entries[f"{trainee}/{assignment}"] = asdict(current)
        _write_json(self.path, self.entries)


_held: dict[Path, int] = {}


@contextlib.contextmanager
def locked(workshop: Workshop) -> Iterator[None]:
    """Hold the intake lock (re-entrant in one process); the first holder cleans leftovers."""
    path = (_folder(workshop) / "lock").absolute()
    if _held.get(path):
        _held[path] += 1
        try:
            yield
        finally:
            _held[path] -= 1
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise InputError(
                "another collect is running on this workshop: wait for it to finish",
                file=workshop.root,
                problem_vi=t("grading.collect_busy", "vi"),
            ) from None
        _held[path] = 1
        try:
            clean_submitted(workshop)
            yield
        finally:
            _held.pop(path, None)
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextlib.contextmanager
def replacing_submission(workshop: Workshop, trainee: str, assignment: str) -> Iterator[Path]:
    """A staging folder that becomes ``submitted/<trainee>/<assignment>/`` in one rename if the
    block succeeds; otherwise the previous submission stays and no empty folder is left."""
    owner = workshop.submitted_dir / trainee
    try:
        with atomic.folder(owner / assignment) as staging:
            yield staging
    except BaseException:
        with contextlib.suppress(OSError):
            owner.rmdir()  # only when empty: a trainee folder made for nothing
        raise


def clean_submitted(workshop: Workshop) -> list[Path]:
    """Remove staging folders a killed collect left in ``submitted/`` (a rerun never trips)."""
    removed = atomic.clean_leftovers(workshop.submitted_dir)
    if workshop.submitted_dir.is_dir():
        for trainee in sorted(workshop.submitted_dir.iterdir()):
            if trainee.is_dir() and not trainee.is_symlink():
                removed += atomic.clean_leftovers(trainee)
    return removed
