"""Who may refund, and whose payments are seen: Billing and Admin get the refund
button and may refund (admin form and REST), Support sees transactions but is
refused; another tenant's transactions and saved methods are simply not found.
Uses the bank transfer gateway (no provider to call)."""

import re

import pytest
from mpanel_billing.gateways import methods
from mpanel_billing.gateways.base import SavedMethod
from mpanel_billing.gateways.models import Transaction
from mpanel_billing.models import Invoice
from mpanel_billing.testing import D
from sqlalchemy import func, select

from mpanel.core.plugins.engine import loaded_plugins
from mpanel.testing.pytest_plugin import bearer, csrf_token


@pytest.fixture
def bank(app, billing):
    with app.app_context():
        if "gateway_bank" not in loaded_plugins():
            pytest.skip("needs the gateway_bank plugin (MPANEL_ENABLED_PLUGINS)")
    return billing


def paid_by_transfer(billing, client) -> tuple[int, int, int]:
    """(customer, invoice, payment transaction) of a transfer staff recorded."""
    customer = billing.customer()
    invoice = billing.invoice(customer, [("Hosting", "1", "100.00")])  # 119.00
    token = billing.tenant.api_token(client, billing.tenant.staff("Billing"))
    recorded = client.post("/api/v1/bank/transfers", headers=bearer(token), base_url=billing.host, json={
        "invoice_id": invoice, "amount": "119.00", "currency": "EUR", "reference": f"BANK-{invoice}"})
    assert recorded.status_code == 200, recorded.get_json()
    transaction = billing.run(lambda s: s.scalar(select(Transaction.id).where(Transaction.invoice_id == invoice)))
    return customer, invoice, transaction


def refunds(billing, payment) -> int:
    return billing.run(lambda s: s.scalar(select(func.count(Transaction.id)).where(Transaction.parent_id == payment)))


def sign_in(billing, client, role) -> None:
    client.get("/logout/", base_url=billing.host)
    assert billing.tenant.web_login(client, billing.tenant.staff(role)).status_code == 302


def test_support_sees_transactions_but_cannot_refund(bank, client):
    _, invoice, payment = paid_by_transfer(bank, client)
    support = bank.tenant.api_token(client, bank.tenant.staff("Support"))
    assert client.post(f"/api/v1/transactions/{payment}/refund", json={"amount": "10.00"}, headers=bearer(support),
                       base_url=bank.host).status_code == 403
    listed = client.get(f"/api/v1/transactions/?invoice_id={invoice}", headers=bearer(support), base_url=bank.host)
    assert listed.status_code == 200 and [t["amount"] for t in listed.get_json()["result"]] == ["119.00"]

    sign_in(bank, client, "Support")
    listing = client.get("/transactionview/list/", base_url=bank.host)
    assert listing.status_code == 200 and "/transactionview/refund/" not in listing.get_data(as_text=True)
    token = csrf_token(client.get("/users/userinfo/", base_url=bank.host).get_data(as_text=True))  # a valid token
    posted = client.post(f"/transactionview/refund/{payment}", data={"csrf_token": token, "amount": "10.00"},
                         base_url=bank.host)
    assert posted.status_code in (302, 403)
    assert posted.status_code == 403 or "/transactionview/refund/" not in posted.headers.get("Location", "")
    assert refunds(bank, payment) == 0
    assert bank.load(invoice, lambda i: i.status) == "paid"


@pytest.mark.parametrize("role", ["Billing", "Admin"])
def test_billing_and_admin_get_the_refund_button_and_refund(bank, client, role):
    _, invoice, payment = paid_by_transfer(bank, client)
    sign_in(bank, client, role)
    listing = client.get("/transactionview/list/", base_url=bank.host).get_data(as_text=True)
    assert f"/transactionview/refund/{payment}" in listing
    form = client.get(f"/transactionview/refund/{payment}", base_url=bank.host)
    html = form.get_data(as_text=True)
    assert form.status_code == 200 and "119.00" in html
    posted = client.post(f"/transactionview/refund/{payment}", base_url=bank.host,
                         data={"csrf_token": csrf_token(html), "amount": "19.00"})
    assert posted.status_code == 302 and re.search(rf"/transactionview/show/{payment}$", posted.headers["Location"])
    assert refunds(bank, payment) == 1
    assert bank.load(invoice, lambda i: (i.status, i.amount_paid)) == ("partially_paid", D("100.00"))

    token = bank.tenant.api_token(client, bank.tenant.staff(role))
    rest = client.post(f"/api/v1/transactions/{payment}/refund", json={"amount": "100.00"}, headers=bearer(token),
                       base_url=bank.host)
    assert rest.status_code == 200 and rest.get_json()["result"]["status"] == "succeeded"
    bad = client.post(f"/api/v1/transactions/{payment}/refund", json={"amount": "ten"}, headers=bearer(token),
                      base_url=bank.host)
    assert bad.status_code == 400 and "amount" in bad.get_json()["message"]


def test_another_tenant_finds_no_transaction_refund_or_method(bank, client, make_billing):
    customer, _, payment = paid_by_transfer(bank, client)
    method = bank.run(lambda s: methods.save(s, customer, "gateway_bank", SavedMethod("pm_A", "cus_A", "visa", "4242"))
                      .id)
    own = bank.tenant.api_token(client, bank.tenant.staff("Owner"))
    assert client.get(f"/api/v1/payment_methods/{method}", headers=bearer(own), base_url=bank.host).status_code == 200
    assert client.get(f"/api/v1/transactions/{payment}", headers=bearer(own), base_url=bank.host).status_code == 200

    other = make_billing()
    token = bearer(other.tenant.api_token(client, other.tenant.staff("Owner")))
    for call in (lambda: client.get(f"/api/v1/transactions/{payment}", headers=token, base_url=other.host),
                 lambda: client.post(f"/api/v1/transactions/{payment}/refund", json={}, headers=token,
                                     base_url=other.host),
                 lambda: client.get(f"/api/v1/payment_methods/{method}", headers=token, base_url=other.host),
                 lambda: client.post(f"/api/v1/payment_methods/{method}/default", headers=token, base_url=other.host),
                 lambda: client.delete(f"/api/v1/payment_methods/{method}", headers=token, base_url=other.host)):
        response = call()
        assert response.status_code == 404, response.get_json()
    # Tenant B's token on tenant A's host is not let in at all.
    assert client.get(f"/api/v1/transactions/{payment}", headers=token, base_url=bank.host).status_code in (401, 403,
                                                                                                            404)
    assert client.get("/api/v1/transactions/", headers=token, base_url=other.host).get_json()["count"] == 0
    assert client.get("/api/v1/payment_methods/", headers=token, base_url=other.host).get_json()["count"] == 0
    assert refunds(bank, payment) == 0
    assert bank.run(lambda s: s.get(Invoice, s.scalar(select(Transaction.invoice_id).where(
        Transaction.id == payment))).status) == "paid"
