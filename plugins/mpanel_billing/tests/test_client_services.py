"""Client-area pages: services (a quoted plan change, cancellation), the credit page and
the cart (quote, then order: the first invoice). Only the contact's own customer."""

import re

import pytest
from mpanel_billing import ledger
from mpanel_billing.models import Invoice, Order, Service, ServicePeriod
from mpanel_billing.testing import VAT, D, cents, make_plans, order
from mpanel_catalog.models import Coupon
from sqlalchemy import func, select

from mpanel.core.clock import tenant_today
from mpanel.testing.pytest_plugin import csrf_token


@pytest.fixture
def contact(client, billing):
    """A signed-in contact of a customer with one active service (Small, ordered today)."""
    billing.plans = make_plans(billing)
    billing.run(lambda s: s.add(Coupon(code="HALF", kind="percent", value=D(50), duration="once")))
    billing.customer_id = billing.customer()
    billing.service_id = order(billing, billing.customer_id, billing.plans["small"], on=billing.run(tenant_today))
    billing.tenant.web_login(client, billing.tenant.contact(billing.customer_id))
    return billing


def get(client, shop, path, **kwargs):
    return client.get(f"/client/billing{path}", base_url=shop.host, **kwargs)


def post(client, shop, path, data, page=None):
    """POST a form with the CSRF token of ``page`` (default: the contact's service)."""
    token = csrf_token(get(client, shop, page or f"/services/{shop.service_id}").get_data(as_text=True))
    return client.post(f"/client/billing{path}", base_url=shop.host, data={**data, "csrf_token": token})


def counts(shop):
    return shop.run(lambda s: tuple(s.scalar(select(func.count(m.id))) for m in (Order, Invoice, Service)))


def test_services_list_and_detail_show_only_the_customers_own(client, contact):
    theirs = order(contact, contact.customer(), contact.plans["large"], on=contact.run(tenant_today))
    html = get(client, contact, "/services").get_data(as_text=True)
    assert "Small" in html and "Large" not in html and "10.00" in html
    page = get(client, contact, f"/services/{contact.service_id}")
    assert page.status_code == 200
    due = contact.run(lambda s: s.get(Service, contact.service_id).next_due_date)
    assert f'id="next-due">{due.isoformat()}<' in page.get_data(as_text=True)
    assert get(client, contact, f"/services/{theirs}").status_code == 404
    assert post(client, contact, f"/services/{theirs}/cancel", {"when": "now"}).status_code == 404
    assert contact.run(lambda s: s.get(Service, theirs).status) == "active"


def test_the_plan_change_is_quoted_then_confirmed(client, contact):
    large = contact.plans["large"]
    start, end = contact.run(lambda s: s.execute(select(ServicePeriod.period_start, ServicePeriod.period_end)).one())
    today = contact.run(tenant_today)
    left, total = (end - today).days + 1, (end - start).days + 1
    charge = cents(D("31.00") * left / total)
    page = get(client, contact, f"/services/{contact.service_id}", query_string={"product": large, "cycle": "monthly"})
    assert page.status_code == 200
    shown = re.search(r'id="change-charge">([^<]+)<', page.get_data(as_text=True)).group(1)
    assert str(charge) in shown
    assert counts(contact) == (1, 1, 1)  # the quote wrote nothing
    refused = client.post(f"/client/billing/services/{contact.service_id}/change", base_url=contact.host,
                          data={"product": large, "cycle": "monthly"})  # no CSRF token
    assert refused.status_code == 400 and counts(contact) == (1, 1, 1)
    done = post(client, contact, f"/services/{contact.service_id}/change", {"product": large, "cycle": "monthly"},
                page=f"/services/{contact.service_id}")
    assert done.status_code == 302
    invoice_id = int(done.headers["Location"].rstrip("/").rsplit("/", 1)[-1])
    assert contact.run(lambda s: s.get(Invoice, invoice_id).total) == cents(charge * VAT)
    assert contact.run(lambda s: s.get(Service, contact.service_id).product_id) == large


@pytest.mark.parametrize(("query", "field"), [({"cycle": "weekly"}, "cycle"), ({"product": "999999"}, "product"),
                                              ({"cycle": "annually"}, "cycle")])
def test_a_bad_plan_choice_is_a_form_error(client, contact, query, field):
    query = {"product": contact.plans["large"], "cycle": "monthly", **query}
    page = get(client, contact, f"/services/{contact.service_id}", query_string=query)
    assert page.status_code == 400
    assert f"<b>{field}</b>" in page.get_data(as_text=True)
    done = post(client, contact, f"/services/{contact.service_id}/change", query)
    assert done.status_code == 400 and f"<b>{field}</b>" in done.get_data(as_text=True)
    assert counts(contact) == (1, 1, 1)


def test_cancellation_request(client, contact):
    bad = post(client, contact, f"/services/{contact.service_id}/cancel", {"when": "yesterday"})
    assert bad.status_code == 400 and "<b>when</b>" in bad.get_data(as_text=True)
    done = post(client, contact, f"/services/{contact.service_id}/cancel", {"when": "period_end"})
    assert done.status_code == 302
    service = contact.run(lambda s: s.get(Service, contact.service_id).__dict__.copy())
    assert (service["status"], service["cancel_at"]) == ("active", service["next_due_date"])
    html = get(client, contact, f"/services/{contact.service_id}").get_data(as_text=True)
    assert f'id="cancel-at">{service["cancel_at"].isoformat()}<' in html and 'id="cancel"' not in html


def test_the_credit_page_shows_balances_and_movements(client, contact):
    invoice_id = contact.invoice(contact.customer_id, [("Extra", "1", "100.00")])
    contact.run(lambda s: ledger.record_payment(s, s.get(Invoice, invoice_id), D("130.00"), "EUR", "bank", "over"))
    html = get(client, contact, "/credit").get_data(as_text=True)
    balances = re.search(r'id="balances">(.*?)</table>', html, re.S).group(1)
    assert "EUR" in balances and "11.00" in balances  # 130.00 paid on 119.00
    history = re.search(r'id="history">(.*?)</table>', html, re.S).group(1)
    assert "payment" in history and "11.00" in history
    other = contact.customer()
    theirs = contact.invoice(other)
    contact.run(lambda s: ledger.record_payment(s, s.get(Invoice, theirs), D("50.00"), "EUR", "bank", "theirs"))
    assert "38.10" not in get(client, contact, "/credit").get_data(as_text=True)  # the other customer's credit


def test_the_cart_quotes_then_orders_with_the_first_invoice(client, contact):
    small = contact.plans["small"]
    assert "Large" in get(client, contact, "/cart").get_data(as_text=True)
    page = get(client, contact, "/cart", query_string={"product": small})
    total = re.search(r'id="cart-total">([^<]+)<', page.get_data(as_text=True)).group(1)
    assert "15.00" in total  # 10.00 a month and 5.00 setup, before tax
    form = {"product": small, "cycle": "monthly", "coupon": "HALF"}
    quoted = post(client, contact, "/cart", {**form, "action": "quote"}, page=f"/cart?product={small}")
    assert quoted.status_code == 200 and counts(contact) == (1, 1, 1)
    half_off = D("10.00") / 2 + D("5.00")  # the coupon takes half the price, not the setup fee
    assert str(half_off) in re.search(r'id="cart-total">([^<]+)<', quoted.get_data(as_text=True)).group(1)
    placed = post(client, contact, "/cart", {**form, "action": "order"}, page=f"/cart?product={small}")
    assert placed.status_code == 302, placed.get_data(as_text=True)
    invoice_id = int(placed.headers["Location"].rstrip("/").rsplit("/", 1)[-1])
    invoice = contact.run(lambda s: s.get(Invoice, invoice_id).__dict__.copy())
    assert (invoice["customer_id"], invoice["total"]) == (contact.customer_id, cents(half_off * VAT))
    assert counts(contact) == (2, 2, 2)
    assert get(client, contact, f"/{invoice_id}").status_code == 200


@pytest.mark.parametrize(("form", "field"), [
    ({"cycle": "weekly"}, "cycle"), ({"coupon": "NOPE"}, "coupon"), ({"option-999999": "1"}, "options")])
def test_a_bad_cart_is_a_form_error_and_saves_nothing(client, contact, form, field):
    small = contact.plans["small"]
    data = {"product": small, "cycle": "monthly", "action": "order", **form}
    refused = post(client, contact, "/cart", data, page=f"/cart?product={small}")
    assert refused.status_code == 400
    assert field in re.search(r'id="form-error"><b>([^<]+)</b>', refused.get_data(as_text=True)).group(1)
    assert counts(contact) == (1, 1, 1)
    assert contact.run(lambda s: s.scalar(select(Coupon.uses).where(Coupon.code == "HALF"))) == 0


def test_a_trial_order_goes_to_the_services(client, contact):
    trial = contact.plans["trial"]
    placed = post(client, contact, "/cart", {"product": trial, "cycle": "monthly", "action": "order"},
                  page=f"/cart?product={trial}")
    assert placed.status_code == 302 and placed.headers["Location"].endswith("/client/billing/services")
    assert counts(contact) == (2, 1, 2)


def test_staff_have_no_client_pages_and_contacts_need_their_permission(client, contact):
    """Services need the "services" permission, invoices, credit and the cart "billing"."""
    client.get("/logout/", base_url=contact.host)
    contact.tenant.web_login(client, contact.tenant.contact(contact.customer_id, permissions=("technical",)))
    for path in ("/", "/services", f"/services/{contact.service_id}", "/credit", "/cart"):
        assert get(client, contact, path).status_code == 403, path
    client.get("/logout/", base_url=contact.host)
    billing_only = contact.tenant.contact(contact.customer_id, permissions=("billing",))
    contact.tenant.web_login(client, billing_only)
    for path in ("/", "/credit", "/cart"):
        assert get(client, contact, path).status_code == 200, path
    for path in ("/services", f"/services/{contact.service_id}"):
        assert get(client, contact, path).status_code == 403, path
    token = csrf_token(get(client, contact, f"/cart?product={contact.plans['small']}").get_data(as_text=True))
    refused = client.post(f"/client/billing/services/{contact.service_id}/cancel", base_url=contact.host,
                          data={"when": "now", "csrf_token": token})
    assert refused.status_code == 403
    assert contact.run(lambda s: s.get(Service, contact.service_id).status) == "active"
    menu = re.search(r'id="client-nav".*?</ul>', get(client, contact, "/").get_data(as_text=True), re.S).group(0)
    assert "/client/billing/" in menu and "/client/billing/services" not in menu
    for path in ("/api/v1/services/", f"/api/v1/services/{contact.service_id}"):  # REST, signed in by the page
        assert client.get(path, base_url=contact.host).status_code == 403, path
    client.get("/logout/", base_url=contact.host)
    services_only = contact.tenant.contact(contact.customer_id, permissions=("services",))
    contact.tenant.web_login(client, services_only)
    assert get(client, contact, "/services").status_code == 200
    assert get(client, contact, "/").status_code == 403
    listed = client.get("/api/v1/services/", base_url=contact.host)
    assert listed.status_code == 200 and [row["id"] for row in listed.get_json()["result"]] == [contact.service_id]
    client.get("/logout/", base_url=contact.host)
    contact.tenant.web_login(client, contact.tenant.staff("Owner"))
    assert get(client, contact, "/services").status_code == 404
