"""The unit of work: one atomic step inside the caller's transaction, its audit row,
its outbox message and after-commit work only once committed, no outside call inside."""

import pytest
from sqlalchemy import select

from mpanel.core import outbox
from mpanel.core.audit import AuditLog
from mpanel.core.tenancy import current_tenant_id, tenant_scope
from mpanel.core.unit_of_work import NetworkInUnitOfWork, forbid_network, service, unit_of_work
from mpanel.extensions import db

seen: list = []


@outbox.handler("test.uow")
def _handled(payload):
    seen.append(("outbox", payload["n"]))


def _actions(app, tenant_id):
    with app.app_context(), tenant_scope(tenant_id):
        return db.session.scalars(select(AuditLog.action).where(AuditLog.action.like("uow.%"))
                                  .order_by(AuditLog.id)).all()


def test_after_commit_work_and_outbox_run_once_committed_and_never_after_a_rollback(app, factory):
    tenant = factory.tenant()
    seen.clear()
    with app.app_context(), tenant_scope(tenant.id):
        with unit_of_work(db.session, "uow.kept") as work:
            work.audit(None, n=1)
            work.enqueue("test.uow", {"n": 1}, dedupe_key="uow-1")
            work.after_commit(lambda: seen.append(("after", current_tenant_id())))
        assert seen == []  # not before the caller commits
        db.session.commit()
        assert sorted(seen) == [("after", tenant.id), ("outbox", 1)]
        with unit_of_work(db.session, "uow.dropped") as work:
            work.audit(None)
            work.after_commit(lambda: seen.append(("dropped", 0)))
        db.session.rollback()
        db.session.commit()
    assert ("dropped", 0) not in seen
    assert _actions(app, tenant.id) == ["uow.kept"]


def test_a_failing_unit_undoes_its_writes_and_leaves_the_callers_transaction_usable(app, factory):
    tenant = factory.tenant()

    @service("uow.failing")
    def failing(session):
        session.add(AuditLog(action="uow.inside"))
        session.flush()
        raise ValueError("refused")

    with app.app_context(), tenant_scope(tenant.id):
        db.session.add(AuditLog(action="uow.before"))
        with pytest.raises(ValueError):
            failing(db.session)
        db.session.commit()
    assert _actions(app, tenant.id) == ["uow.before"]


def test_no_outside_call_inside_a_unit_and_inner_units_join_the_outer(app, factory):
    tenant = factory.tenant()
    forbid_network("a registry")  # outside: allowed
    with app.app_context(), tenant_scope(tenant.id):
        with unit_of_work(db.session, "uow.outer") as outer:
            with unit_of_work(db.session, "uow.inner") as inner:
                assert inner is outer
                with pytest.raises(NetworkInUnitOfWork, match=r"inside the unit of work 'uow\.outer'"):
                    forbid_network("a registry")
        db.session.rollback()
    forbid_network("a registry")
