"""Renewals falling due and expiry reminders, as signals for billing and mail.

Each notice is recorded in ``domains_notices`` first, so it is sent once per
domain, kind and expiry date however often the daily task runs.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, exists, select
from sqlalchemy.dialects.postgresql import insert

from mpanel.core.clock import tenant_today
from mpanel.extensions import db
from mpanel_domains import settings as domain_settings
from mpanel_domains.constants import (
    ACTIVE,
    EXPIRED,
    GRACE,
    QUEUED,
    REDEMPTION,
    REGISTERED,
    RENEW,
    RESTORE,
    RUNNING,
)
from mpanel_domains.models import Domain, DomainAction, DomainNotice
from mpanel_domains.signals import domain_auto_renew_changed, domain_expiring, domain_renewal_due

RENEWABLE = (ACTIVE, GRACE, EXPIRED)


def due_for_renewal(session, today: dt.date | None = None) -> list[Domain]:
    """Auto-renewing domains within ``renewal_days_before`` of expiry (or past it,
    still renewable) with no renewal queued."""
    today = today or tenant_today(session)
    horizon = today + dt.timedelta(days=domain_settings.load(session).renewal_days_before)
    queued = exists().where(DomainAction.domain_id == Domain.id, DomainAction.action.in_((RENEW, RESTORE)),
                            DomainAction.status.in_((QUEUED, RUNNING)))
    return session.scalars(select(Domain).where(
        Domain.auto_renew.is_(True), Domain.status.in_(RENEWABLE), Domain.expires_at <= horizon, ~queued,
    ).order_by(Domain.expires_at, Domain.id)).all()


def reminder_kind(days_left: int, steps: tuple[int, ...], status: str = ACTIVE) -> str | None:
    """The reminder due ``days_left`` before expiry: the closest step not below it
    (a missed earlier step is not sent late), or "expired" once past it, and
    "redemption" once the registry holds it in redemption (a restore costs more)."""
    if days_left < 0:
        return "redemption" if status == REDEMPTION else "expired"
    fitting = [step for step in steps if step >= days_left]
    return f"expiring_{min(fitting)}" if fitting else None


def _first_time(session, domain: Domain, kind: str) -> bool:
    """Record the notice; False if it was sent before."""
    inserted = session.execute(
        insert(DomainNotice).values(tenant_id=domain.tenant_id, domain_id=domain.id, kind=kind,
                                    expires_at=domain.expires_at)
        .on_conflict_do_nothing(constraint="uq_domains_notices_once").returning(DomainNotice.id))
    return inserted.scalar() is not None


def auto_renew_changed(session, domain: Domain) -> None:
    """Auto-renew was turned on or off: tell billing. Turned on, the renewal of the
    current expiry falls due again at the next run (its notice is forgotten)."""
    if domain.auto_renew:
        session.execute(delete(DomainNotice).where(DomainNotice.domain_id == domain.id,
                                                   DomainNotice.kind == "renewal_due",
                                                   DomainNotice.expires_at == domain.expires_at))
    domain_auto_renew_changed.send(domain, enabled=domain.auto_renew)


def send_notices(counts: dict, today: dt.date | None = None) -> int:
    """The daily run for the tenant in scope; fills ``counts``, returns failures (none)."""
    session = db.session
    today = today or tenant_today(session)
    config = domain_settings.load(session)
    for domain in due_for_renewal(session, today):
        if _first_time(session, domain, "renewal_due"):
            domain_renewal_due.send(domain, expires_at=domain.expires_at, years=1)
            counts["renewal_due"] = counts.get("renewal_due", 0) + 1
    horizon = today + dt.timedelta(days=max(config.reminder_days, default=0))
    expiring = session.scalars(select(Domain).where(
        Domain.status.in_(REGISTERED), Domain.expires_at.is_not(None), Domain.expires_at <= horizon)
        .order_by(Domain.expires_at, Domain.id)).all()
    for domain in expiring:
        days_left = (domain.expires_at - today).days
        kind = reminder_kind(days_left, config.reminder_days, domain.status)
        if kind and _first_time(session, domain, kind):
            domain_expiring.send(domain, expires_at=domain.expires_at, days=days_left, kind=kind)
            counts[kind] = counts.get(kind, 0) + 1
    session.commit()
    return 0
