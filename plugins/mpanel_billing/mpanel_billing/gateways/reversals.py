"""Money going back to the customer: refunds and chargebacks (and disputes won),
as transactions of the payment they reverse.

The money itself is :func:`ledger.reverse_payment` (beside ``record_payment``): paid
out of the customer's credit first (an overpayment, a credit note issued before the
refund); what the credit does not cover reopens the paid invoice. Each reversal is
one ``billing_payments`` row of kind refund, unique per provider id, so a refund
reported by our own call and again by a webhook is applied once.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert

from mpanel.core.errors import Conflict, FieldError
from mpanel.core.money import quantize, to_decimal
from mpanel.core.tenancy import require_tenant_id

from .. import credit, ledger
from ..models.ledger import Payment
from .base import CANCELED, FAILED, PARTIAL_REFUNDS, PENDING, REFUNDS, SUCCEEDED, GatewayError, GatewayUnavailable
from .models import CHARGEBACK, DISPUTE_WON, PAYMENT, REFUND, Transaction
from .registry import get_gateway


def reverse(session, transaction: Transaction) -> bool:
    """Put a succeeded refund or chargeback into the ledger (:func:`ledger.reverse_payment`:
    credit first, then the invoice reopens); False if it was already."""
    payment = transaction.parent
    result = ledger.reverse_payment(session, payment.invoice, transaction.amount, transaction.currency,
                                    transaction.gateway, transaction.provider_id,
                                    memo=f"{transaction.kind} of {payment.provider_id}")
    transaction.payment_id = result.payment.id
    return not result.duplicate


def apply_refund(session, transaction: Transaction, provider_id: str, status: str, error: str | None = None) -> str:
    """The provider's state of a refund (ours or made in its dashboard); idempotent."""
    transaction.provider_id = transaction.provider_id or provider_id
    if status == SUCCEEDED:
        reverse(session, transaction)
    if transaction.status != SUCCEEDED:
        transaction.status, transaction.error = status, error
    return transaction.status


def child(session, payment: Transaction, kind: str, provider_id: str, amount: Decimal) -> Transaction:
    """The refund/chargeback transaction of ``payment`` with ``provider_id``, created once."""
    session.execute(insert(Transaction).values(
        tenant_id=require_tenant_id(), customer_id=payment.customer_id, gateway=payment.gateway, kind=kind,
        status=PENDING, amount=amount, currency=payment.currency, provider_id=provider_id,
        invoice_id=payment.invoice_id, parent_id=payment.id, off_session=False, save_method=False)
        .on_conflict_do_nothing(index_elements=["tenant_id", "gateway", "kind", "provider_id"]))
    return session.scalar(select(Transaction).where(Transaction.gateway == payment.gateway, Transaction.kind == kind,
                                                    Transaction.provider_id == provider_id))


def record_chargeback(session, payment: Transaction, provider_id: str, amount: Decimal, fee=None) -> Transaction:
    """The provider took the money back for a dispute."""
    transaction = child(session, payment, CHARGEBACK, provider_id, amount)
    transaction.fee = fee if fee is not None else transaction.fee
    apply_refund(session, transaction, provider_id, SUCCEEDED)
    return transaction


def record_dispute_won(session, chargeback: Transaction) -> Transaction:
    """A dispute decided for us: the money comes back and pays the invoice again."""
    payment = chargeback.parent
    transaction = child(session, payment, DISPUTE_WON, chargeback.provider_id, chargeback.amount)
    recorded = ledger.record_payment(session, payment.invoice, chargeback.amount, chargeback.currency,
                                     chargeback.gateway, f"{chargeback.provider_id}:won")
    transaction.status, transaction.payment_id = SUCCEEDED, recorded.payment.id
    return transaction


def refundable(session, payment: Transaction) -> Decimal:
    """What is left to give back of a succeeded payment."""
    received = session.scalar(select(Payment.amount).where(Payment.id == payment.payment_id)) or 0
    taken = session.scalar(select(func.coalesce(func.sum(Transaction.amount), 0)).where(
        Transaction.parent_id == payment.id, Transaction.kind.in_((REFUND, CHARGEBACK)),
        Transaction.status.not_in((FAILED, CANCELED))))
    return received - taken


def refund(session, payment: Transaction, amount=None, with_credit_note: bool = False) -> Transaction:
    """Refund (part of) a payment through its gateway. ``with_credit_note``: first credit
    the invoice in full, so the refund leaves through the credit and the invoice stays
    settled. Commits: the refund row exists (its id is the idempotency key) before the
    provider is called."""
    gateway = get_gateway(session, payment.gateway)
    if payment.kind != PAYMENT or payment.status != SUCCEEDED:
        raise Conflict("transaction", "only succeeded payments can be refunded")
    if not gateway.supports(REFUNDS):
        raise Conflict("transaction", f"{gateway.title} cannot refund")
    ledger.lock(session, payment.invoice)
    left = quantize(refundable(session, payment), payment.currency)
    try:
        amount = left if amount is None else to_decimal(amount)
    except (TypeError, ValueError) as exc:
        raise FieldError("amount", str(exc)) from None
    if not 0 < amount <= left or quantize(amount, payment.currency) != amount:
        raise FieldError("amount", f"must be more than 0 and at most {left} {payment.currency}")
    if amount < left and not gateway.supports(PARTIAL_REFUNDS):
        raise FieldError("amount", f"{gateway.title} refunds only in full")
    if with_credit_note:
        credit.credit_note(session, payment.invoice, reason="Refund")
    available = ledger.credit_balance(session, payment.customer_id, payment.currency) + payment.invoice.amount_paid
    if amount > available:
        raise Conflict("amount", f"only {available} {payment.currency} can be given back: issue a credit note")
    transaction = Transaction(gateway=payment.gateway, kind=REFUND, status=PENDING, customer_id=payment.customer_id,
                              amount=amount, currency=payment.currency, invoice_id=payment.invoice_id, parent=payment)
    session.add(transaction)
    session.commit()
    return submit(session, transaction)


def submit(session, transaction: Transaction) -> Transaction:
    """Send a pending refund to its provider (again, after an outage: same key); commits."""
    gateway = get_gateway(session, transaction.gateway)
    try:
        result = gateway.refund(transaction, transaction.parent)
    except GatewayUnavailable as exc:
        transaction.error = f"will retry: {exc.message}"
    except GatewayError as exc:
        transaction.status, transaction.error = FAILED, exc.message
    else:
        apply_refund(session, transaction, result.provider_id, result.status, result.error)
    session.commit()
    return transaction
