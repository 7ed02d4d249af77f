"""What follows a correct password, for the web form and the REST login alike:
the second factor (or its enrolment, when the policy requires one the user has
not set up), then completion. Until then nobody is signed in and no token is
issued; the pending step is a one-time token (:mod:`onetime`)."""

from __future__ import annotations

import datetime as dt

from flask import request
from flask_login import login_user

from mpanel.core.security import devices, lockout, mfa, notify, onetime
from mpanel.core.security.models import MPanelUser

STEP_LIFETIME = dt.timedelta(minutes=5)


def next_step(session, user) -> str | None:
    """"mfa", "enrol" or None (nothing left to do)."""
    if mfa.enabled(session, user):
        return None if devices.trusted(session, user) else "mfa"
    return "enrol" if mfa.required(session, user) else None


def begin_step(session, user, step: str) -> str:
    return onetime.issue(session, user.id, step, STEP_LIFETIME, request.remote_addr)


def pending(session, raw: str | None, step: str):
    """(token, user) of a pending step, or (None, None)."""
    token = onetime.find(session, raw, step)
    user = session.get(MPanelUser, token.user_id) if token else None
    if user is None or not user.is_active:
        return None, None
    return token, user


def second_factor(session, token, user, code: str) -> bool:
    """Check a TOTP or recovery code for a pending "mfa" step and use the step up."""
    kind = None if lockout.locked(session, user) else mfa.verify(session, user, code)
    if kind is None:
        failed(session, token, user)
        return False
    if kind == "recovery":
        notify.event(session, "recovery_code_used", user, {"left": mfa.unused_recovery_codes(session, user)},
                     by_user=True)
    return onetime.use(session, token)


def failed(session, token, user) -> None:
    token.attempts += 1
    notify.event(session, "mfa_failed", user, {"attempt": token.attempts}, by_user=True)
    lockout.record_failure(session, user, "mfa")


def complete(session, user, web: bool, remember_device: bool = False) -> None:
    """The user is in: start the browser session (web) and note the sign-in."""
    if web:
        login_user(user, remember=False)
        devices.signed_in(session, user, remember_device)
    lockout.clear(session, user)
    notify.event(session, "login", user, {"via": "web" if web else "api"}, by_user=True)
