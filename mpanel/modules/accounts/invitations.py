"""Invitations: a user made without a usable password (new staff, a tenant's
first owner, a customer's contact) gets a mail with a single-use link to
choose one; opening it also verifies the address."""

from __future__ import annotations

import datetime as dt

from flask import current_app
from flask_babel import gettext as _

from mpanel.core import audit, mail
from mpanel.core.security import onetime, passwords
from mpanel.core.security.hashing import digest
from mpanel.core.security.models import MPanelUser

INVITE = "invite"


def send(session, user, base_url: str, inviter: str, place: str, ip: str | None = None) -> None:
    """Mail ``user`` a link to set their password (earlier links stop working)."""
    days = current_app.config["INVITATION_DAYS"]
    onetime.use_all(session, user.id, INVITE)
    raw = onetime.issue(session, user.id, INVITE, dt.timedelta(days=days), ip)
    link = f"{base_url.rstrip('/')}/invitation/{raw}"
    mail.enqueue(session, user.email, _("You are invited to %(place)s", place=place),
                 _("%(inviter)s invited you (%(email)s) to %(place)s. To choose your password and sign in, open "
                   "this link within %(days)d days:\n\n%(link)s\n\nIf you did not expect this, ignore this message.",
                   inviter=inviter, email=user.email, place=place, days=days, link=link),
                 dedupe_key=f"accounts:invite:{digest(raw)}")
    audit.record(session, "invitation_sent", "User", user.id, {"email": user.email})


def pending(session, raw: str):
    """(token, user) of a usable invitation link, or (None, None)."""
    token = onetime.find(session, raw, INVITE)
    user = session.get(MPanelUser, token.user_id) if token else None
    if user is None or not user.is_active:
        return None, None
    return token, user


def accept(session, token, user, password: str) -> bool:
    """Set the invitee's password (ValueError if the rules refuse it); False if
    the link was used meanwhile."""
    passwords.check(password, user)
    if not onetime.use(session, token):
        return False
    passwords.set_password(user, password)
    user.email_verified = True
    audit.record(session, "invitation_accepted", "User", user.id, actor_id=user.id, actor=user.username)
    return True
