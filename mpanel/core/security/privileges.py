"""Role changes of existing users are security events (audit and feed)."""

from __future__ import annotations

from sqlalchemy import event, inspect
from sqlalchemy.orm import object_session

from mpanel.core.security import notify
from mpanel.core.security.models import MPanelUser


def _record(user, change: str, role) -> None:
    session = object_session(user)
    if session is not None and inspect(user).persistent:  # not a user being created
        notify.event(session, "privilege_changed", user, {change: role.name})


def _granted(user, role, _initiator):
    _record(user, "granted", role)


def _revoked(user, role, _initiator):
    _record(user, "revoked", role)


def install() -> None:
    for name, listener in (("append", _granted), ("remove", _revoked)):
        if not event.contains(MPanelUser.roles, name, listener):
            event.listen(MPanelUser.roles, name, listener)
