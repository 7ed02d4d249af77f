"""The local Stripe test server, driven through the real stripe SDK."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
import stripe

from .stripe import TEST_API_KEY, StripeTestServer

pytestmark = pytest.mark.slow

WEBHOOK_SECRET = "whsec_test_secret"


@pytest.fixture
def server():
    with StripeTestServer(hang_seconds=3) as server:
        yield server


@pytest.fixture
def client(server):
    return server.client()


def pay(client, card="pm_card_visa", **params):
    return client.v1.payment_intents.create(
        {"amount": 1000, "currency": "eur", "payment_method": card, "confirm": True, **params}
    )


def test_customer_create_retrieve_update(server, client):
    customer = client.v1.customers.create(
        {"email": "ann@example.com", "name": "Ann", "metadata": {"client_id": "7"}, "address": {"country": "DE"}}
    )
    assert customer.id.startswith("cus_")
    assert customer.address.country == "DE" and customer.address.city is None

    client.v1.customers.update(customer.id, {"metadata": {"client_id": "", "plan": "gold"}})
    fetched = client.v1.customers.retrieve(customer.id)
    assert fetched.email == "ann@example.com"
    assert fetched.metadata.to_dict() == {"plan": "gold"}
    assert server.violations == []


def test_visa_payment_succeeds(server, client):
    customer = client.v1.customers.create({"email": "ann@example.com"})
    intent = client.v1.payment_intents.create(
        {
            "amount": 1999,
            "currency": "eur",
            "customer": customer.id,
            "payment_method_types": ["card"],
            "metadata": {"invoice_id": "5"},
        }
    )
    assert intent.status == "requires_payment_method"
    assert intent.client_secret.startswith(intent.id + "_secret_")

    intent = client.v1.payment_intents.confirm(intent.id, {"payment_method": "pm_card_visa"})
    assert intent.status == "succeeded"
    assert intent.amount_received == 1999
    assert intent.payment_method.startswith("pm_") and intent.payment_method != "pm_card_visa"

    expanded = client.v1.payment_intents.retrieve(intent.id, {"expand": ["latest_charge.balance_transaction"]})
    charge = expanded.latest_charge
    assert charge.amount == 1999 and charge.paid and charge.metadata["invoice_id"] == "5"
    assert (charge.balance_transaction.fee, charge.balance_transaction.net) == (88, 1911)  # 2.9% + 30

    create = server.requests[1]
    assert (create.method, create.path) == ("POST", "/v1/payment_intents")
    assert create.params["amount"] == 1999
    assert create.params["payment_method_types"] == ["card"]
    assert create.idempotency_key  # the SDK sends one on every POST
    assert [e["type"] for e in server.find_events(api_key=TEST_API_KEY)][-2:] == [
        "charge.succeeded",
        "payment_intent.succeeded",
    ]
    assert server.violations == []


def test_saved_card_is_attached_and_charged_off_session(server, client):
    customer = client.v1.customers.create({"email": "ann@example.com"})
    first = pay(client, customer=customer.id, setup_future_usage="off_session")
    saved = client.v1.customers.payment_methods.list(customer.id, {"type": "card"})
    assert [pm.id for pm in saved.data] == [first.payment_method]
    assert saved.data[0].card.last4 == "4242"

    again = pay(client, customer=customer.id, card=first.payment_method, off_session=True)
    assert again.status == "succeeded"

    detached = client.v1.payment_methods.detach(first.payment_method)
    assert detached.customer is None
    assert client.v1.payment_methods.list({"customer": customer.id}).data == []
    assert server.violations == []


def test_three_d_secure_then_complete(server, client):
    intent = pay(client, card="pm_card_threeDSecure2Required")
    assert intent.status == "requires_action"
    assert intent.next_action.type == "use_stripe_sdk"

    server.complete_3ds(intent.id)
    assert client.v1.payment_intents.retrieve(intent.id).status == "succeeded"
    assert server.find_events("payment_intent.succeeded")[0]["data"]["object"]["id"] == intent.id
    assert server.violations == []


def test_three_d_secure_redirect_page(server, client):
    intent = pay(client, card="pm_card_authenticationRequired", return_url="https://shop.test/return")
    redirect = intent.next_action.redirect_to_url
    assert redirect.return_url == "https://shop.test/return"

    page = requests.get(redirect.url, allow_redirects=False, timeout=5)
    assert page.status_code == 302
    assert page.headers["Location"].startswith(f"https://shop.test/return?payment_intent={intent.id}&")
    assert "redirect_status=succeeded" in page.headers["Location"]
    assert client.v1.payment_intents.retrieve(intent.id).status == "succeeded"


def test_failed_three_d_secure(server, client):
    intent = pay(client, card="pm_card_threeDSecure2Required")
    server.fail_3ds(intent.id)
    intent = client.v1.payment_intents.retrieve(intent.id)
    assert intent.status == "requires_payment_method"
    assert intent.last_payment_error.code == "payment_intent_authentication_failure"
    assert server.violations == []


def test_declined_card(server, client):
    with pytest.raises(stripe.CardError) as declined:
        pay(client, card="pm_card_chargeDeclined")
    assert declined.value.http_status == 402
    assert declined.value.code == "card_declined"
    assert declined.value.error.decline_code == "generic_decline"
    assert declined.value.error.payment_intent.status == "requires_payment_method"

    with pytest.raises(stripe.CardError) as poor:
        pay(client, card="pm_card_chargeDeclinedInsufficientFunds")
    assert poor.value.error.decline_code == "insufficient_funds"
    assert len(server.find_events("payment_intent.payment_failed")) == 2
    assert server.violations == []


def test_off_session_payment_needing_authentication(server, client):
    customer = client.v1.customers.create({})
    card = client.v1.payment_methods.attach("pm_card_authenticationRequired", {"customer": customer.id})

    with pytest.raises(stripe.CardError) as failed:
        pay(client, customer=customer.id, card=card.id, off_session=True)
    assert failed.value.code == "authentication_required"
    intent = failed.value.error.payment_intent
    assert intent.last_payment_error.payment_method.id == card.id
    assert client.v1.payment_intents.retrieve(intent.id).status == "requires_payment_method"
    assert server.violations == []


def test_setup_intent_with_authentication(server, client):
    customer = client.v1.customers.create({})
    setup = client.v1.setup_intents.create(
        {"customer": customer.id, "payment_method": "pm_card_authenticationRequiredOnSetup", "confirm": True}
    )
    assert setup.status == "requires_action"
    server.complete_3ds(setup.id)
    setup = client.v1.setup_intents.retrieve(setup.id)
    assert setup.status == "succeeded"
    assert client.v1.payment_methods.retrieve(setup.payment_method).customer == customer.id

    # Set up once, later off-session payments with this card need no authentication.
    assert pay(client, customer=customer.id, card=setup.payment_method, off_session=True).status == "succeeded"
    assert [e["type"] for e in server.events].count("setup_intent.succeeded") == 1
    assert server.violations == []


def test_idempotent_replay(server, client):
    params = {"amount": 500, "currency": "eur"}
    first = client.v1.payment_intents.create(params, {"idempotency_key": "order-1"})
    again = client.v1.payment_intents.create(params, {"idempotency_key": "order-1"})
    assert again.id == first.id
    assert again.last_response.headers["Idempotent-Replayed"] == "true"
    assert len(client.v1.payment_intents.list().data) == 1

    with pytest.raises(stripe.IdempotencyError):
        client.v1.payment_intents.create({**params, "amount": 600}, {"idempotency_key": "order-1"})
    assert [r.idempotency_key for r in server.requests if r.method == "POST"] == ["order-1"] * 3
    assert server.violations == []


@pytest.mark.parametrize(
    ("params", "param", "message"),
    [
        ({"amount": 100, "currency": "eur", "colour": "red"}, "colour", "Received unknown parameter: colour"),
        ({"currency": "eur"}, "amount", "Missing required param: amount."),
        ({"amount": "lots", "currency": "eur"}, "amount", "Invalid integer: lots"),
        (
            {"amount": 100, "currency": "eur", "automatic_payment_methods": {"enabled": True, "x": "1"}},
            "automatic_payment_methods[x]",
            "Received unknown parameter: automatic_payment_methods[x]",
        ),
        ({"amount": 100, "currency": "eur", "capture_method": "later"}, "capture_method", "Invalid capture_method"),
    ],
)
def test_invalid_parameters_are_rejected_and_recorded(server, client, params, param, message):
    with pytest.raises(stripe.InvalidRequestError) as rejected:
        client.v1.payment_intents.create(params)
    assert rejected.value.http_status == 400
    assert rejected.value.param == param
    assert [(v.path, v.param) for v in server.violations] == [("/v1/payment_intents", param)]
    assert server.violations[0].message.startswith(message)
    assert client.v1.payment_intents.list().data == []


def test_bad_key_unknown_route_and_bracket_notation(server):
    no_key = requests.post(f"{server.url}/v1/customers", data={"email": "a@b.c"}, timeout=5)
    assert no_key.status_code == 401
    assert no_key.json()["error"]["type"] == "invalid_request_error"

    headers = {"Authorization": f"Bearer {TEST_API_KEY}"}
    unknown = requests.get(f"{server.url}/v1/nothing_here", headers=headers, timeout=5)
    assert unknown.status_code == 404
    assert len(server.violations) == 2

    # Hand-written form bodies: "[]" lists and nested keys, as other clients send them.
    body = "amount=100&currency=eur&payment_method_types[]=card&metadata[invoice_id]=5"
    form = {**headers, "Content-Type": "application/x-www-form-urlencoded"}
    created = requests.post(f"{server.url}/v1/payment_intents", data=body, headers=form, timeout=5).json()
    assert created["payment_method_types"] == ["card"] and created["metadata"] == {"invoice_id": "5"}
    assert len(server.violations) == 2


def test_refund_partial_then_full(server, client):
    intent = pay(client, amount=1000)
    partial = client.v1.refunds.create({"payment_intent": intent.id, "amount": 300})
    assert (partial.amount, partial.status) == (300, "succeeded")
    charge = client.v1.charges.retrieve(intent.latest_charge)
    assert (charge.amount_refunded, charge.refunded) == (300, False)

    with pytest.raises(stripe.InvalidRequestError) as too_much:
        client.v1.refunds.create({"payment_intent": intent.id, "amount": 800})
    assert too_much.value.param == "amount"

    rest = client.v1.refunds.create({"payment_intent": intent.id})
    assert rest.amount == 700
    charge = client.v1.charges.retrieve(intent.latest_charge)
    assert (charge.amount_refunded, charge.refunded) == (1000, True)
    with pytest.raises(stripe.InvalidRequestError) as twice:
        client.v1.refunds.create({"payment_intent": intent.id})
    assert twice.value.code == "charge_already_refunded"

    refunded = server.find_events("charge.refunded")
    assert [e["data"]["object"]["amount_refunded"] for e in refunded] == [300, 1000]
    assert [r.id for r in client.v1.refunds.list({"payment_intent": intent.id}).data] == [rest.id, partial.id]
    assert server.violations == []


def test_cancel_and_dispute(server, client):
    open_intent = client.v1.payment_intents.create({"amount": 100, "currency": "eur"})
    canceled = client.v1.payment_intents.cancel(open_intent.id, {"cancellation_reason": "abandoned"})
    assert canceled.status == "canceled"

    paid = pay(client)
    with pytest.raises(stripe.InvalidRequestError) as late:
        client.v1.payment_intents.cancel(paid.id)
    assert late.value.code == "payment_intent_unexpected_state"

    dispute = server.create_dispute(paid.id)
    assert client.v1.disputes.retrieve(dispute["id"]).charge == paid.latest_charge
    assert client.v1.charges.retrieve(paid.latest_charge).disputed
    assert server.find_events("charge.dispute.created")[0]["data"]["object"]["id"] == dispute["id"]
    assert server.violations == []


def test_accounts_are_separated_by_api_key(server):
    shop_a, shop_b = server.client("sk_test_shop_a"), server.client("sk_test_shop_b")
    customer = shop_a.v1.customers.create({})
    with pytest.raises(stripe.InvalidRequestError) as missing:
        shop_b.v1.customers.retrieve(customer.id)
    assert missing.value.code == "resource_missing"

    pay(shop_a)
    events = server.find_events("payment_intent.succeeded")
    assert [e["account"] for e in events] == [server.account("sk_test_shop_a").id]
    assert server.find_events(api_key="sk_test_shop_b") == []


def test_webhook_signature_is_verified_by_the_sdk(server, client):
    pay(client)
    event = server.find_events("payment_intent.succeeded")[0]
    assert event["id"].startswith("evt_") and event["livemode"] is False

    body, header = server.sign_event(event, WEBHOOK_SECRET)
    verified = stripe.Webhook.construct_event(body, header, WEBHOOK_SECRET)
    assert verified.type == "payment_intent.succeeded"
    assert verified.data.object.status == "succeeded"

    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(body.replace(b"succeeded", b"failed"), header, WEBHOOK_SECRET)
    old_body, old_header = server.sign_event(event, WEBHOOK_SECRET, timestamp=int(time.time()) - 301)
    with pytest.raises(stripe.SignatureVerificationError, match="tolerance"):
        stripe.Webhook.construct_event(old_body, old_header, WEBHOOK_SECRET)


def test_deliver_posts_a_signed_event(server):
    received = []

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append(stripe.Webhook.construct_event(body, self.headers["Stripe-Signature"], WEBHOOK_SECRET))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format, *args):
            pass

    endpoint = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=endpoint.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        event = server.build_event("invoice.paid", {"id": "in_1", "object": "invoice"}, api_key=TEST_API_KEY)
        response = server.deliver(f"http://127.0.0.1:{endpoint.server_port}/hook", event, WEBHOOK_SECRET)
    finally:
        endpoint.shutdown()
        endpoint.server_close()
    assert response.status_code == 200
    assert received[0].id == event["id"] and received[0].account == server.account().id


def test_fault_injection(server):
    client = server.client(timeout=1.0)
    server.fail_next(1, "timeout")
    with pytest.raises(stripe.APIConnectionError):
        client.v1.customers.create({})
    server.fail_next(1, "500")
    with pytest.raises(stripe.APIError):
        client.v1.customers.create({})
    assert [r.fault for r in server.requests] == ["timeout", "500"]
    assert client.v1.customers.list().data == []  # neither faulty request did anything


def test_retries_survive_an_outage(server):
    retrying = server.client(max_network_retries=2)
    server.fail_next(1, "500")
    assert retrying.v1.customers.create({"email": "ann@example.com"}).email == "ann@example.com"
    first, retry = server.requests
    assert (first.status, retry.status) == (500, 200)
    assert first.idempotency_key == retry.idempotency_key


def test_lost_response_is_replayed_on_retry_with_the_same_key(server):
    client = server.client(timeout=1.0)
    server.fail_next(1, "lost_response")
    with pytest.raises(stripe.APIConnectionError):
        client.v1.customers.create({}, {"idempotency_key": "cus-1"})
    replayed = client.v1.customers.create({}, {"idempotency_key": "cus-1"})
    assert replayed.last_response.headers["Idempotent-Replayed"] == "true"
    assert len(client.v1.customers.list().data) == 1


def test_global_api_base_configuration(server, monkeypatch):
    monkeypatch.setattr(stripe, "api_key", TEST_API_KEY)
    monkeypatch.setattr(stripe, "api_base", server.url)
    assert stripe.Customer.create(email="legacy@example.com").email == "legacy@example.com"
    assert server.violations == []
