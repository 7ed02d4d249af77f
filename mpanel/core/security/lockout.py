"""Temporary account locks after repeated failed sign-ins (wrong passwords and
wrong second-factor codes).

Per-IP and per-account rate limits (see :func:`mpanel.core.security.throttle`)
stop a single source long before this. The lock then slows a distributed
guesser: from the ``LOCKOUT_THRESHOLD``-th consecutive failure the account is
locked for ``LOCKOUT_BASE_SECONDS``, doubling per further failure up to
``LOCKOUT_MAX_SECONDS``. Attempts during a lock are refused without counting, so
a lock always ends, and a browser the user marked "remember this device" is
never locked out (OWASP's device cookies), so an attacker cannot keep the
owner out. A successful sign-in or a password reset clears the count.
"""

from __future__ import annotations

import datetime as dt

from flask import current_app
from flask_babel import gettext as _

from mpanel.core.security import clock, notify
from mpanel.core.security.models import SecurityAccount


def locked(session, user) -> bool:
    account = SecurityAccount.of(session, user.id)
    return account is not None and account.locked_until is not None and account.locked_until > clock.now()


def record_failure(session, user, kind: str) -> None:
    if locked(session, user):
        return
    account = SecurityAccount.of(session, user.id, create=True)
    account.failed_logins = (account.failed_logins or 0) + 1
    config = current_app.config
    over = account.failed_logins - config["LOCKOUT_THRESHOLD"]
    if over < 0:
        return
    seconds = min(config["LOCKOUT_BASE_SECONDS"] * 2 ** min(over, 20), config["LOCKOUT_MAX_SECONDS"])
    account.locked_until = clock.now() + dt.timedelta(seconds=seconds)
    notify.event(session, "account_locked", user, {"failures": account.failed_logins, "seconds": seconds,
                                                   "last": kind}, by_user=True)
    notify.tell(session, user, _("Your account was locked for a while"),
                _("After %(count)d failed sign-in attempts your account is locked for %(minutes)d minute(s). "
                  "Browsers you told to remember you can still sign in. If these attempts were not yours, "
                  "reset your password.", count=account.failed_logins, minutes=max(1, seconds // 60)),
                dedupe_key=f"security:locked:{user.id}:{account.locked_until.isoformat()}")


def clear(session, user) -> None:
    account = SecurityAccount.of(session, user.id)
    if account is not None:
        account.failed_logins, account.locked_until = 0, None
