"""Who may log in to a workshop hub: which roster ids can be user names, and the room code.

On one training server every trainee is a Unix user (their files are theirs alone),
and JupyterHub creates those users with Debian's ``adduser``, whose default rule is
stricter than the trainee-id rule of the data package: a lower-case letter first,
then lower-case letters, digits, ``_`` or ``-``, at most 32 characters.  A roster
that breaks the rule is refused before the hub starts, naming the row to change.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from pathlib import Path

from cadrelab.errors import InputError
from cadrelab.grading.roster import ROSTER_FILE, read_roster
from cadrelab.grading.workshop import Workshop
from cadrelab.i18n import t

HUB_USER_PATTERN = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")
CODE_LABEL = b"cadrelab-hub-code-v1"
CODE_DIGITS = 8


def is_hub_user(name: str) -> bool:
    return bool(HUB_USER_PATTERN.fullmatch(name))


def roster_hub_users(workshop: Workshop) -> list[str]:
    """The roster's ids, all valid hub user names, or an InputError naming the first bad row."""
    path = workshop.root / ROSTER_FILE
    if not path.is_file():
        raise InputError(
            "the workshop has no roster: run `cadrelab workshop roster import CSV` first",
            file=workshop.root,
            problem_vi=t("hub.no_roster", "vi"),
        )
    ids = [trainee.id for trainee in read_roster(path)]
    for row, name in enumerate(ids, start=2):
        if not is_hub_user(name):
            raise InputError(
                f"trainee id {name!r} cannot be a hub user name (a letter a-z first, then "
                "a-z, 0-9, '_' or '-', at most 32 characters): correct or remove this row of "
                "the workshop's roster.csv, then write the hub configuration again",
                file=path,
                row=row,
                field="ma_hoc_vien",
                problem_vi=t("hub.bad_user_name", "vi", name=name),
            )
    return ids


def read_hub_roster(path: Path) -> set[str]:
    """The valid hub user names of a roster CSV (a Kubernetes secret's copy, say)."""
    return {trainee.id for trainee in read_roster(path) if is_hub_user(trainee.id)}


def workshop_code(secret: bytes) -> str:
    """The room's login code: 8 digits from the workshop secret, shown as ``1234-5678``."""
    number = int.from_bytes(hmac.new(secret, CODE_LABEL, hashlib.sha256).digest()[:8], "big")
    digits = f"{number % 10**CODE_DIGITS:0{CODE_DIGITS}d}"
    return f"{digits[:4]}-{digits[4:]}"
