"""Saved cards: added with a SetupIntent (3-D Secure when the card wants it),
listed, made default and removed in the client area and over REST."""

import pytest
from mpanel_billing.gateways.models import PaymentMethod
from mpanel_gateway_stripe.testing import NAME
from sqlalchemy import select

from mpanel.testing.pytest_plugin import bearer

pytestmark = pytest.mark.slow


def test_add_cards_choose_default_and_remove(shop, client):
    customer = shop.billing.customer()
    shop.sign_in(client, customer)
    first = shop.save_card(client, customer, "pm_card_visa")
    second = shop.save_card(client, customer, "pm_card_authenticationRequiredOnSetup")  # 3-D Secure on setup
    assert (first.is_default, second.is_default, second.last4) == (True, False, "3155")
    setups = [r for r in shop.server.requests if (r.method, r.path) == ("POST", "/v1/setup_intents")]
    keys = [r.idempotency_key for r in setups]
    assert len(set(keys)) == 2 and all(k.startswith(f"mpanel-{shop.billing.id}-setup-") for k in keys)
    customers = [r for r in shop.server.requests if (r.method, r.path) == ("POST", "/v1/customers")]
    assert len(customers) == 1  # one Stripe Customer per MPanel customer
    shop.deliver_all("setup_intent.succeeded")  # the webhook saves nothing twice
    assert len(shop.methods(customer)) == 2

    page = client.get("/client/billing/payments/methods", base_url=shop.host).get_data(as_text=True)
    assert "•••• 4242" in page and "•••• 3155" in page
    token = shop.csrf(client, "/client/billing/payments/methods")
    client.post(f"/client/billing/payments/methods/{second.id}/default", data={"csrf_token": token},
                base_url=shop.host)
    assert [m.is_default for m in shop.methods(customer)] == [True, False]
    removed = client.post(f"/client/billing/payments/methods/{second.id}/remove", data={"csrf_token": token},
                          base_url=shop.host)
    assert removed.status_code == 302
    assert shop.server.account(shop.api_key).objects[second.provider_id]["customer"] is None  # detached at Stripe
    methods = shop.methods(customer)
    assert [(m.id, m.is_default, m.removed_at is not None) for m in methods] == [(second.id, False, True),
                                                                                (first.id, True, False)]
    shop.deliver_all("payment_method.detached")
    assert client.post(f"/client/billing/payments/methods/{second.id}/remove", data={"csrf_token": token},
                       base_url=shop.host).status_code == 404
    assert shop.server.violations == []


def test_a_card_detached_in_stripe_is_forgotten(shop, client):
    customer = shop.billing.customer()
    shop.sign_in(client, customer)
    card = shop.save_card(client, customer)
    shop.stripe.v1.payment_methods.detach(card.provider_id)
    shop.deliver_all("payment_method.detached")
    [method] = shop.methods(customer)
    assert method.removed_at is not None and not method.is_default


def test_payment_methods_over_rest(shop, client):
    customer = shop.billing.customer()
    shop.sign_in(client, customer)
    first = shop.save_card(client, customer)
    second = shop.save_card(client, customer, "pm_card_mastercard")
    client.get("/logout/", base_url=shop.host)
    token = shop.billing.tenant.api_token(client, shop.billing.tenant.staff("Billing"))
    listed = client.get(f"/api/v1/payment_methods/?customer_id={customer}", headers=bearer(token),
                        base_url=shop.host).get_json()
    assert [(m["last4"], m["is_default"], m["gateway"]) for m in listed["result"]] == [("4444", False, NAME),
                                                                                      ("4242", True, NAME)]
    made = client.post(f"/api/v1/payment_methods/{second.id}/default", headers=bearer(token), base_url=shop.host)
    assert made.status_code == 200 and made.get_json()["result"]["is_default"] is True
    gone = client.delete(f"/api/v1/payment_methods/{second.id}", headers=bearer(token), base_url=shop.host)
    assert gone.status_code == 200 and gone.get_json()["result"]["removed"] is True
    assert shop.billing.run(lambda s: s.scalar(select(PaymentMethod.is_default).where(
        PaymentMethod.id == first.id))) is True
    assert client.delete(f"/api/v1/payment_methods/{second.id}", headers=bearer(token),
                         base_url=shop.host).status_code == 404
    support = shop.billing.tenant.api_token(client, shop.billing.tenant.staff("Support"))
    assert client.delete(f"/api/v1/payment_methods/{first.id}", headers=bearer(support),
                         base_url=shop.host).status_code == 403
