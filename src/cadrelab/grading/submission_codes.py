"""Per-trainee submission codes: proof that a zip comes from the trainee it names.

The trainer's roster sheet gives each trainee a short code derived from the
workshop secret::

    HMAC-SHA256(secret, "cadrelab-submission-code-v1\\n" + trainee_id)

read as 11 symbols of Crockford's base-32 alphabet (no I, L, O, U: nothing to
confuse when typing) plus one check symbol that catches a mistyped code before
packing, shown as ``XXXX-XXXX-XXXX`` (55 bits from the secret).  ``workshop pack``
signs the zip's manifest with the code (HMAC-SHA256 keyed by the code over the
canonical JSON of the manifest); the trainer's ``collect`` derives the same code
from the secret and accepts the zip only when the signature holds.  A trainee who
does not know another trainee's code cannot submit in that trainee's name.

The trainee signs with their own clock, so no time inside a manifest is trusted:
the submission time is when the trainer's ``collect`` first saw that content.
"""

from __future__ import annotations

import hashlib
import hmac
import json

from cadrelab.data.seeds import normalise_trainee_id
from cadrelab.errors import InputError
from cadrelab.i18n import t

CODE_VERSION = b"cadrelab-submission-code-v1\n"
SIGNATURE_VERSION = b"cadrelab-submission-manifest-v2\n"
CHECK_VERSION = b"cadrelab-submission-code-check\n"
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
DATA_SYMBOLS = 11
GROUP = 4
# What people type for what they mean (Crockford): O is 0, I and L are 1.
_TYPED = str.maketrans({"O": "0", "I": "1", "L": "1"})


def _symbols(digest: bytes, count: int) -> str:
    number = int.from_bytes(digest, "big")
    bits = len(digest) * 8
    return "".join(ALPHABET[(number >> (bits - 5 * (i + 1))) & 31] for i in range(count))


def _check_symbol(data: str) -> str:
    return ALPHABET[hashlib.sha256(CHECK_VERSION + data.encode("ascii")).digest()[0] & 31]


def submission_code(secret: bytes, trainee: str) -> str:
    """The code printed for ``trainee`` on the roster sheet (``XXXX-XXXX-XXXX``)."""
    trainee = normalise_trainee_id(trainee)
    digest = hmac.new(secret, CODE_VERSION + trainee.encode("utf-8"), hashlib.sha256).digest()
    data = _symbols(digest, DATA_SYMBOLS)
    plain = data + _check_symbol(data)
    return "-".join(plain[i : i + GROUP] for i in range(0, len(plain), GROUP))


def normalise_code(typed: object) -> str:
    """The code as typed, in canonical form; InputError (both languages) when it is mistyped."""
    if not isinstance(typed, str):
        typed = ""
    plain = "".join(ch for ch in typed.upper() if ch not in " -_.").translate(_TYPED)
    if (
        len(plain) != DATA_SYMBOLS + 1
        or any(ch not in ALPHABET for ch in plain)
        or _check_symbol(plain[:-1]) != plain[-1]
    ):
        raise InputError(
            "the submission code is mistyped: check it against the slip from the trainer "
            "(12 letters and digits, e.g. 7K2M-QX4D-9PTA)",
            field="code",
            problem_vi=t("grading.code_mistyped", "vi"),
        )
    return plain


def canonical(payload: dict) -> bytes:
    """The bytes a signature covers: the manifest without its signature, as canonical JSON."""
    body = {key: value for key, value in payload.items() if key != "signature"}
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def sign(payload: dict, code: str) -> str:
    """The signature of ``payload`` with a trainee's code (hex)."""
    key = normalise_code(code).encode("ascii")
    return hmac.new(key, SIGNATURE_VERSION + canonical(payload), hashlib.sha256).hexdigest()


def verify(payload: dict, secret: bytes) -> bool:
    """Whether ``payload`` is signed with the code of the trainee it names."""
    signature = payload.get("signature")
    trainee = payload.get("trainee")
    if not isinstance(signature, str) or not isinstance(trainee, str):
        return False
    try:
        expected = sign(payload, submission_code(secret, trainee))
    except InputError:
        return False
    return hmac.compare_digest(expected, signature.lower())


def content_key(payload: dict) -> str:
    """What identifies a signed submission's content (the receipt book's key)."""
    return hashlib.sha256(canonical(payload)).hexdigest()
