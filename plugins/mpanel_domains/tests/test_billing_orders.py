"""Ordering a domain from the client area's search results through billing's checkout."""

import pytest
from mpanel_billing.models import Invoice, Order
from mpanel_domains.models import Domain, DomainAction
from mpanel_domains.testing import D, pay
from sqlalchemy import func, select

from mpanel.testing.pytest_plugin import csrf_token


@pytest.fixture
def signed_in(client, shop):
    """A contact of a new customer, signed in to the client area; the customer's id."""
    customer = shop.customer(phone="+49.301234567")
    shop.tenant.web_login(client, shop.tenant.contact(customer))
    return customer


def _counts(shop):
    return shop.run(lambda s: tuple(s.scalar(select(func.count(model.id)))
                                    for model in (Order, Invoice, Domain, DomainAction)))


def _order(client, shop, **fields):
    page = client.get("/client/domains/search?q=shopnew", base_url=shop.host).get_data(as_text=True)
    data = {"csrf_token": csrf_token(page), "name": "shopnew.com", "action": "register", "years": "1", **fields}
    return client.post("/client/domains/order", base_url=shop.host, data=data)


def test_search_shows_prices_and_order_buttons(client, shop, signed_in):
    page = client.get("/client/domains/search?q=shopnew", base_url=shop.host).get_data(as_text=True)
    assert "shopnew.com" in page and "€12.20" in page  # register: 12.00 + ICANN fee 0.20
    assert page.count('action="/client/domains/order"') >= 2  # the name and the suggestions
    taken = client.get("/client/domains/search?q=taken.com", base_url=shop.host).get_data(as_text=True)
    assert "€10.20" in taken and 'name="auth_code"' in taken  # taken: offered as a transfer


def test_order_registers_nothing_until_paid_then_redirects_to_the_invoice(client, shop, signed_in):
    response = _order(client, shop, years="2")
    assert response.status_code == 302, response.get_data(as_text=True)
    invoice_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    assert "/client/billing/" in response.headers["Location"]
    invoice = shop.load(invoice_id, lambda i: (i.customer_id, i.status, [(x.description, x.unit_price)
                                                                         for x in i.lines]))
    assert invoice == (signed_in, "unpaid", [(".com register, 2 years", D("24.00")), ("ICANN fee", D("0.40"))])
    assert client.get(f"/client/billing/{invoice_id}", base_url=shop.host).status_code == 200
    assert shop.run(lambda s: s.scalar(select(Domain.status).where(Domain.name == "shopnew.com"))) == (
        "pending_registration")
    assert _counts(shop)[3] == 0  # nothing sent before payment
    pay(shop, invoice_id, "web-order-1")
    assert shop.run(lambda s: s.scalar(select(Domain.status).where(Domain.name == "shopnew.com"))) == "active"


def test_transfer_order_keeps_the_code_for_the_registrar(client, shop, signed_in):
    response = _order(client, shop, name="taken.com", action="transfer", auth_code="Move-Me-42")
    assert response.status_code == 302, response.get_data(as_text=True)
    domain = shop.run(lambda s: (lambda d: (d.status, d.auth_code))(
        s.scalar(select(Domain).where(Domain.name == "taken.com"))))
    assert domain == ("pending_transfer", "Move-Me-42")


@pytest.mark.parametrize(("fields", "field"), [
    ({"name": "bad_name!.com"}, "name"),
    ({"name": "shopnew.unknown"}, "tld"),
    ({"years": "0"}, "years"),
    ({"years": "3"}, "years"),  # not in the .com price list
    ({"years": "11"}, "years"),
    ({"years": "two"}, "years"),
    ({"action": "steal"}, "action"),
    ({"action": "transfer", "auth_code": "abc\x07def"}, "auth_code"),
    ({"action": "transfer", "auth_code": ""}, "auth_code"),
    ({"auth_code": "not-for-a-registration"}, "auth_code"),
])
def test_bad_input_is_a_form_error_naming_the_field_and_bills_nothing(client, shop, signed_in, fields, field):
    before = _counts(shop)
    response = _order(client, shop, **fields)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert f"{field}: " in page.split('id="search-error"', 1)[1].split("</div>", 1)[0], page
    assert _counts(shop) == before


def test_order_needs_the_csrf_token(client, shop, signed_in):
    response = client.post("/client/domains/order", base_url=shop.host, data={"name": "shopnew.com"})
    assert response.status_code == 400
    assert _counts(shop) == (0, 0, 0, 0)
