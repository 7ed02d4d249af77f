"""Renewals charged off-session to the saved card: once, with a retry schedule
after declines, a link to the customer when the bank wants them, and no
double charge when Stripe times out or the billing run races a webhook
(FOSSBilling renewed an order twice when the webhook and the cron both acted)."""

import datetime as dt
import threading

import pytest
from mpanel_billing import ledger, run
from mpanel_billing.gateways import autopay
from mpanel_billing.gateways.models import ChargeAttempt
from mpanel_billing.models import Invoice
from mpanel_billing.signals import invoice_paid
from mpanel_billing.testing import D
from mpanel_gateway_stripe.testing import NAME
from sqlalchemy import select, update

from mpanel.core.tenancy import tenant_scope
from mpanel.extensions import db

pytestmark = pytest.mark.slow
LATER = dt.date.today() + dt.timedelta(days=30)  # every test invoice is due by then


def customer_with_card(shop, client, card="pm_card_visa"):
    customer = shop.billing.customer()
    shop.sign_in(client, customer)
    method = shop.save_card(client, customer, card)
    assert method.gateway == NAME and method.is_default
    return customer


def run_billing(shop) -> dict:
    return shop.billing.run(lambda s: autopay.charge_due_invoices(s, on=LATER))


def attempts(shop, invoice_id) -> list[tuple]:
    return shop.billing.run(lambda s: [(a.number, a.status) for a in s.scalars(
        select(ChargeAttempt).where(ChargeAttempt.invoice_id == invoice_id).order_by(ChargeAttempt.number))])


def make_due(shop) -> None:
    """Time passes: every scheduled or waiting attempt is due now."""
    past = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    shop.billing.run(lambda s: s.execute(update(ChargeAttempt).where(ChargeAttempt.next_attempt_at.is_not(None))
                                         .values(next_attempt_at=past)))


def retry(shop) -> dict:
    make_due(shop)
    return shop.billing.run(autopay.retry_due)


def creates(shop) -> list:
    return [r for r in shop.server.requests if (r.method, r.path) == ("POST", "/v1/payment_intents")]


def test_renewal_is_charged_once_to_the_saved_card(shop, client):
    customer = customer_with_card(shop, client)
    invoice = shop.billing.invoice(customer, [("Hosting renewal", "1", "10.00")])
    paid = []

    def seen(sender, payment=None, **kwargs):
        paid.append(sender.id)

    invoice_paid.connect(seen)
    try:
        assert run_billing(shop)["paid"] == 1
        assert shop.invoice(invoice) == ("paid", D("11.90"), D("0.00"))
        again = run_billing(shop)  # a second billing run, then the webhooks
        shop.deliver_all()
        assert "paid" not in again and shop.payments(invoice) == 1
    finally:
        invoice_paid.disconnect(seen)  # only ours: the plugins' receivers stay
    assert paid == [invoice]  # services are renewed/unsuspended once
    [create] = creates(shop)
    [attempt] = shop.billing.run(lambda s: [(a.transaction_id, a.status) for a in s.scalars(select(ChargeAttempt))])
    assert create.idempotency_key == f"mpanel-{shop.billing.id}-payment-{attempt[0]}" and attempt[1] == "succeeded"
    assert create.params["off_session"] is True and create.params["confirm"] is True
    ours = [r for r in shop.server.requests if r.method == "POST" and not r.path.endswith("/confirm")]
    assert {r.path for r in ours} == {"/v1/customers", "/v1/setup_intents", "/v1/payment_intents"}
    assert all(r.idempotency_key.startswith(f"mpanel-{shop.billing.id}-") for r in ours)  # every call MPanel made
    assert shop.server.violations == []


def test_the_billing_run_itself_charges_due_invoices_to_the_saved_card(shop, client):
    customer = customer_with_card(shop, client)
    invoice = shop.billing.invoice(customer, [("Hosting renewal", "1", "10.00")])
    counts = shop.billing.run(lambda s: run.run(s, on=LATER))
    assert counts["payments"]["paid"] == 1
    assert shop.invoice(invoice) == ("paid", D("11.90"), D("0.00"))
    again = shop.billing.run(lambda s: run.run(s, on=LATER))
    assert "paid" not in again["payments"] and len(creates(shop)) == 1


def test_decline_schedules_retries_then_gives_up(shop, client, smtp):
    customer = customer_with_card(shop, client, "pm_card_chargeCustomerFail")  # sets up, charges fail
    invoice = shop.billing.invoice(customer, [("Hosting renewal", "1", "10.00")])
    assert run_billing(shop)["declined"] == 1
    assert attempts(shop, invoice) == [(1, "declined"), (2, "scheduled")]
    assert run_billing(shop).get("waiting") == 1  # not before its day
    assert retry(shop)["declined"] == 1
    assert retry(shop)["declined"] == 1
    assert retry(shop)["gave_up"] == 1  # retry_days 1,3,5: four tries in all
    assert [s for _, s in attempts(shop, invoice)] == ["declined", "declined", "declined", "gave_up"]
    assert retry(shop)["attempts"] == 0 and run_billing(shop).get("needs_customer") == 1
    assert shop.invoice(invoice)[0] == "unpaid" and len(creates(shop)) == 4
    declined = [m for m in smtp.messages if "declined" in m["Subject"]]
    assert len(declined) == 4
    body = declined[0].get_body(("plain",)).get_content()
    assert "We will try again on" in body and f"/client/billing/payments/pay?invoice={invoice}" in body
    assert "We will try again" not in declined[-1].get_body(("plain",)).get_content()
    assert shop.server.violations == []


def test_bank_asks_for_authentication_customer_gets_a_link(shop, client, smtp):
    customer = customer_with_card(shop, client, "pm_card_authenticationRequired")  # 3-D Secure every time
    invoice = shop.billing.invoice(customer, [("Hosting renewal", "1", "10.00")])
    assert run_billing(shop)["action_required"] == 1
    assert attempts(shop, invoice) == [(1, "action_required")]
    assert run_billing(shop).get("needs_customer") == 1  # no blind retries
    [mail] = [m for m in smtp.messages if "confirm your payment" in m["Subject"]]
    link = next(line for line in mail.get_body(("plain",)).get_content().splitlines() if "/pay?invoice=" in line)
    assert link == f"{shop.host}/client/billing/payments/pay?invoice={invoice}"

    # The customer follows the link and pays on-session with 3-D Secure.
    page = shop.checkout(client, [invoice])
    intent_id = page["client_secret"].split("_secret_")[0]
    method = shop.methods(customer)[0].provider_id
    action = shop.stripe.v1.payment_intents.confirm(intent_id, {"payment_method": method,
                                                                "return_url": page["return_url"]})
    shop.back_from_stripe(client, shop.three_d_secure(action.next_action.redirect_to_url.url))
    assert shop.invoice(invoice)[0] == "paid"
    assert shop.server.violations == []


@pytest.mark.parametrize("fault", ["timeout", "lost_response", "500"])
def test_stripe_outage_is_retried_later_without_a_second_charge(shop, client, fault):
    customer = customer_with_card(shop, client)
    invoice = shop.billing.invoice(customer, [("Hosting renewal", "1", "10.00")])
    shop.server.fail_next(1, fault)
    assert run_billing(shop)["unavailable"] == 1
    assert shop.invoice(invoice)[0] == "unpaid" and attempts(shop, invoice) == [(1, "processing")]
    assert run_billing(shop).get("waiting") == 1  # not before the retry time

    assert retry(shop)["paid"] == 1
    assert shop.invoice(invoice) == ("paid", D("11.90"), D("0.00"))
    keys = {r.idempotency_key for r in creates(shop)}
    assert len(keys) == 1  # the retry sent the same key: Stripe replays instead of charging again
    assert len(shop.intents()) == 1
    shop.deliver_all()
    assert shop.payments(invoice) == 1 and attempts(shop, invoice) == [(1, "succeeded")]
    assert shop.billing.run(ledger.reconcile) == []


def test_webhook_arriving_before_the_billing_run_retries(shop, client):
    """The charge went through but its answer was lost; the webhook applies it first."""
    customer = customer_with_card(shop, client)
    invoice = shop.billing.invoice(customer, [("Hosting renewal", "1", "10.00")])
    shop.server.fail_next(1, "lost_response")
    assert run_billing(shop)["unavailable"] == 1
    shop.deliver_all("payment_intent.succeeded")  # found by the transaction id in its metadata
    assert shop.invoice(invoice)[0] == "paid"
    assert retry(shop).get("nothing_due") == 1
    assert attempts(shop, invoice) == [(1, "succeeded")] and len(creates(shop)) == 1


def test_concurrent_billing_runs_charge_once(shop, client, app):
    customer = customer_with_card(shop, client)
    invoice = shop.billing.invoice(customer, [("Hosting renewal", "1", "10.00")])
    outcomes, start = [], threading.Barrier(3)

    def charge():
        with app.app_context(), tenant_scope(shop.billing.id, session=db.session):
            start.wait()
            try:
                outcomes.append(autopay.charge_saved_method(db.session, db.session.get(Invoice, invoice)))
            except Exception as exc:  # a unique-index loser is a failure of that run, not a charge
                db.session.rollback()
                outcomes.append(type(exc).__name__)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=charge) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("paid") == 1, outcomes
    assert len(creates(shop)) == 1 and shop.payments(invoice) == 1


def test_manual_mark_paid_racing_the_webhook_never_renews_twice(shop, client):
    customer = customer_with_card(shop, client)
    invoice = shop.billing.invoice(customer, [("Hosting renewal", "1", "10.00")])
    paid = []

    def seen(sender, payment=None, **kwargs):
        paid.append(payment.provider)

    invoice_paid.connect(seen)
    try:
        shop.server.fail_next(1, "lost_response")  # the card is charged; MPanel does not hear of it yet
        assert run_billing(shop)["unavailable"] == 1
        # Staff see the money nowhere and mark the invoice paid from a bank transfer ...
        shop.billing.run(lambda s: ledger.record_payment(s, s.get(Invoice, invoice), "11.90", "EUR", "manual",
                                                         "BANK-77"))
        shop.deliver_all("payment_intent.succeeded")  # ... then Stripe's webhook arrives
        assert retry(shop).get("nothing_due") == 1
    finally:
        invoice_paid.disconnect(seen)
    assert paid == ["manual"]  # one activation; the card payment became credit, nothing is lost
    assert shop.payments(invoice) == 2 and len(creates(shop)) == 1
    assert shop.billing.run(lambda s: ledger.credit_balance(s, customer, "EUR")) == D("11.90")
    assert attempts(shop, invoice) == [(1, "succeeded")]
    assert shop.billing.run(ledger.reconcile) == []
