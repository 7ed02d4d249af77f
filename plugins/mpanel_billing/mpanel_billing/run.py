"""The recurring billing run: invoice every active service due within the tenant's
lead time, a customer's items of one currency and due date on one invoice.

Exactly once: each billed period is a row unique per (service, period start),
inserted in the transaction that adds the invoice line and advances the
service. A batch of customers is one transaction through the bulk path
(bulk.py); if it fails (a period billed meanwhile, a refused line), the batch
is retried customer by customer, one transaction each. The services are locked
``FOR UPDATE SKIP LOCKED``, so a concurrent run leaves them to the run holding
them, and a run killed midway leaves only whole, committed batches behind.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from decimal import Decimal
from itertools import groupby
from operator import attrgetter
from types import SimpleNamespace

from huey import crontab
from sqlalchemy import and_, or_, select, text
from sqlalchemy.dialects.postgresql import insert

from mpanel.core import audit
from mpanel.core.bulkinsert import insert_rows, keyed_json
from mpanel.core.clock import local_date, tenant_today
from mpanel.core.tasks import per_tenant_periodic, record_failure
from mpanel.core.tenancy import require_tenant_id
from mpanel.modules.customers.models import Customer

from . import bulk, invoices
from .gateways import autopay
from .services import consequences, lifecycle
from .services.cycles import add_cycles, period
from .services.models import ACTIVE, CANCELLED, Service, ServicePeriod
from .services.pricing import coupon_discount
from .services.settings import load as load_settings

log = logging.getLogger(__name__)


class AlreadyBilled(RuntimeError):
    """A period of this customer's services was billed meanwhile (the transaction is dropped)."""


def _due(horizon: dt.date):
    return and_(Service.status == ACTIVE, Service.next_due_date <= horizon,
                or_(Service.cancel_at.is_(None), Service.next_due_date < Service.cancel_at))


def run(session, on: dt.date | None = None, now: dt.datetime | None = None, bulk_path: bool = True) -> dict:
    """One pass over the tenant in scope, committing per batch of customers; returns counts.

    ``on`` simulates the day the run looks at (default: the tenant's today, at
    ``now``): what is due, cancellations, consequences and charges follow it. Its
    invoices are issued on that day only when it is not after the tenant's today: a
    run never dates a document in the future (numbers are chronological, so the
    series could not go on today)."""
    settings = load_settings(session)
    real_today = local_date(now, session) if now else tenant_today(session)
    as_of = on or real_today
    today = min(as_of, real_today)  # the issue date
    horizon = as_of + dt.timedelta(days=settings.renewal_lead_days)
    counts = {"date": as_of.isoformat(), "issue_date": today.isoformat(), "customers": 0, "invoices": 0,
              "periods": 0, "skipped": 0, "failures": 0}
    after = 0
    while True:
        batch = session.scalars(select(Service.customer_id).where(_due(horizon), Service.customer_id > after)
                                .group_by(Service.customer_id).order_by(Service.customer_id)
                                .limit(settings.run_batch_size)).all()
        session.commit()
        if not batch:
            break
        if bulk_path and _bill_batch_or_rollback(session, batch, today, horizon, counts):
            after = batch[-1]
            continue
        for customer_id in batch:
            billed = {"customers": 0, "invoices": 0, "periods": 0}
            try:
                bill_customer(session, customer_id, today, horizon, billed)
                session.commit()
                for key, value in billed.items():  # counted only once committed
                    counts[key] += value
            except AlreadyBilled:
                session.rollback()
                counts["skipped"] += 1
            except Exception as exc:
                session.rollback()
                log.exception("billing customer %s failed", customer_id)
                record_failure(counts, f"customer {customer_id}", exc)
        after = batch[-1]
    counts.update(end_cancelled(session, as_of))
    counts.update(consequences.run(session, as_of, settings))
    counts["payments"] = autopay.charge_due_invoices(session, as_of)  # credit, then saved methods
    session.commit()
    return counts


def _bill_batch_or_rollback(session, customer_ids, today, horizon, counts: dict) -> bool:
    """The bulk path for a batch, committed; False (rolled back) if it failed."""
    try:
        batch_counts = bill_batch(session, customer_ids, today, horizon)
        session.commit()
    except Exception:
        session.rollback()
        log.info("billing batch after customer %s: retrying customer by customer", customer_ids[0], exc_info=True)
        return False
    for key, value in batch_counts.items():
        counts[key] += value
    return True


def bill_batch(session, customer_ids, today: dt.date, horizon: dt.date) -> dict:
    """Invoice a batch of customers' due periods with the bulk path; returns counts."""
    table = Service.__table__
    services = [SimpleNamespace(**row._mapping) for row in session.execute(
        select(table).where(table.c.customer_id.in_(customer_ids), _due(horizon))
        .order_by(table.c.customer_id, table.c.id).with_for_update(skip_locked=True))]
    customers = _customers(session, {service.customer_id for service in services})
    drafts, billed = [], []
    for customer_id, group in groupby(services, key=attrgetter("customer_id")):
        customer = customers[customer_id]
        for (currency, due), items in sorted(due_periods(session, list(group), customer, today, horizon).items()):
            drafts.append(bulk.Draft(customer, currency, due, [
                bulk.Line(service.description, service.recurring_amount, service.tax_class, discount,
                          service.coupon if discount else None, start, end)
                for service, start, end, discount in items]))
            billed.append(items)
    if not drafts:
        return {}
    bulk.insert_drafts(session, drafts)
    periods = [{"tenant_id": require_tenant_id(), "customer_id": draft.customer.id, "service_id": service.id,
                "period_start": start, "period_end": end, "invoice_id": draft.id, "amount": net,
                "currency": draft.currency}
               for draft, items in zip(drafts, billed, strict=True)
               for (service, start, end, _d), net in zip(items, draft.line_nets, strict=True)]
    inserted = insert_rows(session, ServicePeriod.__table__, periods,
                           "ON CONFLICT (service_id, period_start) DO NOTHING RETURNING id").all()
    if len(inserted) != len(periods):
        raise AlreadyBilled(f"a period of the batch after customer {customer_ids[0]}")
    _advance(session, services)
    bulk.issue(session, drafts, today)
    summary = {"customers": len(customers), "invoices": len(drafts), "periods": len(periods),
               "first_invoice_id": drafts[0].id, "last_invoice_id": drafts[-1].id}
    audit.record(session, "billing.run.batch", "Invoice", None, summary)
    return {key: summary[key] for key in ("customers", "invoices", "periods")}


class BatchCustomer(SimpleNamespace):
    """The columns of a customer that invoicing reads (no ORM object per customer)."""

    display_name = Customer.display_name


_CUSTOMER_COLUMNS = [Customer.__table__.c[name] for name in (
    "id", "company", "first_name", "last_name", "address1", "address2", "city", "postcode", "region", "country",
    "vat_id", "email", "language", "tax_exempt")]


def _customers(session, ids) -> dict:
    rows = session.execute(select(*_CUSTOMER_COLUMNS).where(Customer.__table__.c.id.in_(ids)))
    return {row.id: BatchCustomer(**row._mapping) for row in rows}


# The services' new billing state (and the terms a pending change brought), one UPDATE per batch.
_TERMS = ("anchor_date", "periods_billed", "next_due_date", "product_id", "cycle", "description", "tax_class",
          "recurring_amount")
_ADVANCE = text(
    f"UPDATE billing_services AS s SET pending_change = NULL, ({', '.join(_TERMS)}) = ("
    f"SELECT {', '.join(f'new.{name}' for name in _TERMS)} FROM jsonb_populate_record(NULL::billing_services, "
    "(SELECT CAST(:terms AS jsonb)) -> CAST(s.id AS text)) AS new) WHERE s.id = ANY(:ids)")


def _advance(session, services) -> None:
    rows = [{name: getattr(s, name) for name in ("id", *_TERMS)} for s in services]
    session.execute(_ADVANCE, {"terms": keyed_json(rows), "ids": [s.id for s in services]})


def due_periods(session, services, customer, today: dt.date, horizon: dt.date) -> dict:
    """(currency, due date) -> [(service, start, end, discount)] of the services' periods due
    by ``horizon``; advances each service past them (in memory)."""
    groups = defaultdict(list)
    for service in services:
        while service.next_due_date <= horizon and (service.cancel_at is None
                                                    or service.next_due_date < service.cancel_at):
            if service.pending_change:
                from .services.changes import apply_terms

                apply_terms(service, service.pending_change, service.next_due_date)
            start, end = period(service.anchor_date, service.cycle, service.periods_billed)
            # The catalogue's coupon rules want the Customer object.
            discount = coupon_discount(session, service, session.get(Customer, customer.id),
                                       service.periods_billed) if service.coupon else Decimal(0)
            groups[(service.currency, max(start, today))].append((service, start, end, discount))
            service.periods_billed += 1
            service.next_due_date = add_cycles(service.anchor_date, service.cycle, service.periods_billed)
    return groups


def bill_customer(session, customer_id: int, today: dt.date, horizon: dt.date, counts: dict) -> None:
    """Invoice one customer's due periods (one invoice per currency and due date) and issue them."""
    services = session.scalars(select(Service).where(Service.customer_id == customer_id, _due(horizon))
                               .order_by(Service.id).with_for_update(skip_locked=True)
                               .execution_options(populate_existing=True)).all()
    if not services:
        return
    customer = session.get(Customer, customer_id)
    for (currency, due), items in sorted(due_periods(session, services, customer, today, horizon).items()):
        draft = invoices.create_draft(session, customer, currency, due_date=due)
        for service, start, end, discount in items:
            invoices.add_line(session, draft, service.description, 1, service.recurring_amount,
                              tax_class=service.tax_class, discount=discount,
                              discount_reason=service.coupon if discount else None, period_start=start,
                              period_end=end)
        session.flush()
        record_periods(session, draft, [(service, start, end, line)
                                        for (service, start, end, _d), line in zip(items, draft.lines, strict=True)])
        invoices.issue(session, draft, on=today)
        counts["invoices"] += 1
        counts["periods"] += len(items)
    counts["customers"] += 1


def record_periods(session, invoice, items) -> None:
    """The exactly-once key: one row per (service, period start), or AlreadyBilled.
    ``items``: (service, period start, period end, its invoice line)."""
    if not items:
        return
    rows = [{"tenant_id": require_tenant_id(), "customer_id": invoice.customer_id, "service_id": service.id,
             "period_start": start, "period_end": end, "invoice_id": invoice.id, "amount": line.net_amount,
             "currency": invoice.currency} for service, start, end, line in items]
    inserted = session.execute(insert(ServicePeriod).values(rows).on_conflict_do_nothing(
        index_elements=["service_id", "period_start"]).returning(ServicePeriod.id)).all()
    if len(inserted) != len(rows):
        raise AlreadyBilled(f"invoice of customer {invoice.customer_id}")


def end_cancelled(session, today: dt.date) -> dict:
    """Services whose cancellation date has come are cancelled."""
    ids = session.scalars(select(Service.id).where(Service.cancel_at <= today,
                                                   Service.status.notin_((CANCELLED, "terminated")))).all()
    for service_id in ids:
        lifecycle.transition(session, session.get(Service, service_id), CANCELLED, "cancellation requested")
        session.commit()
    return {"cancelled": len(ids)}


@per_tenant_periodic(crontab(minute="23"), "billing.run", uses=("billing",))
def billing_run(counts: dict, on: dt.date | None = None) -> int:
    """Hourly, per tenant (each tenant's own date decides what is due)."""
    from mpanel.extensions import db

    counts.update(run(db.session, on=on))
    return counts.get("failures", 0)


def run_tenant(tenant_id: int, on: dt.date | None = None) -> dict:
    """One tenant's run with its automation-status row (for the CLI and the benchmark)."""
    return billing_run.run_tenant(tenant_id, on)
