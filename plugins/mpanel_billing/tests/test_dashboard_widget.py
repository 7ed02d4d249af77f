"""The staff home shows billing's receivables widget: open and overdue invoices
per currency, each figure checked against the invoices themselves."""

import datetime as dt
import re

from mpanel_billing.dashboard import receivables
from mpanel_billing.models import Invoice
from sqlalchemy import select

from mpanel.core.clock import tenant_today


def test_staff_home_shows_unpaid_and_overdue_invoices_matching_the_rows(client, billing):
    customer_id = billing.customer(country="US")
    billing.invoice(customer_id, lines=(("Old", "1", "40.00"),), on=dt.date(2020, 1, 1))
    billing.invoice(customer_id, lines=(("New", "1", "12.50"),))
    billing.invoice(customer_id, lines=(("Draft", "1", "99.00"),), issue=False)

    def expected(session):
        today = tenant_today(session)
        rows = session.scalars(select(Invoice).where(Invoice.status.in_(("unpaid", "partially_paid", "overdue")),
                                                     Invoice.kind == "invoice")).all()
        over = [r for r in rows if r.due_date < today]
        return (len(rows), sum(r.amount_due for r in rows)), (len(over), sum(r.amount_due for r in over))

    (n_open, open_sum), (n_over, over_sum) = billing.run(expected)
    assert n_open == 2 and n_over == 1
    (figures,) = billing.run(receivables).values()  # one currency
    assert figures["open"] == (n_open, open_sum) and figures["overdue"] == (n_over, over_sum)

    billing.tenant.web_login(client, billing.tenant.staff("Billing"))
    html = client.get("/staff/", base_url=billing.host).get_data(as_text=True)
    dashboard = html[html.index('id="dashboard"'):]
    assert "Receivables" in dashboard
    assert re.search(r"Unpaid invoices \(\w{3}\): 2", dashboard)
    assert re.search(r"Overdue invoices \(\w{3}\): 1", dashboard)
    assert 'href="/invoiceview/list/"' in dashboard
