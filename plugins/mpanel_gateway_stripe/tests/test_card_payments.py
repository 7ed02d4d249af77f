"""Paying invoices by card in the client area: Stripe's Payment Element confirms,
3-D Secure when the bank wants it, the return page and the webhook both apply
the payment, once. Card data never passes through MPanel."""

import pytest
import stripe
from mpanel_billing import ledger
from mpanel_billing.testing import D
from mpanel_gateway_stripe.testing import NAME

pytestmark = pytest.mark.slow


def test_card_payment_without_3ds(shop, client):
    customer = shop.billing.customer()
    invoice = shop.billing.invoice(customer, [("Hosting", "1", "10.00")])  # 11.90 with 19 % VAT
    shop.sign_in(client, customer)
    page = shop.checkout(client, [invoice])
    assert page["publishable_key"] == f"pk_test_{shop.slug}"
    assert "https://js.stripe.com" in page["csp"] and "frame-src https://js.stripe.com" in page["csp"]
    intent_id = page["client_secret"].split("_secret_")[0]
    created = shop.server.requests[-1]
    assert (created.path, created.params["amount"], created.params["currency"]) == ("/v1/payment_intents", 1190, "eur")
    assert created.idempotency_key.startswith(f"mpanel-{shop.billing.id}-payment-")
    assert created.params["metadata"]["mpanel_invoices"] == str(invoice)

    # In the browser: Stripe.js confirms with the card the customer typed into Stripe's frame.
    confirmed = shop.stripe.v1.payment_intents.confirm(intent_id, {"payment_method": "pm_card_visa",
                                                                   "return_url": page["return_url"]})
    assert confirmed.status == "succeeded"
    back = shop.back_from_stripe(client, page["return_url"] + f"?payment_intent={intent_id}&redirect_status=succeeded")
    assert back.status_code == 302 and back.headers["Location"].endswith(f"/client/billing/{invoice}")
    assert shop.invoice(invoice) == ("paid", D("11.90"), D("0.00"))

    shop.deliver_all()  # payment_intent.created, charge.succeeded, payment_intent.succeeded: all late
    shop.deliver_all()  # and every one of them again
    assert shop.invoice(invoice) == ("paid", D("11.90"), D("0.00"))
    assert shop.payments(invoice) == 1
    [payment] = shop.transactions(kind="payment")
    assert (payment.status, payment.provider_id, payment.fee) == ("succeeded", intent_id, D("0.65"))  # 2.9 % + 0.30
    assert shop.billing.run(ledger.reconcile) == []
    assert shop.server.violations == []


def test_card_payment_with_3ds_saves_the_card(shop, client, smtp):
    customer = shop.billing.customer()
    invoice = shop.billing.invoice(customer, [("Hosting", "1", "100.00")])
    shop.sign_in(client, customer)
    page = shop.checkout(client, [invoice], save_method=True)
    intent_id = page["client_secret"].split("_secret_")[0]
    confirmed = shop.stripe.v1.payment_intents.confirm(intent_id, {"payment_method": "pm_card_threeDSecure2Required",
                                                                   "return_url": page["return_url"]})
    assert confirmed.status == "requires_action"
    shop.deliver_all("payment_intent.requires_action")
    assert shop.invoice(invoice)[0] == "unpaid"
    assert shop.transactions()[0].status == "requires_action"

    back = shop.back_from_stripe(client, shop.three_d_secure(confirmed.next_action.redirect_to_url.url))
    assert back.status_code == 302
    assert shop.invoice(invoice) == ("paid", D("119.00"), D("0.00"))
    [card] = shop.methods(customer)
    assert (card.gateway, card.last4, card.is_default, card.test_mode) == (NAME, "3220", True, True)
    shop.deliver_all()
    assert shop.payments(invoice) == 1 and len(shop.methods(customer)) == 1
    assert shop.server.violations == []


def test_failed_3ds_and_declined_card_leave_the_invoice_unpaid(shop, client):
    customer = shop.billing.customer()
    invoice = shop.billing.invoice(customer)
    shop.sign_in(client, customer)
    page = shop.checkout(client, [invoice])
    intent_id = page["client_secret"].split("_secret_")[0]
    action = shop.stripe.v1.payment_intents.confirm(intent_id, {"payment_method": "pm_card_authenticationRequired",
                                                                "return_url": page["return_url"]})
    failed = shop.back_from_stripe(client, shop.three_d_secure(action.next_action.redirect_to_url.url, "fail"))
    assert failed.status_code == 302
    assert shop.transactions()[0].status == "failed"

    with pytest.raises(stripe.CardError):  # Stripe.js shows the decline; the customer stays on the page
        shop.stripe.v1.payment_intents.confirm(intent_id, {"payment_method": "pm_card_chargeDeclined"})
    shop.deliver_all()
    assert shop.invoice(invoice)[0] == "unpaid" and shop.payments() == 0
    assert "declined" in shop.transactions()[0].error

    # The same page, another card: the late success wins over the earlier failures.
    shop.stripe.v1.payment_intents.confirm(intent_id, {"payment_method": "pm_card_mastercard"})
    shop.deliver_all("payment_intent.succeeded")
    shop.deliver(shop.events("payment_intent.payment_failed")[0])  # a failure delivered late changes nothing
    assert shop.invoice(invoice)[0] == "paid"
    assert shop.transactions()[0].status == "succeeded"
    assert shop.server.violations == []


def test_paying_again_reuses_the_open_payment(shop, client):
    """Paymenter made a new Stripe subscription on every early payment attempt; here
    every click on "pay" for the same invoices finds the same PaymentIntent."""
    customer = shop.billing.customer()
    invoice = shop.billing.invoice(customer)
    shop.sign_in(client, customer)
    first = shop.checkout(client, [invoice])
    assert shop.checkout(client, [invoice])["client_secret"] == first["client_secret"]
    assert len(shop.intents()) == 1 and len(shop.transactions()) == 1

    intent_id = first["client_secret"].split("_secret_")[0]
    shop.stripe.v1.payment_intents.confirm(intent_id, {"payment_method": "pm_card_visa"})
    # No webhook yet: the next click finds the intent paid and says so, instead of charging again.
    again = client.post("/client/billing/payments/pay", base_url=shop.host, data={
        "csrf_token": shop.csrf(client), "invoice": [invoice], "gateway": NAME})
    assert again.status_code == 302 and len(shop.intents()) == 1
    assert shop.invoice(invoice)[0] == "paid"


def test_mass_pay_several_invoices_with_one_payment(shop, client):
    customer = shop.billing.customer()
    first = shop.billing.invoice(customer, [("Hosting", "1", "10.00")])
    second = shop.billing.invoice(customer, [("Domain", "1", "20.00")])
    shop.sign_in(client, customer)
    page = shop.checkout(client, [first, second])
    intent_id = page["client_secret"].split("_secret_")[0]
    assert shop.server.account(shop.api_key).objects[intent_id]["amount"] == 3570
    shop.stripe.v1.payment_intents.confirm(intent_id, {"payment_method": "pm_card_visa"})
    shop.deliver_all("payment_intent.succeeded")
    assert shop.invoice(first) == ("paid", D("11.90"), D("0.00"))
    assert shop.invoice(second) == ("paid", D("23.80"), D("0.00"))
    assert shop.payments() == 1  # one provider payment; the second invoice is settled from it via credit
    assert shop.billing.run(lambda s: ledger.credit_balance(s, customer, "EUR")) == 0
    assert shop.billing.run(ledger.reconcile) == []


def test_another_customers_invoice_cannot_be_paid_or_seen(shop, client):
    owner, stranger = shop.billing.customer(), shop.billing.customer()
    invoice = shop.billing.invoice(owner)
    shop.sign_in(client, stranger)
    token = shop.csrf(client, "/client/billing/payments/methods")
    refused = client.post("/client/billing/payments/pay", base_url=shop.host, data={
        "csrf_token": token, "invoice": [invoice], "gateway": NAME})
    assert refused.status_code == 302 and shop.transactions() == []
    assert client.get("/client/billing/payments/999999/return", base_url=shop.host).status_code == 404
    no_csrf = client.post("/client/billing/payments/pay", base_url=shop.host, data={"invoice": [invoice],
                                                                                    "gateway": NAME})
    assert no_csrf.status_code == 400


def test_a_payment_cancelled_at_stripe_is_replaced_by_a_new_one(shop, client):
    customer = shop.billing.customer()
    invoice = shop.billing.invoice(customer)
    shop.sign_in(client, customer)
    first = shop.checkout(client, [invoice])["client_secret"].split("_secret_")[0]
    shop.stripe.v1.payment_intents.cancel(first, {"cancellation_reason": "abandoned"})
    second = shop.checkout(client, [invoice])["client_secret"].split("_secret_")[0]
    assert second != first
    assert [(t.provider_id, t.status) for t in shop.transactions()] == [(first, "canceled"), (second, "pending")]
    assert shop.server.violations == []
