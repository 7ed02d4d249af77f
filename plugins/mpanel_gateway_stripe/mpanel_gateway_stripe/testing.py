"""The Stripe gateway's test fixtures, a pytest plugin (entry point ``pytest11``):
a billing tenant with its own Stripe account on the test server
(``tests/servers/stripe``, imported when a test asks for it), MPanel served on a
port so the server can deliver signed webhooks over HTTP, and the steps a
customer's browser and Stripe take (Stripe.js confirming, 3-D Secure, webhooks)."""

from __future__ import annotations

import json
import re
import threading
from urllib.parse import urlsplit

import pytest
import requests
from mpanel_billing.gateways.models import PaymentMethod, Transaction
from mpanel_billing.models import Payment
from mpanel_billing.testing import Billing
from sqlalchemy import func, select

from mpanel.core.plugins.engine import loaded_plugins
from mpanel.core.settings import get_settings, set_settings
from mpanel.testing.pytest_plugin import csrf_token

NAME = "gateway_stripe"


class Shop:
    """``billing`` (a tenant with billing set up) connected to its own Stripe test account."""

    def __init__(self, app, billing: Billing, server, live_url: str):
        self.app, self.billing, self.server, self.live_url = app, billing, server, live_url
        self.slug, self.host = billing.tenant.slug, billing.host
        self.api_key, self.secret = f"sk_test_{self.slug}", f"whsec_{self.slug}"
        self.stripe = server.client(self.api_key)  # what Stripe.js and the dashboard do, in the tests
        self.account_id = server.account(self.api_key).id
        self.configure(test_secret_key=self.api_key, test_publishable_key=f"pk_test_{self.slug}",
                       test_webhook_secret=self.secret, account_id=self.account_id)
        self.token = billing.run(lambda s: get_settings(s, NAME, {"webhook_token": ""}))["webhook_token"]
        assert self.token, "the webhook token is made when the tenant activates the plugin"

    def configure(self, **values) -> None:
        with self.app.app_context():
            secrets = loaded_plugins()[NAME].secret_settings
        self.billing.run(lambda s: set_settings(s, NAME, values, secrets))

    # -- webhooks ------------------------------------------------------------------

    @property
    def webhook_path(self) -> str:
        return f"/webhooks/stripe/{self.slug}/{self.token}"

    def deliver(self, event: dict, secret: str | None = None, timestamp: int | None = None, path: str | None = None):
        """Stripe sends ``event`` to the tenant's endpoint over HTTP, signed."""
        return self.server.deliver(self.live_url + (path or self.webhook_path), event, secret or self.secret,
                                   timestamp)

    def events(self, type: str | None = None) -> list[dict]:
        return self.server.find_events(type, api_key=self.api_key)

    def deliver_all(self, type: str | None = None) -> list:
        """Every event of this account so far (of ``type``), oldest first."""
        responses = [self.deliver(event) for event in self.events(type)]
        assert all(r.status_code == 200 for r in responses), [r.text for r in responses]
        return responses

    # -- the customer in the client area ------------------------------------------------

    def sign_in(self, client, customer_id: int) -> None:
        email = self.billing.tenant.contact(customer_id)
        assert self.billing.tenant.web_login(client, email).status_code == 302

    def csrf(self, client, path: str = "/client/billing/payments/pay") -> str:
        return csrf_token(client.get(path, base_url=self.host).get_data(as_text=True))

    def checkout(self, client, invoice_ids, save_method: bool = False) -> dict:
        """Press "Pay with Stripe": the page's Stripe.js settings (client secret, return URL)."""
        data = {"csrf_token": self.csrf(client), "invoice": list(invoice_ids), "gateway": NAME}
        if save_method:
            data["save_method"] = "1"
        page = client.post("/client/billing/payments/pay", data=data, base_url=self.host)
        assert page.status_code == 200, page.get_data(as_text=True)[:500]
        return page_settings(page)

    def add_card(self, client) -> dict:
        page = client.post("/client/billing/payments/methods/add", base_url=self.host,
                           data={"csrf_token": self.csrf(client, "/client/billing/payments/methods"),
                                 "gateway": NAME})
        assert page.status_code == 200, page.get_data(as_text=True)[:500]
        return page_settings(page)

    def back_from_stripe(self, client, url: str):
        """The browser follows Stripe's redirect back to MPanel."""
        parts = urlsplit(url)
        return client.get(f"{parts.path}?{parts.query}", base_url=self.host)

    def three_d_secure(self, action_url: str, outcome: str = "") -> str:
        """The customer passes (or fails) 3-D Secure on the bank's page; returns where it redirects."""
        page = requests.get(action_url + (f"?outcome={outcome}" if outcome else ""), allow_redirects=False,
                            timeout=5)
        assert page.status_code == 302, page.text
        return page.headers["Location"]

    def save_card(self, client, customer_id: int, card: str = "pm_card_visa") -> PaymentMethod:
        """Add a card in the client area (SetupIntent, 3-D Secure when the card wants it)."""
        settings = self.add_card(client)
        intent_id = settings["client_secret"].split("_secret_")[0]
        setup = self.stripe.v1.setup_intents.confirm(intent_id, {"payment_method": card,
                                                                 "return_url": settings["return_url"]})
        url = settings["return_url"] + f"&setup_intent={intent_id}"
        if setup.status == "requires_action":
            url = self.three_d_secure(setup.next_action.redirect_to_url.url)
        assert self.back_from_stripe(client, url).status_code == 302
        return self.methods(customer_id)[0]

    def methods(self, customer_id: int) -> list[PaymentMethod]:
        """The customer's saved methods, newest first (detached copies)."""
        def load(session):
            rows = session.scalars(select(PaymentMethod).where(PaymentMethod.customer_id == customer_id)
                                   .order_by(PaymentMethod.id.desc())).all()
            session.expunge_all()
            return rows

        return self.billing.run(load)

    # -- state ------------------------------------------------------------------------

    def invoice(self, invoice_id: int) -> tuple:
        return self.billing.load(invoice_id, lambda i: (i.status, i.amount_paid, i.amount_due))

    def transactions(self, **where) -> list[Transaction]:
        def load(session):
            rows = session.scalars(select(Transaction).filter_by(**where).order_by(Transaction.id)).all()
            session.expunge_all()
            return rows

        return self.billing.run(load)

    def payments(self, invoice_id: int | None = None) -> int:
        query = select(func.count(Payment.id))
        if invoice_id is not None:
            query = query.where(Payment.invoice_id == invoice_id)
        return self.billing.run(lambda s: s.scalar(query))

    def intents(self) -> list[dict]:
        return [o for o in self.server.account(self.api_key).objects.values() if o["object"] == "payment_intent"]


def page_settings(page) -> dict:
    """The values the checkout page hands to Stripe.js."""
    html = page.get_data(as_text=True)
    found = {name: json.loads(re.search(pattern, html).group(1)) for name, pattern in (
        ("publishable_key", r"Stripe\((\"[^\"]*\")\)"), ("client_secret", r"clientSecret: (\"[^\"]*\")"),
        ("return_url", r"return_url: (\"[^\"]*\")"))}
    found["csp"] = page.headers["Content-Security-Policy"]
    return found



@pytest.fixture
def stripe_server(app):
    """A Stripe test server; the app's Stripe clients point at it (no SDK retries, short timeouts)."""
    from tests.servers.stripe import StripeTestServer

    with StripeTestServer(hang_seconds=3) as server:
        keys = ("STRIPE_API_BASE", "STRIPE_TIMEOUT", "STRIPE_MAX_NETWORK_RETRIES")
        saved = {key: app.config.get(key) for key in keys}
        app.config.update(STRIPE_API_BASE=server.url, STRIPE_TIMEOUT=1.5, STRIPE_MAX_NETWORK_RETRIES=0)
        yield server
        app.config.update(saved)


@pytest.fixture(scope="session")
def live_url(app):
    """MPanel on a real port (the platform host), for webhooks sent over HTTP."""
    from werkzeug.serving import make_server

    server = make_server("localhost", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://localhost:{server.server_port}"
    server.shutdown()


@pytest.fixture
def stripe_shop(app, billing, stripe_server, live_url):
    return Shop(app, billing, stripe_server, live_url)
