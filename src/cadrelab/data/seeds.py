"""Seeds: one per trainee and exercise, and one random stream per table.

A trainee's cases must be the same wherever they are built, under any Python
version, so seeds come from SHA-256 of a fixed text encoding, never from ``hash()``.

Practice seeds (self-study, version 1) are public, UTF-8 of::

    "cadrelab-seed-v1\\n" + trainee_id + "\\n" + exercise

Workshop seeds are an HMAC-SHA256 keyed with the workshop secret over
``"cadrelab-cases-v2\\n" + trainee_id + "\\n" + exercise``: without the secret nobody
can rebuild a trainee's cases (nor their ground truth) from public code.

In both, ``trainee_id`` is normalised (NFC, surrounding spaces removed, lower case) and
both parts checked against :data:`TRAINEE_ID_PATTERN` and
:data:`EXERCISE_PATTERN`.  The seed is the first 8 bytes of the digest, big-endian,
with the top bit cleared (0 <= seed < 2**63).

Trainee ids follow JupyterHub user names after its default lower-casing: a letter
or digit, then up to 63 letters, digits, ``.``, ``_``, ``@`` or ``-`` (so e-mail
style names work).  Anything else is an :class:`InputError`, because a typo in a
trainee id would silently give the trainee someone else's cases.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import unicodedata
import zlib
from pathlib import Path

import numpy as np

from cadrelab.atomic import write_text
from cadrelab.data.inputs import MAX_SEED
from cadrelab.errors import InputError
from cadrelab.i18n import both, t

TRAINEE_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._@-]{0,63}$")
EXERCISE_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
SEED_ENCODING_VERSION = "cadrelab-seed-v1"
WORKSHOP_SEED_VERSION = "cadrelab-cases-v2"
PROFILE_PATH = Path("~/.cadrelab/profile.json")


def normalise_trainee_id(trainee_id: object) -> str:
    """The canonical form of a trainee id, or an InputError naming the rule it breaks."""
    if not isinstance(trainee_id, str):
        raise InputError(
            f"trainee id must be text, not {type(trainee_id).__name__}",
            field="trainee",
            problem_vi=t("data.trainee_id_invalid", "vi", value=repr(trainee_id)),
        )
    value = unicodedata.normalize("NFC", trainee_id).strip().lower()
    if not TRAINEE_ID_PATTERN.fullmatch(value):
        raise InputError(
            f"trainee id {trainee_id!r} does not match {TRAINEE_ID_PATTERN.pattern} "
            "(letters a-z, digits, '.', '_', '@', '-'; at most 64 characters)",
            field="trainee",
            problem_vi=t("data.trainee_id_invalid", "vi", value=repr(trainee_id)),
        )
    return value


def check_exercise(exercise: object) -> str:
    if not isinstance(exercise, str) or not EXERCISE_PATTERN.fullmatch(exercise):
        raise InputError(
            f"exercise id {exercise!r} does not match {EXERCISE_PATTERN.pattern}",
            field="exercise",
            problem_vi=t("data.exercise_invalid", "vi", value=repr(exercise)),
        )
    return exercise


def trainee_seed(trainee_id: str, exercise: str) -> int:
    """The seed of ``trainee_id``'s cases for ``exercise`` (stable everywhere; see module doc)."""
    text = (
        f"{SEED_ENCODING_VERSION}\n{normalise_trainee_id(trainee_id)}\n{check_exercise(exercise)}"
    )
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") & MAX_SEED


def workshop_seed(secret: bytes, trainee_id: str, exercise: str) -> int:
    """The seed of ``trainee_id``'s cases for ``exercise`` in the workshop holding ``secret``."""
    text = (
        f"{WORKSHOP_SEED_VERSION}\n{normalise_trainee_id(trainee_id)}\n{check_exercise(exercise)}"
    )
    digest = hmac.new(secret, text.encode("utf-8"), hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big") & MAX_SEED


def stream(seed: int, name: str) -> np.random.Generator:
    """An independent random stream for one table or activity.

    The stream is keyed by its name (CRC-32 of the UTF-8 name) rather than by the
    order of ``SeedSequence.spawn`` calls, so adding a table never changes the
    others.
    """
    key = zlib.crc32(name.encode("utf-8"))
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(key,))))


def trainee_id(environ: dict[str, str] | None = None, profile: Path | None = None) -> str:
    """Who is working: ``CADRELAB_TRAINEE`` (set by the grader), else ``JUPYTERHUB_USER``,
    else ``trainee_id`` in ``~/.cadrelab/profile.json`` (written by the first notebook).

    Raises an InputError in Vietnamese and English when none is set.
    """
    env = os.environ if environ is None else environ
    for variable in ("CADRELAB_TRAINEE", "JUPYTERHUB_USER"):
        value = env.get(variable, "").strip()
        if value:
            return normalise_trainee_id(value)
    path = (profile or PROFILE_PATH).expanduser()
    if path.is_file():
        return normalise_trainee_id(_profile_trainee(path))
    raise InputError(
        both("data.trainee_unknown", path=str(path)),
        field="trainee",
        problem_vi=t("data.trainee_unknown", "vi", path=str(path)),
    )


def _profile_trainee(path: Path) -> str:
    try:
        profile = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(
            f"cannot read the profile ({exc})",
            file=path,
            problem_vi=t("data.profile_unreadable", "vi"),
        ) from None
    value = profile.get("trainee_id") if isinstance(profile, dict) else None
    if not isinstance(value, str) or not value.strip():
        raise InputError(
            "the profile has no trainee_id",
            file=path,
            field="trainee_id",
            problem_vi=t("data.profile_unreadable", "vi"),
        )
    return value


def write_profile(trainee: str, profile: Path | None = None) -> Path:
    """Remember the trainee id for later notebooks (what the first lesson calls)."""
    path = (profile or PROFILE_PATH).expanduser()
    text = json.dumps({"trainee_id": normalise_trainee_id(trainee)}, ensure_ascii=False)
    write_text(path, text + "\n")
    return path
