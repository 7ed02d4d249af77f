"""Orders: checkout in one transaction, activation on payment, bad input, tenant isolation."""

import datetime as dt

import pytest
from mpanel_billing import ledger
from mpanel_billing.models import Invoice, Order, Service
from mpanel_billing.services.cycles import add_cycles
from mpanel_billing.testing import D
from mpanel_catalog.models import Coupon, Price, Product, ProductGroup, Tld, TldPrice
from sqlalchemy import func, select

from mpanel.testing.pytest_plugin import bearer


@pytest.fixture
def shop(billing):
    def make(session):
        group = ProductGroup(name="Hosting", slug="hosting")
        session.add(group)
        session.flush()
        web = Product(group_id=group.id, type="shared_hosting", name="Web S", allow_multiple=True)
        trial = Product(group_id=group.id, type="shared_hosting", name="Trial", trial_days=14)
        session.add_all([web, trial])
        session.flush()
        session.add_all([Price(product_id=web.id, currency="EUR", cycle="monthly", price=D("10.00"),
                               setup_fee=D("5.00")),
                         Price(product_id=trial.id, currency="EUR", cycle="monthly", price=D("8.00"), setup_fee=D(0)),
                         Coupon(code="HALF", kind="percent", value=D(50), duration="once"),
                         Coupon(code="OLD", kind="percent", value=D(50), duration="once",
                                expires_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))])
        tld = Tld(name="com", kind="gtld", registrar="registrar_demo", epp_code_required=True)
        session.add(tld)
        session.flush()
        session.add(TldPrice(tld_id=tld.id, currency="EUR", action="register", years=1, price=D("12.00")))
        return {"web": web.id, "trial": trial.id}

    billing.ids = billing.run(make)
    billing.staff = billing.tenant.staff("Owner")
    return billing


def post(client, shop, body, email=None):
    token = shop.tenant.api_token(client, email or shop.staff)
    return client.post("/api/v1/orders/", base_url=shop.host, json=body, headers=bearer(token))


def count(shop, model):
    return shop.run(lambda s: s.scalar(select(func.count(model.id))))


def test_checkout_creates_order_services_and_issued_invoice_then_payment_activates_once(client, shop):
    customer_id = shop.customer(phone="+49.301234567")
    response = post(client, shop, {"customer_id": customer_id, "coupon": "HALF", "lines": [
        {"product": shop.ids["web"], "cycle": "monthly"}, {"domain": "shop-example.com", "years": 1}]})
    assert response.status_code == 201, response.get_json()
    order = response.get_json()["result"]
    invoice = order["invoice"]
    assert invoice["status"] == "unpaid" and invoice["number"]
    descriptions = [line["description"] for line in invoice["lines"]]
    assert any("ICANN" in d for d in descriptions) and len(descriptions) == 4  # price, setup, domain, ICANN fee
    service = shop.run(lambda s: s.get(Service, order["services"][0]).__dict__.copy())
    assert (service["status"], service["recurring_amount"], service["coupon"]) == ("pending", D("10.00"), "HALF")
    uses = shop.run(lambda s: s.scalar(select(Coupon.uses).where(Coupon.code == "HALF")))
    assert uses == 1
    total = D(invoice["total"])
    for _ in range(2):
        shop.run(lambda s: ledger.record_payment(s, s.get(Invoice, invoice["id"]), total, "EUR", "bank", "tx-1"))
    service = shop.run(lambda s: s.get(Service, order["services"][0]).__dict__.copy())
    assert service["status"] == "active"
    assert service["next_due_date"] == add_cycles(service["start_date"], "monthly")
    from mpanel_domains.models import DomainAction

    actions = shop.run(lambda s: s.scalars(select(DomainAction.action)).all())
    assert actions == ["register"]


def test_trial_is_active_without_a_first_invoice_amount(client, shop):
    response = post(client, shop, {"customer_id": shop.customer(), "lines": [
        {"product": shop.ids["trial"], "cycle": "monthly"}]})
    assert response.status_code == 201, response.get_json()
    order = response.get_json()["result"]
    assert order["invoice"] is None
    service = shop.run(lambda s: s.get(Service, order["services"][0]).__dict__.copy())
    assert service["status"] == "active"
    assert service["next_due_date"] == service["start_date"] + dt.timedelta(days=14)


@pytest.mark.parametrize(("line", "coupon", "field"), [
    ({"product": 999999, "cycle": "monthly"}, None, "lines[0].product"),
    ({"product": "web", "cycle": "annually"}, None, "lines[0].cycle"),
    ({"product": "web", "cycle": "monthly", "options": {"12345": 1}}, None, "lines[0].options"),
    ({"product": "web", "cycle": "monthly"}, "OLD", "lines[0].coupon"),
    ({"domain": "example.invalidtld"}, None, "lines[0].tld"),
    ({"product": [1], "cycle": "monthly"}, None, "lines[0].product"),
    ({"product": "web", "cycle": {"every": "month"}}, None, "lines[0].cycle"),
    ({"product": "web", "cycle": "monthly", "options": "big"}, None, "lines[0].options"),
    ({"product": "web", "cycle": "monthly", "addons": 5}, None, "lines[0].addons"),
    ("not an object", None, "lines[0]"),
])
def test_bad_input_is_400_naming_the_field_and_saves_nothing(client, shop, line, coupon, field):
    if isinstance(line, dict) and line.get("product") == "web":
        line = {**line, "product": shop.ids["web"]}
    response = post(client, shop, {"customer_id": shop.customer(), "lines": [line], "coupon": coupon})
    assert response.status_code == 400, response.get_json()
    assert field in response.get_json()["message"], response.get_json()
    assert count(shop, Order) == count(shop, Invoice) == count(shop, Service) == 0


def test_failure_after_the_invoice_line_saves_nothing_and_keeps_the_coupon(client, shop, monkeypatch):
    from mpanel_billing import invoices

    def broken(*args, **kwargs):
        raise RuntimeError("issue failed")

    monkeypatch.setattr(invoices, "issue", broken)
    response = post(client, shop, {"customer_id": shop.customer(), "coupon": "HALF",
                                   "lines": [{"product": shop.ids["web"], "cycle": "monthly"}]})
    assert response.status_code == 500  # an internal failure, not bad input
    assert count(shop, Order) == count(shop, Invoice) == count(shop, Service) == 0
    assert shop.run(lambda s: s.scalar(select(Coupon.uses).where(Coupon.code == "HALF"))) == 0


def test_contact_orders_for_own_account_and_other_tenants_rows_are_404(client, shop, make_billing):
    customer_id = shop.customer()
    contact = shop.tenant.contact(customer_id)
    response = post(client, shop, {"lines": [{"product": shop.ids["web"], "cycle": "monthly"}]}, email=contact)
    assert response.status_code == 201, response.get_json()
    order = response.get_json()["result"]
    assert order["customer_id"] == customer_id
    other = make_billing()
    token = other.tenant.api_token(client, other.tenant.staff("Owner"))
    for path in (f"orders/{order['id']}", f"services/{order['services'][0]}"):
        assert client.get(f"/api/v1/{path}", base_url=other.host, headers=bearer(token)).status_code == 404
    answer = client.post(f"/api/v1/services/{order['services'][0]}/status", base_url=other.host,
                         headers=bearer(token), json={"status": "suspended"})
    assert answer.status_code == 404
