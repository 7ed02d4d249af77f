"""Stripe webhook events, applied through the payment contract.

An event only says which object changed: the handler reads the object's
current state from Stripe with the tenant's key and applies that. So replays,
late and out-of-order events end in the same state, and a payload naming
objects of another account finds nothing. A refund or dispute is applied after
its payment (synced first when its own event has not arrived yet).
"""

from __future__ import annotations

from mpanel_billing.gateways import methods, payments, reversals
from mpanel_billing.gateways.base import SUCCEEDED, GatewayError, GatewayEvent
from mpanel_billing.gateways.models import PAYMENT, REFUND, PaymentMethod, Transaction
from sqlalchemy import select

from mpanel.modules.customers.models import Customer
from mpanel_gateway_stripe import customers, objects

MISSING = "resource_missing"  # Stripe's code for an object this account does not have


def handle(gateway, event: GatewayEvent) -> str:
    """Apply the event; one naming an object the account does not have is recorded for
    staff and not retried (retrying cannot make it appear)."""
    try:
        return _apply(gateway, event)
    except GatewayError as exc:
        if exc.code != MISSING:
            raise
        _missing(gateway, event, exc)
        return f"object missing: {exc.message}"[:200]


def _missing(gateway, event: GatewayEvent, exc: GatewayError) -> None:
    from mpanel.core import alerts, audit

    audit.record(gateway.session, "gateway_event_object_missing", "GatewayEvent", event.id,
                 {"type": event.type, "error": exc.message[:300]}, actor_id=None, actor=None)
    alerts.tell_staff(gateway.session, f"A Stripe event names an object this account does not have: {event.id}",
                      f"Stripe sent {event.type} ({event.id}), but the object it names is not in the Stripe "
                      f"account: {exc.message}\nNothing was changed. Check the webhook's account and mode.\n",
                      dedupe_key=f"alert:stripe:missing:{event.id}")


def _apply(gateway, event: GatewayEvent) -> str:
    obj = (event.payload.get("data") or {}).get("object") or {}
    if event.type.startswith("payment_intent."):
        return _payment(gateway, obj)
    if event.type.startswith("charge.dispute."):
        return _dispute(gateway, obj.get("id"))
    if event.type in ("charge.refunded", "charge.refund.updated"):
        return _refunds(gateway, obj.get("payment_intent"))
    if event.type == "setup_intent.succeeded":
        return _setup(gateway, obj)
    if event.type == "payment_method.detached":
        return _detached(gateway, obj.get("id"))
    return "ignored"


def _transaction(gateway, kind: str, obj: dict, **where) -> Transaction | None:
    """Our transaction for a Stripe object: by the id in its metadata, else by its Stripe id."""
    query = select(Transaction).where(Transaction.gateway == gateway.name, Transaction.kind == kind,
                                      *(getattr(Transaction, k) == v for k, v in where.items()))
    metadata = obj.get("metadata") or {}
    ours = str(metadata.get("mpanel_transaction", ""))
    if metadata.get("mpanel_tenant") == str(gateway.tenant_id) and ours.isdigit():
        found = gateway.session.scalar(query.where(Transaction.id == int(ours)))
        if found is not None:
            return found
    return gateway.session.scalar(query.where(Transaction.provider_id == obj.get("id"))) if obj.get("id") else None


def _paid(gateway, payment_intent_id) -> Transaction | None:
    """The succeeded payment of a PaymentIntent, its latest state applied first."""
    payment = _transaction(gateway, PAYMENT, {"id": payment_intent_id})
    if payment is None:
        return None
    payments.sync(gateway.session, gateway, payment)
    return payment if payment.status == SUCCEEDED else None


def _payment(gateway, obj: dict) -> str:
    transaction = _transaction(gateway, PAYMENT, obj)
    return "ignored" if transaction is None else payments.sync(gateway.session, gateway, transaction)


def _refunds(gateway, payment_intent_id) -> str:
    payment = _paid(gateway, payment_intent_id)
    if payment is None:
        return "ignored"
    for stripe_refund in gateway.refunds_of(payment_intent_id):
        result = objects.refund(gateway, stripe_refund)
        refund = _transaction(gateway, REFUND, stripe_refund, parent_id=payment.id) or reversals.child(
            gateway.session, payment, REFUND, result.provider_id, result.amount)
        reversals.apply_refund(gateway.session, refund, result.provider_id, result.status, result.error)
    return "refunds"


def _dispute(gateway, dispute_id) -> str:
    dispute = gateway.dispute(dispute_id)
    payment = _paid(gateway, objects.object_id(dispute["payment_intent"]))
    if payment is None:
        return "ignored"
    if dispute["status"].startswith("warning_"):
        return "inquiry"  # an inquiry moves no money
    currency = dispute["currency"].upper()
    fees = [t["fee"] for t in dispute.get("balance_transactions") or () if t["currency"].upper() == currency]
    fee = gateway.from_provider(sum(fees), currency) if fees else None
    chargeback = reversals.record_chargeback(gateway.session, payment, dispute["id"],
                                             gateway.from_provider(dispute["amount"], currency), fee)
    if dispute["status"] == "won":
        reversals.record_dispute_won(gateway.session, chargeback)
    return f"dispute {dispute['status']}"


def _setup(gateway, obj: dict) -> str:
    row = customers.owner(gateway.session, objects.object_id(obj.get("customer")))
    if row is None:
        return "ignored"
    saved = gateway.finish_setup(gateway.session.get(Customer, row.customer_id), obj.get("id"))
    if saved is None:
        return "not set up"
    methods.save(gateway.session, row.customer_id, gateway.name, saved)
    return "method saved"


def _detached(gateway, payment_method_id) -> str:
    method = gateway.session.scalar(select(PaymentMethod).where(PaymentMethod.gateway == gateway.name,
                                                                PaymentMethod.provider_id == payment_method_id))
    if method is None:
        return "ignored"
    if gateway.payment_method(payment_method_id)["customer"] is not None:
        return "attached again"
    methods.forget(gateway.session, method)
    return "method removed"
