"""Amounts in Stripe's units follow Stripe's currency list, not ISO 4217 alone:
ISK goes as a two-decimal amount (x 100), MGA as zero-decimal, three-decimal
currencies end in 0; what Stripe cannot represent exactly is refused."""

from decimal import Decimal

import pytest
from mpanel_billing.testing import D
from mpanel_gateway_stripe.currencies import NotRepresentable, from_stripe, to_stripe


@pytest.mark.parametrize(("amount", "currency", "units"), [
    ("5000", "ISK", 500000), ("5000", "MGA", 5000), ("500", "JPY", 500), ("10.00", "EUR", 1000),
    ("1.230", "KWD", 1230), ("12345", "HUF", 1234500), ("2000", "UGX", 2000)])
def test_amounts_in_stripe_units_and_back(amount, currency, units):
    assert to_stripe(Decimal(amount), currency) == units
    assert from_stripe(units, currency) == Decimal(amount)


@pytest.mark.parametrize(("amount", "currency"), [("5000.50", "MGA"), ("1.234", "KWD"), ("0.5", "ISK")])
def test_what_stripe_cannot_represent_is_refused(amount, currency):
    with pytest.raises(NotRepresentable):
        to_stripe(Decimal(amount), currency)


@pytest.mark.slow
def test_an_isk_invoice_is_charged_as_stripe_reads_isk(shop, client):
    customer = shop.billing.customer(currency="ISK")
    # 5,950 ISK with 19 % VAT; the VAT also in EUR at the recorded rate (art. 230)
    invoice = shop.billing.invoice(customer, [("Hosting", "1", "5000")], tax_exchange_rate="0.0066")
    shop.sign_in(client, customer)
    page = shop.checkout(client, [invoice])
    created = shop.server.requests[-1]
    assert (created.params["amount"], created.params["currency"]) == (595000, "isk")
    intent_id = page["client_secret"].split("_secret_")[0]
    shop.stripe.v1.payment_intents.confirm(intent_id, {"payment_method": "pm_card_visa",
                                                       "return_url": page["return_url"]})
    shop.back_from_stripe(client, page["return_url"] + f"?payment_intent={intent_id}&redirect_status=succeeded")
    assert shop.invoice(invoice) == ("paid", D("5950"), D("0"))
