"""Renewals and expiry reminders fall due on the tenant's calendar, not the
server's: around midnight a tenant at UTC+14 is a day ahead of one at UTC-11."""

import datetime as dt

import pytest
from mpanel_domains import tasks
from mpanel_domains.models import Domain
from mpanel_domains.signals import domain_expiring, domain_renewal_due
from sqlalchemy import update

from mpanel.core import clock
from mpanel.modules.tenants.models import Tenant

# 11:30 UTC on 30 June: already 1 July, 01:30, at UTC+14; still 30 June, 00:30, at UTC-11.
NOW = dt.datetime(2026, 6, 30, 11, 30, tzinfo=dt.UTC)
EXPIRES = dt.date(2026, 7, 31)  # 30 days after 1 July: the renewal window and the 30-day reminder


@pytest.fixture
def at_noon_utc(monkeypatch):
    monkeypatch.setattr(clock, "utcnow", lambda: NOW)


def _tenant_in(factory, tenant, zone):
    factory.commit(lambda s: s.execute(update(Tenant).where(Tenant.id == tenant.id).values(timezone=zone)))


@pytest.mark.parametrize(("zone", "due"), [("Pacific/Kiritimati", True), ("Pacific/Pago_Pago", False)])
def test_renewal_and_reminder_follow_the_tenants_date(app, factory, tenant, make_domain, received, at_noon_utc,
                                                      zone, due):
    _tenant_in(factory, tenant, zone)
    domain_id = make_domain(tenant, tenant.customer(), "midnight.com")
    factory.commit(lambda s: s.execute(update(Domain).where(Domain.id == domain_id)
                                       .values(status="active", expires_at=EXPIRES, auto_renew=True)), tenant.id)
    with received(domain_renewal_due, tenant.id, lambda d, kw: d.name) as renewals, \
            received(domain_expiring, tenant.id, lambda d, kw: (d.name, kw["kind"], kw["days"])) as reminders, \
            app.app_context():
        assert tasks.notices_all.run_tenant(tenant.id)["status"] == "ok"
    assert renewals == (["midnight.com"] if due else [])
    assert reminders == ([("midnight.com", "expiring_30", 30)] if due else [])
