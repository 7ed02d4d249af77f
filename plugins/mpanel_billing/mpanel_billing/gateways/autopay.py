"""Off-session charges of due invoices to the customer's default saved method.

Each try is a ``billing_charge_attempts`` row; at most one attempt per invoice
is scheduled or processing (a unique index), so concurrent billing runs, the
retry task and a webhook never charge an invoice twice. The attempt and its
transaction are committed before the provider is called, and the transaction
id is the idempotency key: an attempt whose outcome is unknown (timeout,
outage, a crashed worker) stays "processing" and is tried again later with the
same key, which the provider answers with the first result instead of a second
charge. After a decline the next attempt follows the gateway's ``retry_days``;
then the customer is asked to pay. A charge that needs the customer (3-D
Secure) is not retried: the customer gets a link to pay on-session.
"""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal

from sqlalchemy import and_, func, select

from mpanel.core.clock import tenant_today
from mpanel.core.errors import FieldError

from .. import ledger
from ..models.invoice import INVOICE, OPEN, Invoice
from ..models.ledger import Account
from ..settings import load as load_settings
from ..signals import payment_failed
from . import methods, notices, payments
from .base import (
    FAILED,
    REQUIRES_ACTION,
    SAVED_METHODS,
    SUCCEEDED,
    ActionRequired,
    GatewayError,
    GatewayUnavailable,
    PaymentDeclined,
)
from .models import (
    ACTION_REQUIRED,
    CANCELLED,
    DECLINED,
    DONE,
    DUE_ATTEMPTS,
    GAVE_UP,
    PROCESSING,
    SCHEDULED,
    ChargeAttempt,
)
from .registry import get_gateway

log = logging.getLogger(__name__)
LEASE = dt.timedelta(minutes=15)  # a processing attempt is retried after this (worker crash)
UNAVAILABLE_RETRY = dt.timedelta(minutes=30)  # after a timeout or an outage


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _active(session, invoice: Invoice) -> ChargeAttempt | None:
    return session.scalar(select(ChargeAttempt).where(ChargeAttempt.invoice_id == invoice.id,
                                                      ChargeAttempt.status.in_(DUE_ATTEMPTS)))


def _last_number(session, invoice: Invoice) -> int:
    return session.scalar(select(func.coalesce(func.max(ChargeAttempt.number), 0))
                          .where(ChargeAttempt.invoice_id == invoice.id))


def _usable_method(session, invoice: Invoice):
    """(default method, its gateway) if it can charge the invoice off-session now."""
    method = methods.default(session, invoice.customer_id)
    if method is None:
        return None
    try:
        gateway = get_gateway(session, method.gateway)
    except FieldError:
        return None  # its gateway was deactivated
    if method.test_mode != gateway.test_mode or not gateway.supports(SAVED_METHODS) \
            or not gateway.supports_currency(invoice.currency):
        return None
    return method, gateway


def _claim(session, invoice: Invoice) -> ChargeAttempt | str:
    """Under the invoice's lock: the attempt to run now (marked processing), or why none."""
    ledger.lock(session, invoice)
    attempt = _active(session, invoice)
    if invoice.kind != INVOICE or invoice.status not in OPEN or invoice.amount_due <= 0:
        if attempt is not None:  # paid by this attempt (a late answer) or otherwise
            paid = attempt.transaction is not None and attempt.transaction.status == SUCCEEDED
            _finish(attempt, DONE if paid else CANCELLED, attempt.error)
        return "nothing_due"
    if attempt is not None and attempt.next_attempt_at > _now():
        return "waiting"
    if attempt is None:
        if _last_number(session, invoice):
            return "needs_customer"  # retries used up, or the customer must authenticate
        attempt = ChargeAttempt(invoice_id=invoice.id, customer_id=invoice.customer_id, number=1)
    if attempt.transaction is None:
        usable = _usable_method(session, invoice)
        if usable is None:
            if attempt.id is not None:  # a scheduled retry, but nothing is left to charge
                _finish(attempt, GAVE_UP, "no usable saved payment method")
            return "no_method"
        method, gateway = usable
        attempt.method = method
        attempt.transaction = payments.prepare(session, gateway, invoice.customer_id, [invoice.id],
                                               off_session=True, method=method)
        session.add(attempt)
    attempt.status, attempt.next_attempt_at, attempt.error = PROCESSING, _now() + LEASE, None
    session.flush()
    return attempt


def charge_saved_method(session, invoice: Invoice) -> str:
    """Charge ``invoice`` to its customer's default saved method, if it is due for a
    try. Commits (before and after the provider call): run it outside a money
    transaction. Returns what happened: paid, duplicate (paid before), declined
    (retry scheduled), gave_up, action_required, unavailable or pending (tried
    again later), waiting, needs_customer, no_method or nothing_due."""
    claimed = _claim(session, invoice)
    session.commit()
    if isinstance(claimed, str):
        return claimed
    attempt, transaction = claimed, claimed.transaction
    gateway = get_gateway(session, transaction.gateway)
    try:
        result = gateway.charge_saved(transaction, attempt.method)
    except GatewayUnavailable as exc:
        attempt.next_attempt_at, attempt.error = _now() + UNAVAILABLE_RETRY, exc.message
        outcome = "unavailable"
    except ActionRequired as exc:
        transaction.status, transaction.error = REQUIRES_ACTION, exc.message
        _finish(attempt, ACTION_REQUIRED, exc.message)
        notices.send(session, invoice, "action_required", f"mail:charge-action:{attempt.id}")
        outcome = "action_required"
    except GatewayError as exc:  # PaymentDeclined, or the method is no longer usable
        transaction.status, transaction.error = FAILED, exc.message
        outcome = _declined(session, gateway, attempt, exc)
        payment_failed.send(invoice, transaction=transaction, error=exc.message)
    else:
        outcome = payments.apply(session, transaction, result)
        if transaction.status == SUCCEEDED:
            _finish(attempt, DONE, None)
        else:  # still processing at the provider: look again after the lease
            attempt.next_attempt_at, outcome = _now() + LEASE, "pending"
    session.commit()
    return outcome


def _finish(attempt: ChargeAttempt, status: str, error: str | None) -> None:
    attempt.status, attempt.next_attempt_at, attempt.error = status, None, error


def _declined(session, gateway, attempt: ChargeAttempt, exc: GatewayError) -> str:
    _finish(attempt, DECLINED, exc.message)
    invoice, schedule = attempt.invoice, gateway.retry_days
    retry_on = None
    if isinstance(exc, PaymentDeclined) and attempt.number <= len(schedule):
        retry_at = _now() + dt.timedelta(days=schedule[attempt.number - 1])
        session.flush()  # the declined attempt leaves the unique "active" index first
        session.add(ChargeAttempt(invoice_id=invoice.id, customer_id=invoice.customer_id, number=attempt.number + 1,
                                  status=SCHEDULED, next_attempt_at=retry_at))
        retry_on = retry_at.date().isoformat()
    else:
        attempt.status = GAVE_UP
    notices.send(session, invoice, "charge_declined", f"mail:charge-declined:{attempt.id}", reason=exc.message,
                 retry_on=retry_on)
    return "declined" if retry_on else "gave_up"


def pay_from_credit(session, on: dt.date | None = None) -> dict:
    """The billing run's "pay with credit" step for the tenant in scope, when the tenant
    applies credit automatically (billing setting ``auto_apply_credit``, on by default):
    each open invoice (issued by ``on``, if given) of a customer who has credit in its
    currency is paid from that credit as far as it goes, the earliest due first. Credit
    that arrived after an invoice was issued (an overpayment, a credit note, a refund
    to credit) so settles it without the customer. One commit per invoice (the ledger
    locks the account, then the invoice). Returns counts and the amounts applied."""
    counts: dict = {"enabled": load_settings(session).auto_apply_credit, "invoices": 0, "paid": 0,
                    "applied": {}, "failures": 0}
    if not counts["enabled"]:
        return counts
    query = (select(Invoice.id).join(Account, and_(Account.customer_id == Invoice.customer_id,
                                                   Account.currency == Invoice.currency))
             .where(Invoice.kind == INVOICE, Invoice.status.in_(OPEN), Account.credit > 0)
             .order_by(Invoice.due_date, Invoice.id))
    if on is not None:
        query = query.where(Invoice.issue_date <= on)
    ids = session.scalars(query).all()
    session.commit()
    totals: dict[str, Decimal] = {}
    for invoice_id in ids:
        try:
            invoice = session.get(Invoice, invoice_id)
            applied = ledger.apply_credit(session, invoice)
            currency, status = invoice.currency, invoice.status
            session.commit()
        except Exception:
            session.rollback()
            log.exception("paying invoice %s from credit failed", invoice_id)
            counts["failures"] += 1
            continue
        counts["invoices"] += 1
        if applied > 0:
            totals[currency] = totals.get(currency, Decimal(0)) + applied
            counts["paid"] += status not in OPEN
    counts["applied"] = {currency: str(amount) for currency, amount in totals.items()}
    return counts


def charge_due_invoices(session, on: dt.date | None = None) -> dict:
    """The billing run's payment step for the tenant in scope: open invoices are paid
    from credit when the tenant applies credit automatically (:func:`pay_from_credit`),
    then those due by ``on`` (default: the tenant's today) are charged to saved
    methods. One commit per invoice."""
    on = on or tenant_today(session)
    credit = pay_from_credit(session, on)
    ids = session.scalars(select(Invoice.id).where(Invoice.kind == INVOICE, Invoice.status.in_(OPEN),
                                                   Invoice.due_date <= on, methods.has_default(Invoice.customer_id))
                          .order_by(Invoice.id)).all()
    counts: dict = {"invoices": len(ids), "failures": credit["failures"], "from_credit": credit["invoices"]}
    for invoice_id in ids:
        try:
            invoice = session.get(Invoice, invoice_id)
            outcome = charge_saved_method(session, invoice)
            counts[outcome] = counts.get(outcome, 0) + 1
        except Exception:
            session.rollback()
            log.exception("charging invoice %s failed", invoice_id)
            counts["failures"] += 1
    return counts


def retry_due(session, limit: int = 200) -> dict:
    """Run the attempts whose time has come (scheduled retries, unknown outcomes)."""
    invoice_ids = session.scalars(select(ChargeAttempt.invoice_id).where(
        ChargeAttempt.status.in_(DUE_ATTEMPTS), ChargeAttempt.next_attempt_at <= _now())
        .order_by(ChargeAttempt.next_attempt_at).limit(limit)).all()
    counts: dict = {"attempts": len(invoice_ids), "failures": 0}
    for invoice_id in invoice_ids:
        try:
            outcome = charge_saved_method(session, session.get(Invoice, invoice_id))
            counts[outcome] = counts.get(outcome, 0) + 1
        except Exception:
            session.rollback()
            log.exception("retrying the charge of invoice %s failed", invoice_id)
            counts["failures"] += 1
    return counts
