"""Cross-tenant and cross-customer attempts on every billing REST endpoint: another
tenant's staff, and a contact of another customer, find nothing (404), change nothing,
and are answered exactly as for an id that does not exist (no 403 that tells it does)."""

import pytest
from mpanel_billing.models import Invoice, Service, TaxRule
from mpanel_billing.testing import make_plans, order
from sqlalchemy import func, select

from mpanel.testing.pytest_plugin import bearer

MISSING = 2**31 - 1
PAYMENT = {"amount": "1.00", "currency": "EUR", "reference": "x"}
# (method, path, JSON body); {} is the object's id
INVOICES = [("get", "invoices/{}", None), ("get", "invoices/{}/pdf", None), ("get", "invoices/{}/ubl", None),
            ("post", "invoices/{}/issue", None), ("post", "invoices/{}/cancel", None),
            ("post", "invoices/{}/credit", None), ("post", "invoices/{}/apply-credit", None),
            ("post", "invoices/{}/payments", PAYMENT)]
ORDERS = [("get", "orders/{}", None)]
SERVICES = [("get", "services/{}", None), ("get", "services/{}/change?product=1&cycle=monthly", None),
            ("post", "services/{}/change", {"product": 1, "cycle": "monthly"}),
            ("post", "services/{}/cancel", {"when": "now"}), ("post", "services/{}/status", {"status": "suspended"})]
TAX_RULES = [("get", "tax_rules/{}", None), ("put", "tax_rules/{}", {"rate": "1"}), ("delete", "tax_rules/{}", None)]


@pytest.fixture
def victim(billing):
    """Tenant A: a customer with an issued invoice, a draft, an order, a service and a tax rule."""
    plans = make_plans(billing)
    customer_id = billing.customer()
    service_id = order(billing, customer_id, plans["small"])

    def ids(session):
        service = session.get(Service, service_id)
        invoice_id = session.scalar(select(Invoice.id).where(Invoice.customer_id == customer_id))
        from mpanel_billing.models import OrderLine

        order_id = session.scalar(select(OrderLine.order_id).where(OrderLine.service_id == service.id))
        rule_id = session.scalar(select(TaxRule.id).where(TaxRule.country == "DE"))
        return {"invoice": invoice_id, "order": order_id, "service": service_id, "rule": rule_id}

    billing.ids = billing.run(ids)
    billing.ids["draft"] = billing.invoice(customer_id, issue=False)
    billing.customer_id = customer_id
    return billing


def state(billing):
    """What an attacker could have changed."""
    return billing.run(lambda s: (
        s.scalar(select(func.count(Invoice.id))), s.scalar(select(func.sum(Invoice.amount_paid))),
        sorted(s.execute(select(Service.id, Service.status, Service.product_id, Service.cancel_at)).all()),
        s.scalar(select(TaxRule.rate).where(TaxRule.id == billing.ids["rule"]))))


def attempt(client, host, token, method, path, pk, body):
    response = getattr(client, method)(f"/api/v1/{path.format(pk)}", base_url=host, headers=token, json=body)
    return response.status_code


def check(client, host, token, endpoints, pk, expected=(404,)):
    """The answer for ``pk`` is the answer for a missing id, and one of ``expected``."""
    for method, path, body in endpoints:
        answer = attempt(client, host, token, method, path, pk, body)
        missing = attempt(client, host, token, method, path, MISSING, body)
        assert answer == missing and answer in expected, (method, path, answer, missing)


def test_another_tenants_staff_find_nothing_anywhere(client, victim, make_billing):
    intruder = make_billing()
    token = bearer(intruder.tenant.api_token(client, intruder.tenant.staff("Owner")))
    before = state(victim)
    ids = victim.ids
    for pk in (ids["invoice"], ids["draft"]):
        check(client, intruder.host, token, INVOICES, pk)
    check(client, intruder.host, token, ORDERS, ids["order"])
    check(client, intruder.host, token, SERVICES, ids["service"])
    check(client, intruder.host, token, TAX_RULES, ids["rule"])
    for path in ("invoices/", "orders/", "services/", "ledger/", f"services/?customer_id={victim.customer_id}",
                 f"invoices/?customer_id={victim.customer_id}", f"orders/?customer_id={victim.customer_id}"):
        listed = client.get(f"/api/v1/{path}", base_url=intruder.host, headers=token).get_json()
        assert listed["count"] == 0, path
    placed = client.post("/api/v1/orders/", base_url=intruder.host, headers=token,
                         json={"customer_id": victim.customer_id, "lines": [{"product": 1, "cycle": "monthly"}]})
    assert placed.status_code == 404 and "customer_id" in placed.get_json()["message"]
    rules = client.get("/api/v1/tax_rules/", base_url=intruder.host, headers=token,
                       query_string={"page_size": 100}).get_json()
    assert ids["rule"] not in rules["ids"]
    assert state(victim) == before


def test_a_contact_finds_nothing_of_another_customer(client, victim):
    other = victim.customer()
    token = bearer(victim.tenant.api_token(client, victim.tenant.contact(other)))
    before = state(victim)
    ids = victim.ids
    check(client, victim.host, token, ORDERS, ids["order"])
    # status is staff only: refused whatever the id; the others are simply not found.
    check(client, victim.host, token, SERVICES[:-1], ids["service"])
    check(client, victim.host, token, SERVICES[-1:], ids["service"], expected=(403,))
    # No REST access for contacts to invoices, tax rules and the ledger: the same refusal for any id.
    for pk in (ids["invoice"], ids["draft"]):
        check(client, victim.host, token, INVOICES, pk, expected=(401, 403))
    check(client, victim.host, token, TAX_RULES, ids["rule"], expected=(401, 403))
    for path in ("orders/", "services/", f"services/?customer_id={victim.customer_id}",
                 f"orders/?customer_id={victim.customer_id}"):
        assert client.get(f"/api/v1/{path}", base_url=victim.host, headers=token).get_json()["count"] == 0, path
    for path in ("invoices/", "ledger/"):
        assert client.get(f"/api/v1/{path}", base_url=victim.host, headers=token).status_code in (401, 403)
    placed = client.post("/api/v1/orders/", base_url=victim.host, headers=token,
                         json={"customer_id": victim.customer_id, "lines": [{"product": MISSING, "cycle": "monthly"}]})
    assert placed.status_code == 400  # for their own account, where the product is what is wrong
    assert state(victim) == before
