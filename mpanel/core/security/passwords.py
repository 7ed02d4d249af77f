"""Password rules after NIST SP 800-63B section 5.1.1.2: a minimum length (12 for
staff and operators, 8 for customers' contacts), no composition rules, and a
refusal of common, repetitive or context-specific passwords. Also what follows
any password change: other sessions end and the user is told."""

from __future__ import annotations

import functools
import itertools
from pathlib import Path

from flask import current_app, g, request
from flask_appbuilder.exceptions import PasswordComplexityValidationError
from flask_babel import gettext as _
from werkzeug.security import generate_password_hash

from mpanel.core.security import clock, lockout, notify, sessions

COMMON_PASSWORDS = Path(__file__).resolve().parents[2] / "data" / "common-passwords.txt"
STAFF_MIN_LENGTH = 12
CONTACT_MIN_LENGTH = 8
MAX_LENGTH = 256  # long enough for passphrases, short enough for a cheap hash


@functools.cache
def _common() -> frozenset[str]:
    lines = COMMON_PASSWORDS.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def _repetitive(password: str) -> bool:
    """One character repeated, or a run such as "abcdefgh" or "98765432"."""
    steps = {ord(b) - ord(a) for a, b in itertools.pairwise(password)}
    return len(steps) <= 1 and steps <= {-1, 0, 1}


def check(password: str, user=None) -> None:
    """Raise ValueError with a message for the user if ``password`` may not be used."""
    minimum = CONTACT_MIN_LENGTH if user is not None and user.is_contact else STAFF_MIN_LENGTH
    if len(password) < minimum:
        raise ValueError(_("Use at least %(count)d characters.", count=minimum))
    if len(password) > MAX_LENGTH:
        raise ValueError(_("Use at most %(count)d characters.", count=MAX_LENGTH))
    lowered = password.lower()
    if lowered in _common() or _repetitive(lowered):
        raise ValueError(_("This password is too common. Choose another one."))
    if user is not None:
        names = {user.username.lower(), user.email.lower(), user.email.split("@")[0].lower()}
        if any(len(name) >= 4 and name in lowered for name in names):
            raise ValueError(_("Do not use your user name or e-mail address in the password."))


def fab_validator(password: str) -> None:
    """``FAB_PASSWORD_COMPLEXITY_VALIDATOR``: FAB's own password forms (user add,
    reset, change own) apply these rules; a contact changing their own password
    gets the contact minimum."""
    own = request.blueprint == "ResetMyPasswordView" and g.user.is_authenticated
    try:
        check(password, g.user if own else None)
    except ValueError as exc:
        raise PasswordComplexityValidationError(str(exc)) from None


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["FAB_PASSWORD_HASH_METHOD"])


def set_password(user, password: str) -> None:
    user.password = hash_password(password)


def changed(session, user, keep_current: bool, action: str = "password_changed") -> None:
    """After a password change or reset: sign out elsewhere (everywhere unless
    ``keep_current``), clear the failure count, audit and tell the user."""
    sessions.revoke_all(session, user.id, keep_current=keep_current)
    lockout.clear(session, user)
    notify.event(session, action, user, by_user=action == "password_reset")
    notify.tell(session, user, _("Your password was changed"),
                _("The password of your account %(email)s was just changed, and your other sessions were "
                  "signed out. If you did not do this, reset your password now and contact support.",
                  email=user.email),
                dedupe_key=f"security:password:{user.id}:{clock.now().isoformat()}")
