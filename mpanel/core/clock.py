"""The tenant's calendar: "today" and "now" in the tenant's time zone.

Times are stored in UTC; what is due, overdue or expiring is decided on the
tenant's local date. Every plugin asks here, never ``date.today()``.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo

from mpanel.core.tenancy import require_tenant_id


@lru_cache(maxsize=256)
def zone(name: str | None) -> ZoneInfo:
    return ZoneInfo(name or "UTC")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def tenant_zone(session, tenant_id: int | None = None) -> ZoneInfo:
    """The time zone of ``tenant_id`` (default: the tenant in scope)."""
    from mpanel.modules.tenants.models import Tenant

    tenant = session.get(Tenant, tenant_id or require_tenant_id())
    return zone(tenant.timezone if tenant is not None else None)


def tenant_now(session, tenant_id: int | None = None) -> dt.datetime:
    """Now, as an aware datetime in the tenant's zone."""
    return utcnow().astimezone(tenant_zone(session, tenant_id))


def tenant_today(session, tenant_id: int | None = None) -> dt.date:
    """The tenant's local date: due dates, renewals and reminders follow it."""
    return tenant_now(session, tenant_id).date()


def local_date(moment: dt.datetime, session, tenant_id: int | None = None) -> dt.date:
    """The tenant's calendar date of a stored (UTC) moment."""
    return moment.astimezone(tenant_zone(session, tenant_id)).date()
