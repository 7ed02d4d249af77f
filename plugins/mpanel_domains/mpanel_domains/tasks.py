"""Periodic work: registry sync and renewal notices, per tenant.

Each sweep is a per-tenant periodic task (:func:`mpanel.core.tasks.per_tenant_periodic`):
locked, and one automation-status run per tenant using the plugin, so staff
see their tenant's counts and failures.
"""

from __future__ import annotations

from huey import crontab

from mpanel.core.tasks import per_tenant_periodic
from mpanel_domains import renewals, sync


@per_tenant_periodic(crontab(minute="17", hour="*/4"), "domains.sync", uses=("domains",))
def sync_all(counts):
    return sync.sync_tenant(counts)


@per_tenant_periodic(crontab(minute="5", hour="6"), "domains.renewals", uses=("domains",))
def notices_all(counts):
    return renewals.send_notices(counts)


# The automation-status rows of one tenant's runs.
SYNC_TASK, NOTICES_TASK = sync_all.task_name, notices_all.task_name
