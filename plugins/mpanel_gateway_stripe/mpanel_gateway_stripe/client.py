"""The official Stripe SDK client for a tenant's key, and its errors in the contract's terms.

App configuration: ``STRIPE_API_BASE`` (a local test server; default Stripe's),
``STRIPE_TIMEOUT`` seconds (default 30), ``STRIPE_MAX_NETWORK_RETRIES`` (default 2;
the SDK retries with the same idempotency key).
"""

from __future__ import annotations

from contextlib import contextmanager

import stripe
from flask import current_app
from mpanel_billing.gateways.base import ActionRequired, GatewayError, GatewayUnavailable, PaymentDeclined


def make_client(secret_key: str) -> stripe.StripeClient:
    config = current_app.config
    base = config.get("STRIPE_API_BASE")
    return stripe.StripeClient(
        secret_key,
        base_addresses={"api": base} if base else None,
        http_client=stripe.RequestsClient(timeout=float(config.get("STRIPE_TIMEOUT", 30))),
        max_network_retries=int(config.get("STRIPE_MAX_NETWORK_RETRIES", 2)),
    )


@contextmanager
def translated():
    """Stripe's exceptions as GatewayError subclasses (the message is Stripe's)."""
    try:
        yield
    except stripe.CardError as exc:
        if exc.code == "authentication_required":
            raise ActionRequired(exc.user_message or str(exc), exc.code) from exc
        error = exc.error
        raise PaymentDeclined(exc.user_message or str(exc), getattr(error, "decline_code", None) or exc.code) from exc
    except (stripe.APIConnectionError, stripe.RateLimitError) as exc:
        raise GatewayUnavailable(f"Stripe is not reachable: {exc.user_message or exc}") from exc
    except stripe.StripeError as exc:
        if exc.http_status is None or exc.http_status >= 500:
            raise GatewayUnavailable(f"Stripe failed: {exc.user_message or exc}") from exc
        raise GatewayError(exc.user_message or str(exc), exc.code) from exc


def plain(obj) -> dict | None:
    """An SDK object as plain dicts and lists (the SDK's objects are not dicts)."""
    return None if obj is None else obj.to_dict()


def declined_intent(exc: GatewayError) -> dict | None:
    """The PaymentIntent a CardError carried (Stripe returns it with the decline), if any."""
    error = getattr(exc.__cause__, "error", None)
    return plain(getattr(error, "payment_intent", None))
