"""StripeGateway: PaymentIntents confirmed by Stripe (Payment Element, 3-D Secure),
SetupIntents for saved cards, off-session charges, refunds, signed webhooks.

Card data never reaches MPanel: the browser talks to Stripe with the client
secret. Every mutating call carries an idempotency key made from our row ids,
and our ids ride along in the objects' metadata, so a PaymentIntent whose
creation answer was lost is found again instead of being created twice.
"""

from __future__ import annotations

import json
from functools import cached_property

import stripe
from mpanel_billing.gateways.base import (
    CARDS,
    FAILED,
    PARTIAL_REFUNDS,
    REFUNDS,
    REQUIRES_ACTION,
    SAVED_METHODS,
    WEBHOOKS,
    ActionRequired,
    Checkout,
    GatewayError,
    GatewayEvent,
    PaymentDeclined,
    PaymentGateway,
    ProviderPayment,
    SavedMethod,
    WebhookRefused,
)

from mpanel_gateway_stripe import customers, events, objects
from mpanel_gateway_stripe.client import declined_intent, make_client, plain, translated
from mpanel_gateway_stripe.currencies import CURRENCIES, NotRepresentable, from_stripe, to_stripe

EXPAND = ["latest_charge", "payment_method"]
# Stripe.js and its frames on the checkout page (the kernel's policy allows only our origin).
CSP = {"script-src": "https://js.stripe.com", "frame-src": "https://js.stripe.com https://hooks.stripe.com",
       "connect-src": "'self' https://api.stripe.com"}
TOLERANCE = 300  # seconds a webhook signature stays valid
SEARCHED = 100  # a customer's latest PaymentIntents searched for a lost one


def _days(value) -> tuple[int, ...]:
    try:
        days = tuple(int(item) for item in str(value or "").replace(";", ",").split(",") if item.strip())
    except ValueError:
        return PaymentGateway.retry_days
    return tuple(d for d in days if d > 0) or PaymentGateway.retry_days


class StripeGateway(PaymentGateway):
    title = "Stripe"
    features = frozenset({CARDS, SAVED_METHODS, REFUNDS, PARTIAL_REFUNDS, WEBHOOKS})
    currencies = CURRENCIES

    def __init__(self, name, settings, session):
        super().__init__(name, settings, session)
        self.retry_days = _days(self.settings.get("retry_days"))

    def setting(self, name: str) -> str:
        """A key of the current mode (test_/live_ + name); GatewayError if it is not set."""
        key = f"{'test' if self.test_mode else 'live'}_{name}"
        value = str(self.settings.get(key) or "").strip()
        if not value:
            raise GatewayError(f"Stripe is not set up: {key} is empty")
        return value

    @property
    def ready(self) -> bool:
        mode = "test" if self.test_mode else "live"
        return all(str(self.settings.get(f"{mode}_{key}") or "").strip()
                   for key in ("secret_key", "publishable_key", "webhook_secret"))

    @cached_property
    def client(self) -> stripe.StripeClient:
        return make_client(self.setting("secret_key"))

    @staticmethod
    def to_provider(amount, currency: str) -> int:
        """Stripe's own units (currencies.py), not ISO 4217's: ISK x 100, MGA x 1."""
        try:
            return to_stripe(amount, currency)
        except NotRepresentable as exc:
            raise GatewayError(str(exc)) from None

    @staticmethod
    def from_provider(units: int, currency: str):
        return from_stripe(units, currency)

    def _units(self, transaction) -> int:
        return self.to_provider(transaction.amount, transaction.currency)

    def _metadata(self, transaction) -> dict:
        return {"mpanel_tenant": str(self.tenant_id), "mpanel_transaction": str(transaction.id),
                "mpanel_invoices": ",".join(str(a.invoice_id) for a in transaction.allocations)}

    def _payment_params(self, transaction, units: int) -> dict:
        params = {"amount": units, "currency": transaction.currency.lower(), "metadata": self._metadata(transaction),
                  "description": f"Invoice {transaction.invoice.display_number}"}
        suffix = str(self.settings.get("statement_descriptor") or "").strip()
        if suffix:
            params["statement_descriptor_suffix"] = suffix[:22]
        return params

    def _stripe_customer_id(self, transaction) -> str | None:
        if transaction.method is not None:
            return transaction.method.provider_customer_id
        row = customers.find(self.session, transaction.customer_id, not self.test_mode)
        return row.stripe_id if row else None

    def _ours(self, obj: dict, row_id: int) -> bool:
        metadata = obj.get("metadata") or {}
        return (metadata.get("mpanel_tenant"), metadata.get("mpanel_transaction")) == (str(self.tenant_id),
                                                                                        str(row_id))

    def _with_fee(self, intent: dict) -> dict:
        """A succeeded intent with its charge's balance transaction (Stripe's fee) expanded."""
        charge = objects.expanded(intent.get("latest_charge"))
        if intent["status"] == "succeeded" and charge and isinstance(charge.get("balance_transaction"), str):
            with translated():
                charge["balance_transaction"] = plain(
                    self.client.v1.balance_transactions.retrieve(charge["balance_transaction"]))
        return intent

    def find_intent(self, transaction) -> dict | None:
        """The transaction's PaymentIntent by its id, else by our metadata among the
        customer's latest ones (a creation whose answer was lost); None if there is none."""
        intents = self.client.v1.payment_intents
        with translated():
            if transaction.provider_id:
                return self._with_fee(plain(intents.retrieve(transaction.provider_id, {"expand": EXPAND})))
            customer = self._stripe_customer_id(transaction)
            if customer is None:
                return None
            listed = plain(intents.list({"customer": customer, "limit": SEARCHED}))["data"]
            found = next((i for i in listed if self._ours(i, transaction.id)), None)
            return found and self._with_fee(plain(intents.retrieve(found["id"], {"expand": EXPAND})))

    # -- payments --------------------------------------------------------------------

    def start_payment(self, transaction, customer, return_url: str) -> Checkout | None:
        units = self._units(transaction)
        intent = self.find_intent(transaction)
        intents = self.client.v1.payment_intents
        with translated():
            if intent is None:
                params = {**self._payment_params(transaction, units),
                          "customer": customers.ensure(self, customer).stripe_id,
                          "automatic_payment_methods": {"enabled": True}}
                if transaction.save_method:
                    params["setup_future_usage"] = "off_session"
                key = self.idempotency_key("payment", f"{transaction.id}-{units}")
                intent = plain(intents.create(params, {"idempotency_key": key}))
            elif intent["status"] in objects.OPEN_INTENT and (
                    intent["amount"] != units or (transaction.save_method and not intent["setup_future_usage"])):
                changes = {"amount": units}
                if transaction.save_method:
                    changes["setup_future_usage"] = "off_session"
                key = self.idempotency_key("payment-update", f"{transaction.id}-{units}-{transaction.save_method}")
                intent = plain(intents.update(intent["id"], changes, {"idempotency_key": key}))
        transaction.provider_id = intent["id"]
        if intent["status"] not in objects.OPEN_INTENT:
            return None  # paid, processing or canceled meanwhile
        return Checkout("gateway_stripe/checkout.html", {
            "publishable_key": self.setting("publishable_key"), "client_secret": intent["client_secret"],
            "return_url": return_url, "mode": "payment"}, CSP)

    def fetch_payment(self, transaction) -> ProviderPayment | None:
        intent = self.find_intent(transaction)
        return None if intent is None else objects.payment(self, intent)

    def charge_saved(self, transaction, method) -> ProviderPayment:
        """Off-session: retried (after a timeout, an outage) with the same key, which
        Stripe answers with the first attempt's result instead of charging again."""
        intent = self.find_intent(transaction) if transaction.provider_id else None
        if intent is None:
            params = {**self._payment_params(transaction, self._units(transaction)),
                      "customer": method.provider_customer_id, "payment_method": method.provider_id,
                      "off_session": True, "confirm": True, "expand": EXPAND}
            try:
                with translated():
                    intent = plain(self.client.v1.payment_intents.create(
                        params, {"idempotency_key": self.idempotency_key("payment", transaction.id)}))
            except GatewayError as exc:
                declined = declined_intent(exc)
                transaction.provider_id = declined["id"] if declined else transaction.provider_id
                raise
            transaction.provider_id = intent["id"]
        result = objects.payment(self, self._with_fee(intent))
        error = intent.get("last_payment_error") or {}
        if result.status == REQUIRES_ACTION or (result.status == FAILED
                                                and error.get("code") == "authentication_required"):
            raise ActionRequired(result.error or "the customer's bank asks them to authenticate")
        if result.status == FAILED:
            raise PaymentDeclined(result.error or "declined", error.get("decline_code"))
        return result

    def refund(self, refund, payment) -> ProviderPayment:
        params = {"payment_intent": payment.provider_id, "amount": self._units(refund),
                  "metadata": {"mpanel_tenant": str(self.tenant_id), "mpanel_transaction": str(refund.id)}}
        key = self.idempotency_key("refund", refund.id)
        with translated():
            created = plain(self.client.v1.refunds.create(params, {"idempotency_key": key}))
        return objects.refund(self, created)

    def refunds_of(self, payment_intent_id: str) -> list[dict]:
        with translated():
            return plain(self.client.v1.refunds.list({"payment_intent": payment_intent_id, "limit": 100}))["data"]

    def dispute(self, dispute_id: str) -> dict:
        with translated():
            return plain(self.client.v1.disputes.retrieve(dispute_id))

    def payment_method(self, payment_method_id: str) -> dict:
        with translated():
            return plain(self.client.v1.payment_methods.retrieve(payment_method_id))

    # -- saved cards ---------------------------------------------------------------------

    def start_setup(self, customer, return_url: str) -> Checkout:
        row = customers.ensure(self, customer)
        intents = self.client.v1.setup_intents
        with translated():
            intent = plain(intents.retrieve(row.setup_intent_id)) if row.setup_intent_id else None
            if intent is None or intent["status"] not in objects.OPEN_INTENT:
                row.setups += 1
                params = {"customer": row.stripe_id, "payment_method_types": ["card"], "usage": "off_session",
                          "metadata": {"mpanel_tenant": str(self.tenant_id), "mpanel_customer": str(customer.id)}}
                key = self.idempotency_key("setup", f"{row.id}-{row.setups}")
                intent = plain(intents.create(params, {"idempotency_key": key}))
                row.setup_intent_id = intent["id"]
        return Checkout("gateway_stripe/checkout.html", {
            "publishable_key": self.setting("publishable_key"), "client_secret": intent["client_secret"],
            "return_url": return_url, "mode": "setup"}, CSP)

    def finish_setup(self, customer, reference: str | None = None) -> SavedMethod | None:
        row = customers.find(self.session, customer.id, not self.test_mode)
        reference = reference or (row.setup_intent_id if row else None)
        if reference is None:
            return None
        try:
            with translated():
                intent = plain(self.client.v1.setup_intents.retrieve(reference, {"expand": ["payment_method"]}))
        except GatewayError as exc:
            if exc.retryable:
                raise
            return None  # no such SetupIntent in this account
        if row is None or objects.object_id(intent["customer"]) != row.stripe_id or intent["status"] != "succeeded":
            return None
        return objects.saved_method(intent["payment_method"])

    def remove_method(self, method) -> None:
        try:
            with translated():
                self.client.v1.payment_methods.detach(
                    method.provider_id, options={"idempotency_key": self.idempotency_key("detach", method.id)})
        except GatewayError as exc:
            if exc.retryable:
                raise
            # Otherwise it is detached already, or unknown at Stripe: nothing left to remove.

    # -- webhooks ------------------------------------------------------------------------

    def verify_webhook(self, body: bytes, headers) -> GatewayEvent:
        try:
            stripe.WebhookSignature.verify_header(body.decode("utf-8"), headers.get("Stripe-Signature") or "",
                                                  self.setting("webhook_secret"), tolerance=TOLERANCE)
            event = json.loads(body)
        except (stripe.SignatureVerificationError, ValueError) as exc:  # UnicodeDecodeError is a ValueError
            raise WebhookRefused(f"signature refused: {exc}") from None
        if not isinstance(event, dict):  # signed, but JSON that is no event object ([], "x", 1)
            raise WebhookRefused("not a Stripe event")
        if not isinstance(event.get("id"), str) or not isinstance(event.get("type"), str):
            raise WebhookRefused("not a Stripe event")
        if bool(event.get("livemode")) == self.test_mode:
            raise WebhookRefused("the event's mode (live/test) is not the tenant's")
        account = event.get("account")
        if account is not None and account != str(self.settings.get("account_id") or "").strip():
            raise WebhookRefused("the event is for another Stripe account")
        return GatewayEvent(event["id"], event["type"], bool(event["livemode"]), event)

    def handle_event(self, event: GatewayEvent) -> str:
        return events.handle(self, event)
