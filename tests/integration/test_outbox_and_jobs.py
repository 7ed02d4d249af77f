import pytest
from huey import crontab
from sqlalchemy import select

from mpanel.core import outbox
from mpanel.core.tasks import huey, locked_periodic
from mpanel.core.tenancy import tenant_scope
from mpanel.extensions import db
from mpanel.modules.automation.models import AutomationRun

calls: list = []


@outbox.handler("test.record")
def _record(payload):
    calls.append(payload)


@outbox.handler("test.flaky")
def _flaky(payload):
    raise ConnectionError("remote down")


def _messages(app, tenant_id):
    with app.app_context(), tenant_scope(tenant_id):
        return [(m.kind, m.status, m.attempts) for m in db.session.scalars(select(outbox.OutboxMessage))]


def test_side_effect_runs_after_commit_exactly_once_per_key(app, factory):
    t = factory.tenant()
    calls.clear()
    for _ in range(2):  # the same key enqueued twice, in two transactions
        factory.commit(lambda s: outbox.enqueue(s, "test.record", {"n": 1}, dedupe_key="once"), t.id)
    assert calls == [{"n": 1}]
    assert _messages(app, t.id) == [("test.record", "done", 1)]


def test_rolled_back_work_sends_nothing(app, factory):
    t = factory.tenant()
    calls.clear()
    with app.app_context(), tenant_scope(t.id):
        outbox.enqueue(db.session, "test.record", {"n": 2})
        db.session.rollback()
    assert calls == []
    assert _messages(app, t.id) == []


def test_failing_handler_is_kept_for_retry(app, factory):
    t = factory.tenant()
    factory.commit(lambda s: outbox.enqueue(s, "test.flaky", {}), t.id)
    [(kind, status, attempts)] = _messages(app, t.id)
    assert (kind, status, attempts) == ("test.flaky", "pending", 1)
    with app.app_context(), tenant_scope(t.id):
        message = db.session.scalar(select(outbox.OutboxMessage))
        assert "remote down" in message.last_error
        assert message.next_attempt_at > message.created_at


@locked_periodic(crontab(minute="*/5"), "test.sweep")
def _sweep(counts):
    counts["seen"] = counts.get("seen", 0) + 3
    return 0


@pytest.fixture
def app_huey(app):
    return huey


def test_locked_periodic_records_its_run_and_skips_when_locked(app, app_huey):
    with app.app_context():
        assert _sweep.call_local() == {"status": "ok", "counts": {"seen": 3}, "failures": 0, "error": None}
        with app_huey.lock_task("test.sweep"):
            assert _sweep.call_local() is None  # another run holds the lock
    with app.app_context(), tenant_scope(None):
        runs = db.session.scalars(select(AutomationRun).where(AutomationRun.task == "test.sweep")).all()
        assert [(r.status, r.counts) for r in runs] == [("ok", {"seen": 3})]
        assert runs[0].finished_at is not None


def test_sweep_retries_due_messages_of_every_tenant(app, factory):
    import datetime as dt

    from sqlalchemy import update

    t = factory.tenant()
    calls.clear()
    state = {"fail": True}

    @outbox.handler("test.recovers")
    def _recovers(payload):
        if state["fail"]:
            raise ConnectionError("still down")
        calls.append(payload)

    factory.commit(lambda s: outbox.enqueue(s, "test.recovers", {"n": 7}), t.id)
    assert _messages(app, t.id) == [("test.recovers", "pending", 1)]
    state["fail"] = False
    # Not yet due: the sweep leaves it alone.
    with app.app_context():
        outbox.sweep.call_local()
    assert calls == []
    past = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    factory.commit(lambda s: s.execute(update(outbox.OutboxMessage).values(next_attempt_at=past)), t.id)
    with app.app_context():
        result = outbox.sweep.call_local()
    assert calls == [{"n": 7}] and result["counts"]["done"] >= 1
    assert _messages(app, t.id) == [("test.recovers", "done", 2)]


@outbox.handler("test.broken_sql")
def _broken_sql(payload):
    from sqlalchemy import text

    db.session.execute(text("SELECT 1 / 0"))


def test_handler_database_error_is_recorded_not_looping(app, factory):
    t = factory.tenant()
    factory.commit(lambda s: outbox.enqueue(s, "test.broken_sql", {}), t.id)
    assert _messages(app, t.id) == [("test.broken_sql", "pending", 1)]
    with app.app_context(), tenant_scope(t.id):
        message = db.session.scalar(select(outbox.OutboxMessage))
        assert "division by zero" in message.last_error
