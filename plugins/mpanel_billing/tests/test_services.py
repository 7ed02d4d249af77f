"""Services: transitions, the recurring billing run (exactly once), dunning consequences."""

import datetime as dt
import threading

import pytest
from mpanel_billing import ledger, run
from mpanel_billing.models import Invoice, Service, ServicePeriod
from mpanel_billing.services import lifecycle, signals
from mpanel_billing.testing import D
from sqlalchemy import func, select

from mpanel.core import outbox
from mpanel.core.audit import AuditLog
from mpanel.core.errors import FieldError
from mpanel.modules.automation.models import AutomationRun

DAY = dt.date(2025, 3, 1)


def add_service(billing, customer_id, status="active", due=DAY, cycle="monthly", amount="10.00", **fields):
    def make(session):
        service = Service(customer_id=customer_id, product_id=1, description="Web S", cycle=cycle, currency="EUR",
                          recurring_amount=D(amount), status=status, start_date=due, anchor_date=due,
                          periods_billed=0, next_due_date=due if status == "active" else None, **fields)
        session.add(service)
        session.flush()
        return service.id

    return billing.run(make)


def invoices_of(billing):
    return billing.run(lambda s: [(i.customer_id, i.number, i.total, i.due_date, len(i.lines)) for i in
                                  s.scalars(select(Invoice).order_by(Invoice.number_seq))])


def bill(billing, on=DAY):
    return billing.run(lambda s: run.run(s, on=on))


def test_transitions_are_explicit_audited_signalled_and_idempotent(billing):
    service_id = add_service(billing, billing.customer(), status="pending")
    sent = []
    receiver = lambda sender, **kw: sent.append((sender.id, kw["previous"]))  # noqa: E731
    signals.service_activated.connect(receiver)
    try:
        for _ in range(2):
            billing.run(lambda s: lifecycle.transition(s, s.get(Service, service_id), "active"))
    finally:
        signals.service_activated.disconnect(receiver)
    assert sent == [(service_id, "pending")]
    assert billing.run(lambda s: s.get(Service, service_id).next_due_date) == DAY
    with pytest.raises(FieldError) as refused:
        billing.run(lambda s: lifecycle.transition(s, s.get(Service, service_id), "fraud"))
    assert refused.value.field == "status"
    billing.run(lambda s: lifecycle.transition(s, s.get(Service, service_id), "terminated"))
    with pytest.raises(FieldError):
        billing.run(lambda s: lifecycle.transition(s, s.get(Service, service_id), "active"))
    actions = billing.run(lambda s: s.scalars(select(AuditLog.action).where(
        AuditLog.action.like("service.%"), AuditLog.object_id == str(service_id)).order_by(AuditLog.id)).all())
    assert actions == ["service.active", "service.terminated"]


def test_run_groups_by_customer_currency_and_due_date_and_is_exactly_once(billing):
    alice, bob = billing.customer(), billing.customer()
    add_service(billing, alice)
    add_service(billing, alice, amount="5.00")
    add_service(billing, alice, due=DAY + dt.timedelta(days=3))
    add_service(billing, bob, due=DAY + dt.timedelta(days=20))  # beyond the 14 days' lead
    first = bill(billing)
    assert first["invoices"] == 2 and first["periods"] == 3
    second = bill(billing)
    assert second["invoices"] == 0
    rows = invoices_of(billing)
    assert [(r[0], r[2], r[3], r[4]) for r in rows] == [(alice, D("17.85"), DAY, 2),
                                                        (alice, D("11.90"), DAY + dt.timedelta(days=3), 1)]
    assert billing.run(lambda s: s.scalar(select(func.count(ServicePeriod.id)))) == 3
    assert billing.run(lambda s: sorted(s.scalars(select(Service.next_due_date)).all())) == [
        dt.date(2025, 3, 21), dt.date(2025, 4, 1), dt.date(2025, 4, 1), dt.date(2025, 4, 4)]
    # a month later: bob's first period and everyone's next one
    third = bill(billing, DAY + dt.timedelta(days=31))
    assert third["invoices"] == 3 and third["periods"] == 4
    numbers = [r[1] for r in invoices_of(billing)]
    assert [int(n.rsplit("-", 1)[-1]) for n in numbers] == list(range(1, 6))


def test_run_killed_midway_then_rerun_bills_each_period_once(billing, monkeypatch):
    billing.configure(run_batch_size=2)  # the run commits per batch of two customers
    customers = [billing.customer() for _ in range(5)]
    for customer_id in customers:
        add_service(billing, customer_id)
    real, calls = run.bill_batch, []

    class Killed(BaseException):
        pass

    def dying(*args, **kwargs):
        calls.append(1)
        counts = real(*args, **kwargs)
        if len(calls) == 2:
            raise Killed  # after the second batch's writes, before its commit
        return counts

    monkeypatch.setattr(run, "bill_batch", dying)
    with pytest.raises(Killed):
        bill(billing)
    assert len(invoices_of(billing)) == 2
    monkeypatch.setattr(run, "bill_batch", real)
    assert bill(billing)["invoices"] == 3
    rows = invoices_of(billing)
    assert sorted(r[0] for r in rows) == sorted(customers)
    assert [int(r[1].rsplit("-", 1)[-1]) for r in rows] == [1, 2, 3, 4, 5]


def test_two_concurrent_runs_bill_each_period_once_and_mail_once(billing):
    customers = [billing.customer() for _ in range(12)]
    for customer_id in customers:
        add_service(billing, customer_id)
        add_service(billing, customer_id, amount="3.00")
    results, errors = [], []

    def worker():
        try:
            results.append(bill(billing))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sum(r["invoices"] for r in results) == 12
    rows = invoices_of(billing)
    assert sorted(r[0] for r in rows) == sorted(customers)
    assert [int(r[1].rsplit("-", 1)[-1]) for r in rows] == list(range(1, 13))
    keys = billing.run(lambda s: s.scalars(select(outbox.OutboxMessage.dedupe_key)
                                           .where(outbox.OutboxMessage.kind == "billing.document")).all())
    assert len(keys) == len(set(keys)) == 12


def test_lead_time_follows_the_tenant_time_zone(make_billing):
    # 11:30 UTC on 10 March 2025 is already 11 March in Auckland, still 10 March in Los Angeles.
    now = dt.datetime(2025, 3, 10, 11, 30, tzinfo=dt.UTC)
    due = dt.date(2025, 3, 25)
    billed = {}
    for zone in ("Pacific/Auckland", "America/Los_Angeles"):
        billing = make_billing()
        billing.run(lambda s, zone=zone: setattr(s.get(__import__("mpanel.modules.tenants.models", fromlist=["Tenant"])
                                                       .Tenant, billing.id), "timezone", zone))
        add_service(billing, billing.customer(), due=due)
        billed[zone] = billing.run(lambda s: run.run(s, now=now))["invoices"]
    assert billed == {"Pacific/Auckland": 1, "America/Los_Angeles": 0}


def test_run_records_an_automation_status_with_counts(billing):
    add_service(billing, billing.customer())
    result = run.run_tenant(billing.id, DAY)
    assert result["status"] == "ok" and result["counts"]["invoices"] == 1
    counts = billing.run(lambda s: s.scalars(select(AutomationRun.counts).where(
        AutomationRun.task == "billing.run.tenant").order_by(AutomationRun.id.desc())).first())
    assert counts["periods"] == 1


def test_overdue_suspends_and_terminates_once_and_payment_unsuspends(billing):
    service_id = add_service(billing, billing.customer())
    bill(billing)
    sent = []
    receiver = lambda sender, **kw: sent.append(sender.id)  # noqa: E731
    signals.service_suspended.connect(receiver)
    try:
        for _ in range(2):
            counts = bill(billing, DAY + dt.timedelta(days=8))
        assert counts["suspend"] == 0
    finally:
        signals.service_suspended.disconnect(receiver)
    assert sent == [service_id]
    assert billing.run(lambda s: s.get(Service, service_id).status) == "suspended"
    invoice_id = billing.run(lambda s: s.scalar(select(ServicePeriod.invoice_id)))
    for _ in range(2):
        billing.run(lambda s: ledger.record_payment(s, s.get(Invoice, invoice_id), D("11.90"), "EUR", "bank", "t1"))
    assert billing.run(lambda s: s.get(Service, service_id).status) == "active"


def test_termination_after_the_terminate_days(billing):
    service_id = add_service(billing, billing.customer())
    bill(billing)
    counts = bill(billing, DAY + dt.timedelta(days=30))
    assert counts["terminate"] == 1
    assert billing.run(lambda s: s.get(Service, service_id).status) == "terminated"
    assert bill(billing, DAY + dt.timedelta(days=31))["terminate"] == 0
