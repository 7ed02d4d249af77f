"""Stripe objects (plain dicts of PaymentIntents, Refunds, PaymentMethods) in the contract's terms."""

from __future__ import annotations

from mpanel_billing.gateways.base import (
    CANCELED,
    FAILED,
    PENDING,
    REQUIRES_ACTION,
    SUCCEEDED,
    PaymentGateway,
    ProviderPayment,
    SavedMethod,
)

INTENT_STATUS = {"succeeded": SUCCEEDED, "processing": PENDING, "requires_action": REQUIRES_ACTION,
                 "requires_confirmation": PENDING, "requires_capture": PENDING, "canceled": CANCELED}
REFUND_STATUS = {"succeeded": SUCCEEDED, "pending": PENDING, "requires_action": PENDING, "failed": FAILED,
                 "canceled": CANCELED}
OPEN_INTENT = ("requires_payment_method", "requires_confirmation", "requires_action")


def expanded(value) -> dict | None:
    """An expanded sub-object, or None when Stripe sent only its id."""
    return value if isinstance(value, dict) else None


def object_id(value) -> str | None:
    return value.get("id") if isinstance(value, dict) else value


def saved_method(pm: dict) -> SavedMethod:
    card = pm.get("card") or {}
    return SavedMethod(pm["id"], object_id(pm.get("customer")), card.get("brand") or "", card.get("last4") or "",
                       card.get("exp_month"), card.get("exp_year"), test_mode=not pm.get("livemode"))


def _fee(gateway: PaymentGateway, intent: dict, currency: str):
    charge = expanded(intent.get("latest_charge"))
    txn = expanded(charge.get("balance_transaction")) if charge else None
    if txn is None or txn["currency"].upper() != currency:
        return None  # settled in another currency: the fee is not in the invoice's
    return gateway.from_provider(txn["fee"], currency)


def payment(gateway: PaymentGateway, intent: dict) -> ProviderPayment:
    """A PaymentIntent (expand latest_charge.balance_transaction and payment_method for the fee and card)."""
    currency = intent["currency"].upper()
    error = intent.get("last_payment_error")
    status = INTENT_STATUS.get(intent["status"]) or (FAILED if error else PENDING)
    pm = expanded(intent.get("payment_method"))
    keep = intent.get("setup_future_usage") and pm is not None and pm.get("customer")
    return ProviderPayment(
        provider_id=intent["id"], status=status, currency=currency,
        amount=gateway.from_provider(intent.get("amount_received") or 0, currency),
        fee=_fee(gateway, intent, currency), error=error.get("message") if error else None,
        method=saved_method(pm) if keep else None)


def refund(gateway: PaymentGateway, stripe_refund: dict) -> ProviderPayment:
    currency = stripe_refund["currency"].upper()
    return ProviderPayment(
        provider_id=stripe_refund["id"], status=REFUND_STATUS.get(stripe_refund["status"], PENDING), currency=currency,
        amount=gateway.from_provider(stripe_refund["amount"], currency), error=stripe_refund.get("failure_reason"))
