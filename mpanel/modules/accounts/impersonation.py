"""Log in as client: staff with the ``can_impersonate`` permission on customers
open the client area as the customer's owner contact, for support. It is
audited ("client_login", shown to the customer on their security page), ends
when they sign out, and is read-only (no client-area form is accepted) unless
the tenant's account settings allow changes (``impersonation_write``)."""

from __future__ import annotations

from flask import session
from flask_login import login_user, logout_user
from sqlalchemy import select

from mpanel.core import audit
from mpanel.core.audit import AuditLog
from mpanel.core.errors import Conflict
from mpanel.modules.accounts import contacts
from mpanel.modules.accounts import settings as account_settings

SESSION_KEY = "_mpanel_impersonator"  # {"id": staff user id, "name": their name}
ACTION = "client_login"


def start(dbsession, staff, customer) -> None:
    owner = contacts.owner_of(dbsession, customer.id) or next(iter(contacts.contacts_of(dbsession, customer.id)),
                                                               None)
    if owner is None or not owner.is_active:
        raise Conflict("customer", "this customer has no login yet: send an invitation first")
    audit.record(dbsession, ACTION, "User", owner.id, {"customer": customer.id, "staff": staff.email},
                 actor_id=staff.id, actor=staff.username)
    dbsession.commit()
    logout_user()
    login_user(owner, remember=False)
    session[SESSION_KEY] = {"id": staff.id, "name": staff.get_full_name()}
    dbsession.commit()  # the new web session row


def active() -> dict | None:
    return session.get(SESSION_KEY)


def writes_allowed(dbsession) -> bool:
    return bool(account_settings.get(dbsession).get("impersonation_write"))


def visits(dbsession, user_id: int) -> list[AuditLog]:
    """Staff sign-ins as this contact, newest first (for their security page)."""
    return list(dbsession.scalars(select(AuditLog).where(AuditLog.action == ACTION,
                                                         AuditLog.object_type == "User",
                                                         AuditLog.object_id == str(user_id))
                                  .order_by(AuditLog.id.desc()).limit(20)))
