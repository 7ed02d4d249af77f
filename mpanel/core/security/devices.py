"""Browsers users sign in with, recognised by a signed device cookie.

One random id per browser (HttpOnly, SameSite=Strict, signed with the secret
key so a rotated key forgets every device); one row per (user, browser) stores
its hash. A sign-in from a browser unknown to a user who has signed in before
raises a "new device" notice; "remember this device" sets ``trusted_until``,
which skips the second factor there until it passes or the row is revoked.
"""

from __future__ import annotations

import datetime as dt

from flask import after_this_request, current_app, request
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select, update

from mpanel.core.security import clock, notify
from mpanel.core.security.hashing import digest, new_token
from mpanel.core.security.models import Device

COOKIE = "mpanel_device"
COOKIE_DAYS = 400


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="mpanel-device")


def _browser_id() -> str | None:
    try:
        return _serializer().loads(request.cookies.get(COOKIE, ""))
    except BadSignature:
        return None


def current(session, user) -> Device | None:
    browser = _browser_id()
    if browser is None:
        return None
    return session.scalar(select(Device).where(Device.user_id == user.id, Device.token_hash == digest(browser),
                                               Device.revoked_at.is_(None)))


def trusted(session, user) -> bool:
    device = current(session, user)
    return device is not None and device.trusted_until is not None and device.trusted_until > clock.now()


def signed_in(session, user, remember: bool) -> None:
    """Record a completed sign-in from this browser; notify if it is new to the user."""
    now = clock.now()
    device = current(session, user)
    if device is None:
        browser = _browser_id() or _new_browser_id()
        known_before = session.scalar(select(Device.id).where(Device.user_id == user.id).limit(1)) is not None
        device = Device(user_id=user.id, token_hash=digest(browser), created_at=now)
        session.add(device)
        if known_before:
            session.flush()
            _notify_new_device(session, user, device.id)
    device.last_seen_at, device.ip = now, request.remote_addr
    device.user_agent = (request.user_agent.string or "")[:300]
    if remember:
        device.trusted_until = now + dt.timedelta(days=current_app.config["MFA_REMEMBER_DAYS"])


def revoke(session, user_id: int, device_id: int | None = None) -> None:
    """Forget one device of the user, or all of them."""
    query = update(Device).where(Device.user_id == user_id, Device.revoked_at.is_(None))
    if device_id is not None:
        query = query.where(Device.id == device_id)
    session.execute(query.values(revoked_at=clock.now(), trusted_until=None))


def _new_browser_id() -> str:
    browser = new_token()
    value = _serializer().dumps(browser)

    @after_this_request
    def set_cookie(response):
        response.set_cookie(COOKIE, value, max_age=COOKIE_DAYS * 86400, httponly=True, samesite="Strict",
                            secure=current_app.config["SESSION_COOKIE_SECURE"] or request.is_secure)
        return response

    return browser


def _notify_new_device(session, user, device_id: int) -> None:
    agent, ip = (request.user_agent.string or "?")[:300], request.remote_addr
    notify.event(session, "new_device_login", user, {"user_agent": agent}, by_user=True)
    notify.tell(session, user, _("New sign-in to your account"),
                _("Your account was just used to sign in from a new device or browser:\n\n%(agent)s\n"
                  "IP address: %(ip)s\n\nIf this was not you, reset your password and sign out "
                  "everywhere from the account security page.", agent=agent, ip=ip),
                dedupe_key=f"security:new-device:{device_id}")
