"""The payments sweep picks up what a missed webhook or an outage left open,
and the test-mode switch keeps test and live apart."""

import datetime as dt

import pytest
from mpanel_billing.gateways import payments, reversals, tasks
from mpanel_billing.gateways.models import GatewayEventLog, Transaction
from mpanel_billing.gateways.registry import get_gateway
from mpanel_billing.testing import D
from mpanel_gateway_stripe.testing import NAME
from sqlalchemy import update

from mpanel.core.outbox import OutboxMessage
from mpanel.modules.automation.models import AutomationRun
from mpanel.modules.customers.models import Customer

pytestmark = pytest.mark.slow


def started(shop, amount="10.00"):
    customer = shop.billing.customer()
    invoice = shop.billing.invoice(customer, [("Hosting", "1", amount)])

    def start(session):
        transaction, _ = payments.start(session, get_gateway(session, NAME), session.get(Customer, customer), [invoice])
        return transaction.id, transaction.provider_id

    return (invoice, *shop.billing.run(start))


def quiet(shop) -> None:
    """Half an hour passes without news about any transaction."""
    earlier = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=31)
    shop.billing.run(lambda s: s.execute(update(Transaction).values(updated_at=earlier)))


def test_sweep_applies_a_payment_whose_webhooks_never_came(shop):
    invoice, _, intent_id = started(shop)
    shop.stripe.v1.payment_intents.confirm(intent_id, {"payment_method": "pm_card_visa"})
    assert shop.billing.run(tasks.run)["resynced"] == 0  # not quiet long enough yet
    quiet(shop)
    assert shop.billing.run(tasks.run)["resynced"] == 1
    assert shop.invoice(invoice) == ("paid", D("11.90"), D("0.00"))

    tasks.sweep.call_local()  # the locked periodic task: one automation row per tenant
    rows = shop.billing.run(lambda s: s.query(AutomationRun.task, AutomationRun.status)
                            .filter(AutomationRun.task == "billing.payments.tenant").all())
    assert rows == [("billing.payments.tenant", "ok")]


def test_refund_during_an_outage_is_sent_again_with_the_same_key(shop):
    invoice, transaction, intent_id = started(shop, "100.00")
    shop.stripe.v1.payment_intents.confirm(intent_id, {"payment_method": "pm_card_visa"})
    shop.deliver_all("payment_intent.succeeded")
    shop.server.fail_next(1, "timeout")
    refund = shop.billing.run(lambda s: reversals.refund(s, s.get(Transaction, transaction), "19.00").id)
    [pending] = shop.transactions(kind="refund")
    assert (pending.status, pending.provider_id) == ("pending", None) and "will retry" in pending.error
    assert shop.invoice(invoice)[0] == "paid"

    quiet(shop)
    assert shop.billing.run(tasks.run)["resent"] == 1
    [done] = shop.transactions(kind="refund")
    assert done.status == "succeeded" and done.provider_id.startswith("re_")
    sent = [r for r in shop.server.requests if r.path == "/v1/refunds" and r.method == "POST"]
    assert {r.idempotency_key for r in sent} == {f"mpanel-{shop.billing.id}-refund-{refund}"}
    assert shop.invoice(invoice) == ("partially_paid", D("100.00"), D("19.00"))
    shop.deliver_all("charge.refunded")
    assert shop.payments() == 2


def test_live_mode_without_live_keys_fails_politely(shop, client):
    customer = shop.billing.customer()
    invoice = shop.billing.invoice(customer)
    shop.configure(test_mode="false")
    shop.sign_in(client, customer)
    page = client.get(f"/client/billing/payments/pay?invoice={invoice}", base_url=shop.host)
    assert f'value="{NAME}"' not in page.get_data(as_text=True)  # not offered until set up
    refused = client.post("/client/billing/payments/pay", base_url=shop.host, follow_redirects=True,
                          data={"csrf_token": shop.csrf(client), "invoice": [invoice], "gateway": NAME})
    assert refused.status_code == 200 and "Stripe is not set up" in refused.get_data(as_text=True)
    assert shop.transactions() == [] and shop.intents() == []


def test_an_event_whose_processing_gave_up_is_queued_again(shop):
    invoice, _, intent_id = started(shop)
    shop.stripe.v1.payment_intents.confirm(intent_id, {"payment_method": "pm_card_visa"})
    shop.server.fail_next(1, "500")
    shop.deliver(shop.events("payment_intent.succeeded")[0])
    earlier = dt.datetime.now(dt.UTC) - dt.timedelta(hours=2)
    shop.billing.run(lambda s: s.execute(update(OutboxMessage).values(status="failed")))  # after 8 tries
    shop.billing.run(lambda s: s.execute(update(GatewayEventLog).values(received_at=earlier)))
    assert shop.invoice(invoice)[0] == "unpaid"
    assert shop.billing.run(tasks.run)["requeued_events"] == 1
    assert shop.invoice(invoice)[0] == "paid"
    assert shop.billing.run(tasks.run)["requeued_events"] == 0
