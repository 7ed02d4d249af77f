"""The per-tenant fan-out of periodic tasks (mpanel.core.tasks.per_tenant_periodic):
one recorded run per tenant using it, errors captured with their text, one run
at a time per tenant, and runs killed mid-way closed as failed by the next run."""

import zlib

from huey import crontab
from sqlalchemy import select

from mpanel.core.tasks import per_tenant_periodic
from mpanel.core.tenancy import current_tenant_id, tenant_scope
from mpanel.extensions import db
from mpanel.modules.automation.models import AutomationRun

broken: set = set()


@per_tenant_periodic(crontab(minute="*/5"), "test.fanout", uses=("testplugin",))
def _fanout(counts):
    if current_tenant_id() in broken:
        raise ConnectionError("provider down")
    counts["seen"] = current_tenant_id()
    return 0


@per_tenant_periodic(crontab(minute="*/5"), "test.inline", queue=False, record=False)
def _inline(counts):
    if current_tenant_id() in broken:
        raise ValueError("bad row")
    counts["done"] = 2
    return 0


def _runs(app, tenant_id, task="test.fanout.tenant"):
    with app.app_context(), tenant_scope(tenant_id):
        rows = db.session.scalars(select(AutomationRun).where(AutomationRun.task == task).order_by(AutomationRun.id))
        return [(r.status, r.counts, r.error) for r in rows]


def test_each_tenant_using_it_gets_its_own_run_and_error(app, factory):
    ok, failing, without = factory.tenant(plugins=["testplugin"]), factory.tenant(plugins=["testplugin"]), \
        factory.tenant(plugins=[])
    broken.add(failing.id)
    try:
        with app.app_context():
            result = _fanout.call_local()
    finally:
        broken.discard(failing.id)
    assert result["status"] == "ok" and result["counts"]["tenants"] >= 3
    assert _runs(app, ok.id) == [("ok", {"seen": ok.id}, None)]
    assert _runs(app, failing.id) == [("failed", {}, "ConnectionError: provider down")]
    assert _runs(app, without.id) == [("ok", {"not_used": True}, None)]


def test_inline_sweep_adds_up_counts_and_keeps_the_errors_in_its_row(app, factory):
    first, second = factory.tenant(), factory.tenant()
    broken.add(second.id)
    try:
        with app.app_context():
            result = _inline.call_local()
    finally:
        broken.discard(second.id)
    assert result["status"] == "failed" and result["failures"] == 1
    assert result["counts"]["done"] >= 2
    assert "errors" not in result["counts"]  # the texts go into the run's row
    assert f"tenant {second.id}: ValueError: bad row" in result["error"]
    assert _runs(app, first.id, "test.inline.tenant") == []  # not recorded per tenant


def test_a_killed_run_is_closed_as_failed_by_the_next_run(app, factory):
    tenant = factory.tenant(plugins=["testplugin"])

    def killed(session):  # what a run killed after it started leaves behind
        session.add(AutomationRun(task="test.fanout.tenant", status="running"))

    factory.commit(killed, tenant.id)
    with app.app_context():
        _fanout.run_tenant(tenant.id)
    [(stale, _counts, error), (status, counts, _error)] = _runs(app, tenant.id)
    assert stale == "failed" and error.startswith("interrupted")
    assert (status, counts) == ("ok", {"seen": tenant.id, "closed_stale_runs": 1})


def test_a_run_still_going_is_neither_doubled_nor_closed(app, factory, runtime_connection):
    tenant = factory.tenant(plugins=["testplugin"])
    factory.commit(lambda s: s.add(AutomationRun(task="test.fanout.tenant", status="running")), tenant.id)
    key = (zlib.crc32(b"test.fanout.tenant") - 2**31, tenant.id)
    runtime_connection.execute("SELECT pg_advisory_lock(%s, %s)", key)  # the live run's lock
    try:
        with app.app_context():
            assert _fanout.run_tenant(tenant.id)["status"] == "skipped"
    finally:
        runtime_connection.execute("SELECT pg_advisory_unlock(%s, %s)", key)
    assert [status for status, _c, _e in _runs(app, tenant.id)] == ["running"]
