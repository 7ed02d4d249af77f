"""Refunds (staff with the right role, full and partial), disputes, and webhook
processing that survives a Stripe outage."""

import datetime as dt

import pytest
from mpanel_billing import ledger
from mpanel_billing.gateways import payments
from mpanel_billing.gateways.registry import get_gateway
from mpanel_billing.testing import D
from mpanel_gateway_stripe.testing import NAME
from sqlalchemy import update

from mpanel.core import outbox
from mpanel.core.outbox import OutboxMessage
from mpanel.modules.customers.models import Customer
from mpanel.testing.pytest_plugin import bearer

pytestmark = pytest.mark.slow


def paid_invoice(shop, amount="100.00"):
    """A customer's invoice paid by card, its webhooks delivered: (invoice id, payment transaction id, intent id)."""
    customer = shop.billing.customer()
    invoice = shop.billing.invoice(customer, [("Hosting", "1", amount)])

    def start(session):
        transaction, _ = payments.start(session, get_gateway(session, NAME), session.get(Customer, customer), [invoice])
        return transaction.id, transaction.provider_id

    transaction, intent_id = shop.billing.run(start)
    shop.stripe.v1.payment_intents.confirm(intent_id, {"payment_method": "pm_card_visa"})
    shop.deliver_all("payment_intent.succeeded")
    assert shop.invoice(invoice)[0] == "paid"
    return invoice, transaction, intent_id


def refund(shop, client, transaction, token, **body):
    return client.post(f"/api/v1/transactions/{transaction}/refund", json=body, headers=bearer(token),
                       base_url=shop.host)


def test_partial_then_full_refund_by_billing_staff(shop, client):
    invoice, transaction, intent_id = paid_invoice(shop)  # 119.00
    token = shop.billing.tenant.api_token(client, shop.billing.tenant.staff("Billing"))
    partial = refund(shop, client, transaction, token, amount="19.00")
    assert partial.status_code == 200, partial.get_json()
    assert partial.get_json()["result"]["status"] == "succeeded"
    stripe_refund = shop.server.requests[-1]
    assert (stripe_refund.path, stripe_refund.params["amount"]) == ("/v1/refunds", 1900)
    assert stripe_refund.idempotency_key == f"mpanel-{shop.billing.id}-refund-{partial.get_json()['result']['id']}"
    assert shop.invoice(invoice) == ("partially_paid", D("100.00"), D("19.00"))  # no credit: the invoice is due again

    too_much = refund(shop, client, transaction, token, amount="100.01")
    assert too_much.status_code == 400 and "amount" in too_much.get_json()["message"]
    rest = refund(shop, client, transaction, token, credit_note=True)  # the rest, after crediting the invoice
    assert rest.status_code == 200 and rest.get_json()["result"]["amount"] == "100.00"
    assert shop.invoice(invoice) == ("refunded", D("100.00"), D("0.00"))
    assert refund(shop, client, transaction, token).status_code == 400  # nothing left

    shop.deliver_all("charge.refunded")  # Stripe reports both refunds: nothing new
    assert shop.payments() == 3
    customer = shop.billing.load(invoice, lambda i: i.customer_id)
    assert shop.billing.run(lambda s: ledger.credit_balance(s, customer, "EUR")) == 0
    assert shop.billing.run(ledger.reconcile) == []
    assert shop.server.violations == []


def test_only_billing_admin_and_owner_may_refund(shop, client):
    _, transaction, _ = paid_invoice(shop)
    support = shop.billing.tenant.api_token(client, shop.billing.tenant.staff("Support"))
    assert refund(shop, client, transaction, support).status_code == 403
    listed = client.get("/api/v1/transactions/?kind=payment", headers=bearer(support), base_url=shop.host)
    assert listed.status_code == 200 and listed.get_json()["count"] == 1
    assert listed.get_json()["result"][0]["amount"] == "119.00"
    assert client.get("/api/v1/transactions/?kind=nonsense", headers=bearer(support),
                      base_url=shop.host).status_code == 400

    shop.billing.tenant.web_login(client, shop.billing.tenant.staff("Support"))
    listing = client.get("/transactionview/list/", base_url=shop.host)
    assert listing.status_code == 200 and "€119.00" in listing.get_data(as_text=True)  # money, not 119.0000
    assert "/transactionview/refund/" not in listing.get_data(as_text=True)
    assert client.get(f"/transactionview/refund/{transaction}", base_url=shop.host).status_code in (302, 403)

    client.get("/logout/", base_url=shop.host)
    shop.billing.tenant.web_login(client, shop.billing.tenant.staff("Admin"))
    page = client.get("/transactionview/list/", base_url=shop.host).get_data(as_text=True)
    assert f"/transactionview/refund/{transaction}" in page
    form = client.get(f"/transactionview/refund/{transaction}", base_url=shop.host)
    assert form.status_code == 200 and "119.00" in form.get_data(as_text=True)
    page = client.get("/billing/reconciliation/", base_url=shop.host)
    assert page.status_code == 200 and "The ledger matches" in page.get_data(as_text=True)


def test_other_tenants_transactions_are_not_found(shop, client, make_billing):
    _, transaction, _ = paid_invoice(shop)
    other = make_billing()
    token = other.tenant.api_token(client, other.tenant.staff("Owner"))
    assert client.get(f"/api/v1/transactions/{transaction}", headers=bearer(token),
                      base_url=other.host).status_code == 404
    assert refund(shop, client, transaction, token).status_code == 404
    assert client.get("/api/v1/transactions/", headers=bearer(token), base_url=other.host).get_json()["count"] == 0


def test_dispute_takes_the_money_back_and_a_won_dispute_returns_it(shop):
    invoice, _, intent_id = paid_invoice(shop)
    dispute = shop.server.create_dispute(intent_id)
    shop.deliver_all("charge.dispute.created")
    shop.deliver_all("charge.dispute.created")
    assert shop.invoice(invoice) == ("unpaid", D("0.00"), D("119.00"))
    [chargeback] = shop.transactions(kind="chargeback")
    assert (chargeback.provider_id, chargeback.amount, chargeback.status) == (dispute["id"], D("119.0000"),
                                                                              "succeeded")

    shop.server.account(shop.api_key).objects[dispute["id"]]["status"] = "won"  # the bank decides for the shop
    closed = shop.server.build_event("charge.dispute.closed", dispute, api_key=shop.api_key)
    assert shop.deliver(closed).status_code == 200
    assert shop.deliver(closed).json()["duplicate"] is True
    assert shop.invoice(invoice) == ("paid", D("119.00"), D("0.00"))
    assert [t.kind for t in shop.transactions()] == ["payment", "chargeback", "dispute_won"]
    assert shop.billing.run(ledger.reconcile) == []
    assert shop.server.violations == []


def test_webhook_during_an_outage_is_processed_later(shop):
    customer = shop.billing.customer()
    invoice = shop.billing.invoice(customer)

    def start(session):
        return payments.start(session, get_gateway(session, NAME), session.get(Customer, customer), [invoice])[0]

    intent_id = shop.billing.run(lambda s: start(s).provider_id)
    shop.stripe.v1.payment_intents.confirm(intent_id, {"payment_method": "pm_card_visa"})
    [event] = shop.events("payment_intent.succeeded")
    shop.server.fail_next(1, "500")  # the handler cannot read the intent back
    assert shop.deliver(event).status_code == 200  # stored: Stripe need not send it again
    assert shop.invoice(invoice)[0] == "unpaid"
    shop.billing.run(lambda s: s.execute(update(OutboxMessage).where(OutboxMessage.status == "pending").values(
        next_attempt_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))))
    shop.billing.run(outbox.process_pending)  # the outbox's retry
    assert shop.invoice(invoice)[0] == "paid" and shop.payments(invoice) == 1
