"""Every defence of the grader, one entry each: what it notes, what it does, who sees what.

A defence is a check somewhere in the pipeline that, when it fires, adds a note
with its ``code`` to the submission's record.  Its entry says whether that marks
the submission as tampered, which status it gives (none: the score stands), what
the trainee and the trainer see, the message key of its short label (Vietnamese
and English in ``messages/grading.csv``), and the fixtures under
``graders/fixtures/`` that make it fire (a test runs each one).  Adding a defence
is one check, one entry here and one fixture.

Defences on the way in (zips, exchange folders) are registered by
:mod:`cadrelab.grading.intake` with the same fields.
"""

from __future__ import annotations

from dataclasses import dataclass

from cadrelab.grading.grade_records import Status

FEEDBACK_NOTE = "a note in the feedback page, with its label"
REPORT_NOTE = "the note and its detail in the report's submissions-needing-attention table"
RESTORED = "the released cell, graded as released; the note in the feedback page"
STOPPED = "tests after the point where the run stopped score 0; the limit named in the feedback"


@dataclass(frozen=True)
class Defence:
    code: str
    tampering: bool
    status: Status | None
    trainee_sees: str
    trainer_sees: str
    message_key: str
    fixtures: tuple[str, ...]


DEFENCES: dict[str, Defence] = {}


def register(*defences: Defence) -> None:
    for defence in defences:
        if defence.code in DEFENCES:
            raise ValueError(f"defence {defence.code!r} registered twice")
        DEFENCES[defence.code] = defence


def _grading(
    code: str,
    tampering: bool,
    status: Status | None,
    *fixtures: str,
    trainee: str = FEEDBACK_NOTE,
) -> Defence:
    return Defence(code, tampering, status, trainee, REPORT_NOTE, f"grading.label.{code}", fixtures)


register(
    # rebuilding the notebook from the gradebook's copy
    _grading("restored_deleted", True, Status.TAMPERED, "deleted_test", trainee=RESTORED),
    _grading("restored_edited", True, Status.TAMPERED, "edited_test", trainee=RESTORED),
    _grading("metadata_changed", True, Status.TAMPERED, "changed_points", trainee=RESTORED),
    _grading("restored_text", False, None, "edited_instructions", trainee=RESTORED),
    _grading("duplicate_id", False, None, "duplicated_answer"),
    _grading("reordered", False, None, "moved_test"),
    _grading("answer_missing", False, None, "deleted_answer"),
    _grading("too_many_cells", True, Status.TAMPERED, "thousands_of_cells"),
    # reading the notebook file
    _grading("invalid_json", False, Status.INVALID, "broken_json"),
    _grading("missing", False, Status.INVALID, "missing_notebook"),
    _grading("unreadable", False, Status.INVALID, "not_utf8"),
    # running in the sandbox
    _grading("kernel_hooks_changed", True, Status.TAMPERED, "input_transformer"),
    _grading("forged_message", True, Status.TAMPERED, "forged_protocol", "forged_outputs"),
    _grading("output_dropped", False, None, "html_output"),
    _grading("output_truncated", False, None, "endless_print"),
    _grading("cell_time", False, Status.TIMED_OUT, "infinite_loop", trainee=STOPPED),
    _grading("submission_time", False, Status.TIMED_OUT, "many_sleeping_cells", trainee=STOPPED),
    _grading("memory", False, Status.CRASHED, "memory_hog", "child_memory", trainee=STOPPED),
    _grading("processes", False, Status.CRASHED, "fork_bomb", trainee=STOPPED),
    _grading("cpu", False, Status.CRASHED, "busy_children", trainee=STOPPED),
    _grading("disk", False, None, "fill_shm"),
    _grading("kernel_died", False, Status.CRASHED, "os_exit", trainee=STOPPED),
    # judging
    _grading("kept_out", False, None, "redefined_builtins", "rebound_locked_name"),
    _grading("undecodable", False, None, "decoding_bomb", "absurd_values"),
    _grading("setup_error", False, None, "broken_setup"),
    _grading("grader_error", False, Status.GRADER_ERROR, "grader_side_failure"),
)


def status_of(notes: list[dict]) -> list[Status]:
    """The statuses the notes of a notebook call for."""
    found = []
    for note in notes:
        defence = DEFENCES.get(str(note.get("code")))
        if defence is not None and defence.status is not None:
            found.append(defence.status)
        if defence is not None and defence.tampering:
            found.append(Status.TAMPERED)
    return found


def note(code: str, detail: str = "", grade_id: str = "") -> dict:
    """A note for the record; the code must be a registered defence."""
    defence = DEFENCES[code]
    return {
        "code": code,
        "grade_id": grade_id,
        "detail": detail[:300],
        "tampering": defence.tampering,
    }
