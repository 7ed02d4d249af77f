"""Staff choose on /staff/notifications/ which events mail them; a new order and a
payment then arrive at a real SMTP server (aiosmtpd) for them only, once each."""

from mpanel_billing import ledger
from mpanel_billing.models import Invoice
from mpanel_billing.orders.checkout import checkout
from mpanel_billing.testing import make_plans

from mpanel.core import outbox
from mpanel.modules.customers.models import Customer
from mpanel.modules.notifications import EVENTS, chosen
from mpanel.testing.pytest_plugin import csrf_token


def test_a_staff_member_gets_the_events_they_chose_by_mail(client, billing, smtp):
    plans = make_plans(billing)
    chooser, other = billing.tenant.staff("Billing"), billing.tenant.staff("Support")
    billing.tenant.web_login(client, chooser)
    page = client.get("/staff/notifications/", base_url=billing.host).get_data(as_text=True)
    assert all(f'value="{key}"' in page for key in EVENTS) and "checked" not in page
    saved = client.post("/staff/notifications/", base_url=billing.host, data={
        "event": ["new_order", "payment_received", "not-an-event"], "csrf_token": csrf_token(page)})
    assert saved.status_code == 302
    page = client.get("/staff/notifications/", base_url=billing.host).get_data(as_text=True)
    assert page.count("checked") == 2

    customer_id = billing.customer(company="Notify Co")

    def order_and_pay(session):
        order = checkout(session, session.get(Customer, customer_id), [{"product": plans["small"],
                                                                       "cycle": "monthly"}])
        invoice = session.get(Invoice, order.invoice_id)
        ledger.record_payment(session, invoice, invoice.total, "EUR", "bank", "notify-1")
        return order.id

    order_id = billing.run(order_and_pay)
    billing.run(outbox.process_pending)
    billing.run(outbox.process_pending)  # a second run sends nothing twice
    staff_mail = [m for m in smtp.messages if m["To"] in (chooser, other)]
    subjects = sorted(m["Subject"] for m in staff_mail)
    assert [m["To"] for m in staff_mail] == [chooser, chooser]
    assert subjects[0].startswith("Invoice ") and "paid" in subjects[0]
    assert subjects[1] == f"New order {order_id} from Notify Co"


def test_only_staff_have_the_page_and_unknown_events_are_not_stored(client, billing):
    customer_id = billing.customer()
    billing.tenant.web_login(client, billing.tenant.contact(customer_id))
    assert client.get("/staff/notifications/", base_url=billing.host).status_code == 404
    assert billing.run(lambda s: chosen(s, 1)) == set()
