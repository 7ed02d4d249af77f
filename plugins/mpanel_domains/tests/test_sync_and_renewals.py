"""The sync task (batches, automation status, registry changes) and renewal notices."""

import datetime as dt

from mpanel_domains import renewals, tasks
from mpanel_domains.models import Domain
from mpanel_domains.signals import domain_expiring, domain_renewal_due, domain_status_changed
from mpanel_registrar_demo.models import DemoRegistration
from sqlalchemy import select, update

from mpanel.core.settings import set_settings
from mpanel.core.tenancy import tenant_scope
from mpanel.extensions import db
from mpanel.modules.automation.models import AutomationRun


def _in(app, tenant, fn):
    with app.app_context(), tenant_scope(tenant.id):
        result = fn(db.session)
        db.session.commit()
        return result


def _runs(app, tenant, task):
    with app.app_context(), tenant_scope(tenant.id):
        return [(r.status, r.counts) for r in db.session.scalars(
            select(AutomationRun).where(AutomationRun.task == task).order_by(AutomationRun.id))]


def test_sync_pages_through_batches_and_records_counts(app, factory, tenant, make_domain, received):
    factory.commit(lambda s: set_settings(s, "domains", {"sync_batch_size": "2"}), tenant.id)
    customer = tenant.customer()
    ids = [make_domain(tenant, customer, f"sync{i}.com") for i in range(5)]
    later = dt.date.today() + dt.timedelta(days=400)

    def registry_changes(session):
        session.execute(update(DemoRegistration).where(DemoRegistration.name == "sync0.com")
                        .values(expires_at=later))
        session.execute(update(DemoRegistration).where(DemoRegistration.name == "sync1.com")
                        .values(expires_at=dt.date.today() - dt.timedelta(days=3)))
        session.execute(update(Domain).where(Domain.id == ids[4]).values(status="cancelled"))  # not synced

    _in(app, tenant, registry_changes)
    with received(domain_status_changed, tenant.id, lambda d, kw: (d.name, kw["old"], kw["new"])) as changes, \
            app.app_context():
        result = tasks.sync_all.call_local()
    assert result["status"] == "ok" and result["counts"]["tenants"] >= 1
    assert changes == [("sync1.com", "active", "expired")]
    [(status, counts)] = _runs(app, tenant, tasks.SYNC_TASK)
    assert status == "ok"
    assert counts == {"checked": 4, "updated": 2, "failed": 0, "batches": 2}

    def check(session):
        domains = {d.name: d for d in session.scalars(select(Domain))}
        assert domains["sync0.com"].expires_at == later
        assert domains["sync1.com"].status == "expired"
        assert all(domains[f"sync{i}.com"].last_synced_at for i in range(4))
        assert domains["sync4.com"].last_synced_at is None

    _in(app, tenant, check)


def test_sync_failure_is_recorded_per_domain(app, factory, tenant, make_domain):
    make_domain(tenant, tenant.customer(), "vanished.com")
    _in(app, tenant, lambda s: s.execute(update(DemoRegistration).values(name="elsewhere.com")))
    with app.app_context():
        tasks.sync_all.call_local()
    [(status, counts)] = _runs(app, tenant, tasks.SYNC_TASK)
    assert status == "failed" and counts["failed"] == 1
    error = _in(app, tenant, lambda s: s.scalar(select(Domain.sync_error)))
    assert "DomainNotFound" in error


def test_renewal_due_and_reminders_are_sent_once(app, factory, tenant, make_domain, received):
    customer = tenant.customer()
    today = dt.date.today()
    for name, days, auto in (("soon.com", 10, True), ("later.com", 60, True), ("manual.com", 6, False),
                             ("gone.com", -2, True)):
        domain_id = make_domain(tenant, customer, name)
        _in(app, tenant, lambda s, i=domain_id, d=days, a=auto: s.execute(update(Domain).where(Domain.id == i).values(
            expires_at=today + dt.timedelta(days=d), auto_renew=a)))
    assert _in(app, tenant, lambda s: [d.name for d in renewals.due_for_renewal(s)]) == ["gone.com", "soon.com"]
    with received(domain_renewal_due, tenant.id, lambda d, kw: d.name) as due, \
            received(domain_expiring, tenant.id, lambda d, kw: (d.name, kw["kind"], kw["days"])) as reminders, \
            app.app_context():
        tasks.notices_all.call_local()
        tasks.notices_all.call_local()  # a second run sends nothing new
    assert sorted(due) == ["gone.com", "soon.com"]
    assert sorted(reminders) == [("gone.com", "expired", -2), ("manual.com", "expiring_7", 6),
                                 ("soon.com", "expiring_14", 10)]
    runs = _runs(app, tenant, tasks.NOTICES_TASK)
    assert runs[0] == ("ok", {"renewal_due": 2, "expired": 1, "expiring_7": 1, "expiring_14": 1})
    assert runs[1] == ("ok", {})
