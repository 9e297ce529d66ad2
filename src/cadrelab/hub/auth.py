"""Who may log in to a workshop hub: the trainees on the roster, and nobody else.

Two ways to check the password, chosen by the trainer:

* ``password`` (default): the first password a roster id logs in with becomes that
  trainee's password (kept as a salted scrypt hash, readable by the hub only); a
  trainer resets one by removing the trainee's line from the password file;
* ``code``: one workshop code for the whole room, derived from the workshop secret,
  which the trainer prints or writes on the board (``cadrelab workshop hub-config``
  prints it).  Anyone with the code can log in under any roster id: for rooms where
  that is acceptable.

The roster is read at every login, so trainees imported during a workshop can log
in at once.  Someone not on the roster gets a message saying so, in Vietnamese and
English, and the hub's log says what the trainer must change.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from pathlib import Path

from jupyterhub.auth import Authenticator, LocalAuthenticator
from tornado import web
from traitlets import Enum, Unicode

from cadrelab import atomic
from cadrelab.errors import InputError
from cadrelab.hub.users import is_hub_user, read_hub_roster
from cadrelab.i18n import both

SCRYPT = {"n": 2**14, "r": 8, "p": 1}


def _same_code(typed: str, code: str) -> bool:
    keep = "".join(ch for ch in typed if ch.isdigit())
    return hmac.compare_digest(keep.encode(), code.replace("-", "").encode())


def hash_password(password: str, salt: bytes | None = None) -> str:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, **SCRYPT)
    return f"scrypt${salt.hex()}${digest.hex()}"


def check_password(password: str, stored: str) -> bool:
    try:
        _, salt, _ = stored.split("$")
        expected = hash_password(password, bytes.fromhex(salt))
    except ValueError:
        return False
    return hmac.compare_digest(expected, stored)


class RosterAuthenticator(Authenticator):
    """Roster ids only; a first-login password or the workshop code."""

    roster_file = Unicode(help="The workshop's roster CSV (roster.csv): who may log in.").tag(
        config=True, allow_config=True
    )
    login = Enum(["password", "code"], "password", help="How trainees prove who they are.").tag(
        config=True
    )
    code_file = Unicode(help="File holding the workshop code (login = 'code').").tag(config=True)
    password_file = Unicode(help="Where first-login password hashes are kept.").tag(config=True)

    def roster(self) -> set[str]:
        try:
            return read_hub_roster(Path(self.roster_file))
        except InputError as exc:
            self.log.error("cadrelab: cannot read the roster: %s", exc.message)
            return set()

    def check_allowed(self, username: str, authentication: object = None) -> bool:
        return username in self.roster()

    async def authenticate(self, handler: object, data: dict) -> str | None:
        name = self.normalize_username(str(data.get("username", "")))
        password = str(data.get("password", ""))
        if name not in self.roster():
            self.log.warning(
                "cadrelab: %r tried to log in but is not on the roster %s: add them with "
                "`cadrelab workshop roster import` if they belong to this workshop",
                name,
                self.roster_file,
            )
            raise web.HTTPError(
                403, both("hub.not_on_roster", name=name if is_hub_user(name) else "?")
            )
        if not password:
            return None
        if self.login == "code":
            code = Path(self.code_file).read_text(encoding="utf-8").strip()
            return name if _same_code(password, code) else None
        return name if self._first_use(name, password) else None

    def _first_use(self, name: str, password: str) -> bool:
        """True when ``password`` is ``name``'s (recorded now if this is the first login)."""
        path = Path(self.password_file)
        try:
            stored = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            stored = {}
        if name in stored:
            return check_password(password, stored[name])
        stored[name] = hash_password(password)
        atomic.write_text(path, json.dumps(stored, indent=1, sort_keys=True) + "\n")
        os.chmod(path, 0o600)
        self.log.info("cadrelab: first login of %s, password recorded", name)
        return True


class LocalRosterAuthenticator(LocalAuthenticator, RosterAuthenticator):
    """On one server: also a Unix user per trainee, created at the first login."""
