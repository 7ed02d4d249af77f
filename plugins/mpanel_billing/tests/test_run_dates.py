"""A billing run with a date in the future (``--date``) decides what is due as of
that date but issues on the tenant's today: no document is dated after today, so
numbering goes on and orders placed the same day still work."""

import datetime as dt

from mpanel_billing import run
from mpanel_billing.models import Invoice
from mpanel_billing.testing import make_plans, order
from sqlalchemy import select

from mpanel.core.clock import tenant_today


def test_a_run_dated_in_the_future_bills_what_is_due_then_but_issues_today(billing):
    plans = make_plans(billing)
    today = billing.run(tenant_today)
    customer = billing.customer()
    order(billing, customer, plans["small"], on=today)
    future = today + dt.timedelta(days=70)  # two more monthly periods are due by then
    result = run.run_tenant(billing.id, future)
    assert result["status"] == "ok", result
    assert result["counts"]["date"] == future.isoformat() and result["counts"]["issue_date"] == today.isoformat()
    assert result["counts"]["periods"] >= 2
    dates = billing.run(lambda s: s.execute(select(Invoice.issue_date, Invoice.due_date)
                                            .where(Invoice.number.is_not(None))).all())
    assert len(dates) == 1 + result["counts"]["invoices"]
    assert max(issued for issued, _due in dates) == today
    assert all(due >= issued for issued, due in dates)
    # The same day, a new order is numbered after the run's invoices and issued today.
    service_id = order(billing, billing.customer(), plans["large"], on=today)
    assert service_id is not None
    latest = billing.run(lambda s: s.scalars(select(Invoice).order_by(Invoice.number_seq.desc())).first().issue_date)
    assert latest == today
