"""Telling a tenant's staff that something needs them (a side effect that failed for
good, a domain another registrar holds ...): a mail to each active Owner and Admin."""

from __future__ import annotations

from flask_appbuilder.security.sqla.models import Role
from sqlalchemy import select

from mpanel.core.tenancy import require_tenant_id

STAFF_ROLES = ("Owner", "Admin")


def staff_addresses(session) -> list[str]:
    from mpanel.core.security.models import MPanelUser

    tenant_id = require_tenant_id()
    return list(session.scalars(
        select(MPanelUser.email).where(MPanelUser.tenant_id == tenant_id, MPanelUser.customer_id.is_(None),
                                       MPanelUser.active.is_(True), MPanelUser.roles.any(Role.name.in_(STAFF_ROLES)))
        .order_by(MPanelUser.id)))


def tell_staff(session, subject: str, text: str, dedupe_key: str) -> None:
    """Queue the alert to every staff address in the current transaction (once per key)."""
    from mpanel.core import mail

    for address in staff_addresses(session):
        mail.enqueue(session, address, subject, text, dedupe_key=f"{dedupe_key}:{address}"[:200], alert=True)
