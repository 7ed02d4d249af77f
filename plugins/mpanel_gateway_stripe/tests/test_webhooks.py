"""Webhooks: the URL names the tenant, the tenant's secret checks the signature,
each event id counts once, and events applied in any order (or days late) end
in the same state. CVE-2026-42341 (FOSSBilling) was an unauthenticated callback
that marked invoices paid: every forged or foreign request here changes nothing."""

import json
import time

import pytest
import requests
from mpanel_billing import ledger
from mpanel_billing.gateways import payments
from mpanel_billing.gateways.models import GatewayEventLog
from mpanel_billing.gateways.registry import get_gateway
from mpanel_billing.testing import D
from mpanel_gateway_stripe.testing import NAME, Shop
from sqlalchemy import func, select

from mpanel.modules.customers.models import Customer

pytestmark = pytest.mark.slow


def paid_by_dashboard(shop, customer, invoice_lines=(("Hosting", "1", "10.00"),), card="pm_card_visa"):
    """An invoice and a PaymentIntent for it paid at Stripe, nothing delivered yet."""
    invoice = shop.billing.invoice(customer, list(invoice_lines))

    def start(session):
        transaction, _ = payments.start(session, get_gateway(session, NAME), session.get(Customer, customer), [invoice])
        return transaction.provider_id

    intent_id = shop.billing.run(start)
    shop.stripe.v1.payment_intents.confirm(intent_id, {"payment_method": card})
    return invoice, intent_id


def stored_events(shop) -> int:
    return shop.billing.run(lambda s: s.scalar(select(func.count(GatewayEventLog.id))))


def test_replayed_and_late_events_count_once(shop):
    invoice, intent_id = paid_by_dashboard(shop, shop.billing.customer())
    [succeeded] = shop.events("payment_intent.succeeded")
    first = shop.deliver(succeeded)
    assert first.status_code == 200 and first.json() == {"received": succeeded["id"], "duplicate": False}
    assert shop.invoice(invoice) == ("paid", D("11.90"), D("0.00"))

    # Stripe retries for up to three days: the same event, freshly signed, later.
    again = shop.deliver(succeeded, timestamp=int(time.time()))
    assert again.json()["duplicate"] is True
    shop.deliver(shop.events("charge.succeeded")[0])  # another event about the same payment
    assert shop.payments(invoice) == 1 and stored_events(shop) == 2
    assert shop.billing.run(ledger.reconcile) == []


@pytest.mark.parametrize("attack", ["tampered", "stale", "other_secret", "no_signature", "not_json"])
def test_forged_events_are_refused(shop, attack):
    invoice, _ = paid_by_dashboard(shop, shop.billing.customer())
    [event] = shop.events("payment_intent.succeeded")
    if attack == "tampered":
        body, header = shop.server.sign_event(event, shop.secret)
        body = body.replace(b'"livemode": false', b'"livemode": false ')
    elif attack == "stale":
        body, header = shop.server.sign_event(event, shop.secret, timestamp=int(time.time()) - 301)
    elif attack == "other_secret":
        body, header = shop.server.sign_event(event, "whsec_someone_else")
    elif attack == "no_signature":
        body, header = json.dumps(event).encode(), ""
    else:
        body, header = shop.server.sign_event("{not json", shop.secret)
    refused = requests.post(shop.live_url + shop.webhook_path, data=body, timeout=5,
                            headers={"Content-Type": "application/json", "Stripe-Signature": header})
    assert refused.status_code == 400 and "error" in refused.json()
    assert stored_events(shop) == 0
    assert shop.invoice(invoice)[0] == "unpaid"


def test_wrong_tenant_token_or_host_is_not_found(shop, make_billing, stripe_server, live_url):
    invoice, _ = paid_by_dashboard(shop, shop.billing.customer())
    [event] = shop.events("payment_intent.succeeded")
    other = Shop(shop.app, make_billing(), stripe_server, live_url)
    assert shop.deliver(event, path=f"/webhooks/stripe/{shop.slug}/not-the-token").status_code == 404
    assert shop.deliver(event, path=f"/webhooks/stripe/no-such-tenant/{shop.token}").status_code == 404
    # Our signed event sent to the other tenant's endpoint: its secret does not verify it.
    assert shop.deliver(event, path=other.webhook_path).status_code == 400
    # Even signed with the other tenant's secret: it names our Stripe account, not theirs.
    assert shop.deliver(event, secret=other.secret, path=other.webhook_path).status_code == 400
    assert shop.invoice(invoice)[0] == "unpaid" and stored_events(shop) == 0 and stored_events(other) == 0


def test_event_for_another_stripe_account_or_mode_is_refused(shop, make_billing, stripe_server, live_url):
    other = Shop(shop.app, make_billing(), stripe_server, live_url)
    invoice, _ = paid_by_dashboard(other, other.billing.customer())
    [event] = other.events("payment_intent.succeeded")
    assert event["account"] == other.account_id
    refused = shop.deliver(event)  # correctly signed for this tenant, but from the other account
    assert refused.status_code == 400 and "another Stripe account" in refused.json()["error"]
    live = shop.server.build_event("payment_intent.succeeded", event["data"]["object"], api_key=shop.api_key)
    live["livemode"] = True
    assert shop.deliver(live).status_code == 400  # the tenant is in test mode
    assert stored_events(shop) == 0


def test_out_of_order_refund_before_payment_and_late_failure(shop):
    invoice, intent_id = paid_by_dashboard(shop, shop.billing.customer(), [("Hosting", "1", "100.00")])
    shop.stripe.v1.refunds.create({"payment_intent": intent_id, "amount": 1900})  # in Stripe's dashboard
    [refunded] = shop.events("charge.refunded")
    assert shop.deliver(refunded).status_code == 200  # before payment_intent.succeeded
    assert shop.invoice(invoice) == ("partially_paid", D("100.00"), D("19.00"))
    kinds = sorted((t.kind, t.status, t.amount) for t in shop.transactions())
    assert kinds == [("payment", "succeeded", D("119.0000")), ("refund", "succeeded", D("19.0000"))]

    for event in reversed(shop.events()):  # everything else, newest first, twice
        shop.deliver(event)
        shop.deliver(event)
    assert shop.invoice(invoice) == ("partially_paid", D("100.00"), D("19.00"))
    assert shop.payments() == 2  # the payment and the refund, once each
    assert shop.billing.run(ledger.reconcile) == []
    assert shop.server.violations == []


def test_events_of_unknown_objects_are_ignored(shop):
    stranger = shop.stripe.v1.payment_intents.create({"amount": 500, "currency": "eur", "confirm": True,
                                                      "payment_method": "pm_card_visa"})
    assert stranger.status == "succeeded"
    shop.deliver_all()
    outcomes = shop.billing.run(lambda s: s.scalars(select(GatewayEventLog.outcome)).all())
    assert set(outcomes) == {"ignored"} and shop.payments() == 0


@pytest.mark.parametrize("body", ["[]", '"charge.succeeded"', "1", "null"])
def test_signed_json_that_is_not_an_event_object_is_refused(shop, body):
    signed, header = shop.server.sign_event(body, shop.secret)
    refused = requests.post(shop.live_url + shop.webhook_path, data=signed, timeout=5,
                            headers={"Content-Type": "application/json", "Stripe-Signature": header})
    assert refused.status_code == 400 and "error" in refused.json()
    assert stored_events(shop) == 0


def test_an_event_naming_a_missing_object_is_recorded_for_staff_not_retried(shop):
    from mpanel.core import outbox
    from mpanel.core.audit import AuditLog

    owner = shop.billing.tenant.staff("Owner")
    event = {"id": "evt_missing_dispute", "object": "event", "type": "charge.dispute.created", "livemode": False,
             "created": int(time.time()), "data": {"object": {"id": "dp_not_in_this_account", "object": "dispute"}}}
    assert shop.deliver(event).status_code == 200

    def state(session):
        row = session.scalars(select(GatewayEventLog)).one()
        pending = session.scalars(select(outbox.OutboxMessage).where(
            outbox.OutboxMessage.kind == "billing.gateway_event")).one()
        audited = session.scalars(select(AuditLog.object_id).where(
            AuditLog.action == "gateway_event_object_missing")).all()
        alerts = [m.payload["to"] for m in session.scalars(select(outbox.OutboxMessage).where(
            outbox.OutboxMessage.kind == "mail.send")) if "evt_missing_dispute" in m.payload["subject"]]
        return row.processed_at is not None, row.outcome, pending.status, audited, alerts

    processed, outcome, status, audited, alerts = shop.billing.run(state)
    assert processed and outcome.startswith("object missing") and status == "done"
    assert audited == ["evt_missing_dispute"] and alerts == [owner]
