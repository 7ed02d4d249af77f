"""The payment gateway contract.

A gateway plugin sets ``gateway_class`` on its Plugin class to a subclass of
:class:`PaymentGateway`. Billing finds gateways by that type (registry.py) and
makes one instance per unit of work, bound to the tenant in scope, its
session and its settings (secrets decrypted).

A gateway only talks to its provider and reports what the provider says; the
money is applied by the contract (payments.py, reversals.py), in one database
transaction with a unique key on the provider's id. Every mutating provider
call carries an idempotency key derived from our own row ids
(:meth:`PaymentGateway.idempotency_key`), so a retry never charges twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NoReturn

from mpanel.core.money import from_minor_units, to_minor_units, validate_currency
from mpanel.core.tenancy import require_tenant_id

# Features a gateway may offer.
CARDS = "cards"  # card payments on the provider's page or widget
SAVED_METHODS = "saved_methods"  # store a method and charge it off-session
REFUNDS = "refunds"
PARTIAL_REFUNDS = "partial_refunds"
WEBHOOKS = "webhooks"
MANUAL = "manual"  # money arrives outside MPanel (bank transfer); staff record it

# Provider payment states, as the contract understands them.
PENDING, REQUIRES_ACTION, SUCCEEDED, FAILED, CANCELED = (
    "pending", "requires_action", "succeeded", "failed", "canceled")


class GatewayError(Exception):
    """The provider refused or failed; ``str()`` is the reason shown to people."""

    retryable = False  # the same request (same idempotency key) may succeed later

    def __init__(self, message: str, code: str | None = None):
        super().__init__(message)
        self.message, self.code = message, code


class PaymentDeclined(GatewayError):
    """The provider declined the payment (card declined, insufficient funds, ...)."""


class ActionRequired(GatewayError):
    """An off-session payment needs the customer (3-D Secure): they must pay on-session."""


class GatewayUnavailable(GatewayError):
    """Timeout, connection error or provider outage: the outcome is unknown.
    Retry later with the same idempotency key; never with a new one."""

    retryable = True


class WebhookRefused(GatewayError):
    """A webhook that is not authentic, too old, or not for this tenant's account."""


class NotSupported(GatewayError):
    """The gateway does not offer this operation."""


@dataclass(frozen=True)
class Checkout:
    """What the client area shows to finish a payment or a card set-up:
    ``template`` is rendered with ``context`` (client secret, bank details ...);
    ``csp`` adds sources to the page's Content-Security-Policy directives
    (e.g. the provider's script and frames)."""

    template: str
    context: Mapping = field(default_factory=dict)
    csp: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SavedMethod:
    """A reusable payment method at the provider (a card)."""

    provider_id: str
    provider_customer_id: str | None
    brand: str = ""
    last4: str = ""
    exp_month: int | None = None
    exp_year: int | None = None
    test_mode: bool = False  # made with the provider's test keys


@dataclass(frozen=True)
class ProviderPayment:
    """The provider's current view of one payment (or refund)."""

    provider_id: str
    status: str  # PENDING, REQUIRES_ACTION, SUCCEEDED, FAILED, CANCELED
    amount: Decimal  # received (or refunded) so far
    currency: str
    fee: Decimal | None = None  # the provider's fee: the merchant's cost, not the customer's
    error: str | None = None
    method: SavedMethod | None = None  # the method to keep, when the customer asked to save it


@dataclass(frozen=True)
class GatewayEvent:
    """A verified webhook event."""

    id: str
    type: str
    livemode: bool
    payload: Mapping


class PaymentGateway:
    """Base class of payment gateways; subclasses override what they offer."""

    title = "Payment gateway"
    features: frozenset[str] = frozenset()
    currencies: frozenset[str] | None = None  # None: every ISO 4217 currency
    retry_days: tuple[int, ...] = (1, 3, 5)  # off-session retries after a decline, in days

    def __init__(self, name: str, settings: Mapping, session):
        self.name = name  # the plugin name: stored on transactions and payments
        self.settings = dict(settings)
        self.session = session
        self.tenant_id = require_tenant_id()

    def supports(self, feature: str) -> bool:
        return feature in self.features

    @property
    def ready(self) -> bool:
        """Configured well enough to take payments (e.g. API keys set)."""
        return True

    def supports_currency(self, currency: str) -> bool:
        return self.currencies is None or validate_currency(currency) in self.currencies

    @property
    def test_mode(self) -> bool:
        return str(self.settings.get("test_mode", "")).strip().lower() in ("1", "true", "yes", "on")

    # -- amounts: the only conversion between Decimal amounts and provider units ------

    @staticmethod
    def to_provider(amount: Decimal, currency: str) -> int:
        """Decimal -> the provider's integer minor units (EUR 10.00 -> 1000, JPY 500 -> 500)."""
        return to_minor_units(amount, currency)

    @staticmethod
    def from_provider(units: int, currency: str) -> Decimal:
        """The provider's integer minor units -> Decimal (KWD 1234 -> 1.234)."""
        return from_minor_units(units, currency)

    def idempotency_key(self, kind: str, row_id: int | str) -> str:
        """A key derived from our own row: the same row always sends the same key."""
        return f"mpanel-{self.tenant_id}-{kind}-{row_id}"

    def _unsupported(self, what: str) -> NoReturn:
        raise NotSupported(f"{self.title} cannot {what}")

    # -- payments -------------------------------------------------------------------

    def start_payment(self, transaction, customer, return_url: str) -> Checkout | None:
        """Create (or reuse, for the same transaction) the provider's payment for
        ``transaction`` (amount, currency, invoices) and set its ``provider_id``.
        None: the provider's payment is no longer open (paid or cancelled meanwhile)."""
        self._unsupported("take payments")

    def instructions(self, invoice) -> Mapping | None:
        """How to pay ``invoice`` outside MPanel (bank details, reference), or None."""
        return None

    def payment_reference(self, invoice) -> str | None:
        """The reference a transfer for ``invoice`` should carry (bank gateways), or None."""
        return None

    def fetch_payment(self, transaction) -> ProviderPayment | None:
        """The provider's current state of the transaction's payment (the
        return/confirm step and re-syncs); None if the provider has none."""
        self._unsupported("look up payments")

    def charge_saved(self, transaction, method) -> ProviderPayment:
        """Charge a saved method off-session. Raises PaymentDeclined,
        ActionRequired or GatewayUnavailable."""
        self._unsupported("charge saved payment methods")

    def refund(self, refund, payment) -> ProviderPayment:
        """Pay back ``refund.amount`` of the transaction ``payment``."""
        self._unsupported("refund")

    # -- saved methods -----------------------------------------------------------------

    def start_setup(self, customer, return_url: str) -> Checkout:
        """Let the customer save a method (e.g. a SetupIntent with 3-D Secure)."""
        self._unsupported("save payment methods")

    def finish_setup(self, customer, reference: str | None = None) -> SavedMethod | None:
        """The method saved by the set-up ``reference`` (default: the customer's latest
        set-up, as the gateway recorded it), or None if it did not succeed."""
        self._unsupported("save payment methods")

    def remove_method(self, method) -> None:
        """Forget a saved method at the provider."""
        self._unsupported("remove payment methods")

    # -- webhooks --------------------------------------------------------------------

    def verify_webhook(self, body: bytes, headers: Mapping) -> GatewayEvent:
        """Authenticate a webhook request for this tenant or raise WebhookRefused."""
        self._unsupported("receive webhooks")

    def handle_event(self, event: GatewayEvent) -> str:
        """Apply a stored event (via payments/reversals/methods); returns an outcome
        word for the event log. Runs from the outbox: at least once, any order."""
        return "ignored"
