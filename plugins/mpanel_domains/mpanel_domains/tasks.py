"""Periodic work: registry sync and renewal notices, per tenant.

Each sweep is a locked periodic task (never overlapping itself) that opens
one automation-status run per tenant using the plugin, so staff see their
tenant's counts and failures.
"""

from __future__ import annotations

from huey import crontab
from sqlalchemy import select

from mpanel.core.plugins.engine import active_plugin_names
from mpanel.core.tasks import locked_periodic, run_recorded
from mpanel.core.tenancy import tenant_scope
from mpanel.extensions import db
from mpanel.modules.tenants.models import Tenant
from mpanel_domains import renewals, sync

SYNC_TASK = "domains.sync"
NOTICES_TASK = "domains.renewals"


def tenants_using_domains() -> list[int]:
    session = db.session
    ids = session.scalars(select(Tenant.id).where(Tenant.active.is_(True)).order_by(Tenant.id)).all()
    using = []
    for tenant_id in ids:
        with tenant_scope(tenant_id, session=session):
            if "domains" in active_plugin_names(session):
                using.append(tenant_id)
    session.rollback()
    return using


def for_each_tenant(counts: dict, task: str, fn) -> int:
    """Run ``fn(counts)`` per tenant as its own recorded run; returns the failures."""
    failures = 0
    for tenant_id in tenants_using_domains():
        result = run_recorded(task, fn, tenant_id=tenant_id)
        counts["tenants"] = counts.get("tenants", 0) + 1
        failures += result["failures"]
    return failures


@locked_periodic(crontab(minute="17", hour="*/4"), SYNC_TASK)
def sync_all(counts):
    return for_each_tenant(counts, SYNC_TASK, sync.sync_tenant)


@locked_periodic(crontab(minute="5", hour="6"), NOTICES_TASK)
def notices_all(counts):
    return for_each_tenant(counts, NOTICES_TASK, renewals.send_notices)
