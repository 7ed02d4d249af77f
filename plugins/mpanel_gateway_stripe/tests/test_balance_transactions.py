"""Only money that moved has a balance transaction: a failed charge has none (the
test server once left the fixture's id on it), each succeeded charge its own, and
the gateway takes Stripe's fee from that one, never from a failed charge."""

import datetime as dt

import pytest
from mpanel_billing.gateways import autopay, payments
from mpanel_billing.gateways.models import Transaction
from mpanel_billing.gateways.registry import get_gateway
from mpanel_billing.testing import D
from mpanel_gateway_stripe.testing import NAME

pytestmark = pytest.mark.slow
LATER = dt.date.today() + dt.timedelta(days=30)


def customer_with_card(shop, client, card):
    customer = shop.billing.customer()
    shop.sign_in(client, customer)
    shop.save_card(client, customer, card)
    client.get("/logout/", base_url=shop.host)
    return customer


def charges(shop, status):
    return [o for o in shop.server.account(shop.api_key).objects.values()
            if o["object"] == "charge" and o["status"] == status]


def test_failed_charges_have_no_balance_transaction_and_no_fee(shop, client):
    declining = customer_with_card(shop, client, "pm_card_chargeCustomerFail")
    shop.billing.invoice(declining, [("Hosting renewal", "1", "10.00")])
    assert shop.billing.run(lambda s: autopay.charge_due_invoices(s, on=LATER))["declined"] == 1
    [failed] = charges(shop, "failed")
    assert failed["balance_transaction"] is None and failed["paid"] is False
    [transaction] = shop.transactions(kind="payment")
    assert (transaction.status, transaction.fee) == ("failed", None)
    # Reading the declined intent back (latest charge expanded) works and records no fee.
    outcome = shop.billing.run(lambda s: payments.sync(s, get_gateway(s, NAME), s.get(Transaction, transaction.id)))
    assert outcome == "failed" and shop.transactions(kind="payment")[0].fee is None
    assert not [r for r in shop.server.requests if r.path.startswith("/v1/balance_transactions")]
    assert shop.server.violations == []


def test_each_succeeded_charge_has_its_own_balance_transaction(shop, client):
    paying = customer_with_card(shop, client, "pm_card_visa")
    first = shop.billing.invoice(paying, [("Hosting", "1", "10.00")])  # 11.90
    second = shop.billing.invoice(paying, [("Domain", "1", "100.00")])  # 119.00
    assert shop.billing.run(lambda s: autopay.charge_due_invoices(s, on=LATER))["paid"] == 2
    objects = shop.server.account(shop.api_key).objects
    succeeded = charges(shop, "succeeded")
    ids = [c["balance_transaction"] for c in succeeded]
    assert len(succeeded) == 2 and len(set(ids)) == 2
    for charge in succeeded:
        txn = objects[charge["balance_transaction"]]
        assert (txn["source"], txn["amount"]) == (charge["id"], charge["amount"])
    fees = {t.invoice_id: t.fee for t in shop.transactions(kind="payment")}
    assert fees == {first: D("0.65"), second: D("3.75")}  # 2.9 % + 0.30 of each charge
    assert shop.server.violations == []
