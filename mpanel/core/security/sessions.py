"""Signed-in browser sessions, server side.

The Flask session (a signed cookie) carries only a random id; its hash names a
``web_sessions`` row, which lists the session for its user, can be revoked, and
ends it after ``*_SESSION_IDLE_MINUTES`` without a request or
``*_SESSION_MAX_HOURS`` after sign-in (staff and operators: ``STAFF_``;
customers' contacts: ``CUSTOMER_``). "Sign out everywhere" also revokes the
user's refresh tokens and refuses access tokens issued before it.
"""

from __future__ import annotations

import datetime as dt

from flask import abort, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user, user_logged_in, user_logged_out
from sqlalchemy import select, update

from mpanel.core.security import clock, tokens
from mpanel.core.security.hashing import digest, new_token
from mpanel.core.security.models import SecurityAccount, WebSession
from mpanel.extensions import appbuilder, db

SESSION_KEY = "_mpanel_sid"
TOUCH_EVERY = dt.timedelta(minutes=1)  # last-seen is written at most this often


def _current_row():
    sid = session.get(SESSION_KEY)
    return db.session.scalar(select(WebSession).where(WebSession.sid_hash == digest(sid))) if sid else None


def _started(_app, user) -> None:
    sid = new_token()
    session[SESSION_KEY] = sid
    now = clock.now()
    db.session.add(WebSession(user_id=user.id, sid_hash=digest(sid), created_at=now, last_seen_at=now,
                              ip=request.remote_addr, user_agent=(request.user_agent.string or "")[:300]))


def _ended(_app, user) -> None:
    sid = session.pop(SESSION_KEY, None)
    if sid:
        db.session.execute(update(WebSession).where(WebSession.sid_hash == digest(sid))
                           .values(revoked_at=clock.now()))
        db.session.commit()


def _limits(user) -> tuple[dt.timedelta, dt.timedelta]:
    kind = "CUSTOMER" if user.is_contact else "STAFF"
    config = current_app.config
    return (dt.timedelta(minutes=config[f"{kind}_SESSION_IDLE_MINUTES"]),
            dt.timedelta(hours=config[f"{kind}_SESSION_MAX_HOURS"]))


def check():
    """before_request: end a revoked, idle or too old session; note activity."""
    if (request.endpoint or "").endswith("static") or not current_user.is_authenticated:
        return None
    row, now = _current_row(), clock.now()
    idle, absolute = _limits(current_user)
    if row is None or row.revoked_at is not None or row.user_id != current_user.id \
            or now - row.last_seen_at > idle or now - row.created_at > absolute:
        logout_user()
        if request.path.startswith("/api/"):
            abort(401)
        flash(_("Your session has ended. Please sign in again."), "warning")
        return redirect(url_for(f"{appbuilder.sm.auth_view.endpoint}.login", next=request.path))
    if now - row.last_seen_at > TOUCH_EVERY:
        row.last_seen_at, row.ip = now, request.remote_addr
        db.session.commit()
    return None


def active(dbsession, user) -> list[WebSession]:
    now, (idle, absolute) = clock.now(), _limits(user)
    rows = dbsession.scalars(select(WebSession).where(WebSession.user_id == user.id, WebSession.revoked_at.is_(None))
                             .order_by(WebSession.last_seen_at.desc()))
    return [r for r in rows if now - r.last_seen_at <= idle and now - r.created_at <= absolute]


def is_current(row: WebSession) -> bool:
    sid = session.get(SESSION_KEY)
    return bool(sid) and row.sid_hash == digest(sid)


def revoke(dbsession, user_id: int, session_id: int) -> None:
    dbsession.execute(update(WebSession).where(WebSession.user_id == user_id, WebSession.id == session_id,
                                               WebSession.revoked_at.is_(None)).values(revoked_at=clock.now()))


def revoke_all(dbsession, user_id: int, keep_current: bool = False) -> None:
    """Sign the user out everywhere (but in this browser if ``keep_current``):
    browser sessions, refresh tokens, and access tokens issued until now."""
    now = clock.now()
    query = update(WebSession).where(WebSession.user_id == user_id, WebSession.revoked_at.is_(None))
    if keep_current and session.get(SESSION_KEY):
        query = query.where(WebSession.sid_hash != digest(session[SESSION_KEY]))
    dbsession.execute(query.values(revoked_at=now))
    tokens.revoke_user(dbsession, user_id)
    SecurityAccount.of(dbsession, user_id, create=True).tokens_valid_after = now


def install(app) -> None:
    user_logged_in.connect(_started, app)
    user_logged_out.connect(_ended, app)
    app.before_request(check)
