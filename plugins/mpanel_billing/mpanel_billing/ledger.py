"""Money changes: payments and their reversals, refunds, account credit, credit notes.

Every change locks the customer's account row (per currency) first, then the
invoice, so concurrent changes for one customer queue instead of racing, and
writes ledger entries that reconcile (see models/ledger.py). Nothing here
commits: the caller's transaction makes the change atomic.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert

from mpanel.core import counters
from mpanel.core.errors import Conflict, FieldError
from mpanel.core.money import quantize, to_decimal, validate_currency
from mpanel.core.tenancy import require_tenant_id
from mpanel.core.unit_of_work import service

from . import mailing
from .models.invoice import CREDIT_NOTE, DRAFT, INVOICE, OPEN, PAID, PARTIALLY_PAID, UNPAID, Invoice, InvoiceLine
from .models.ledger import (
    CANCELLATION,
    CREDIT_APPLIED,
    FEE,
    PAYMENT,
    REFUND,
    Account,
    LedgerEntry,
    Payment,
)
from .models.ledger import CREDIT_NOTE as CREDIT_NOTE_ENTRY
from .models.ledger import INVOICE as INVOICE_ENTRY
from .status import settle


@dataclass(frozen=True)
class PaymentResult:
    payment: Payment
    applied: Decimal  # to the invoice
    credited: Decimal  # overpayment, now account credit
    duplicate: bool  # the provider transaction was recorded before: nothing changed


def account(session, customer_id: int, currency: str) -> Account:
    """The customer's account in ``currency``, created if need be and locked (FOR NO KEY UPDATE)."""
    statement = insert(Account).values(tenant_id=require_tenant_id(), customer_id=customer_id, currency=currency,
                                       credit=0)
    session.execute(statement.on_conflict_do_nothing(index_elements=["tenant_id", "customer_id", "currency"]))
    return session.scalars(select(Account).where(Account.customer_id == customer_id, Account.currency == currency)
                           .with_for_update(of=Account, key_share=True)
                           .execution_options(populate_existing=True)).one()


def lock(session, invoice: Invoice) -> Account:
    """Lock the account, then the invoice (always in this order), and refresh the invoice.

    FOR NO KEY UPDATE OF the invoice only: rows referencing it (ledger entries,
    credit notes) and the joined customer keep their key-share locks."""
    locked = account(session, invoice.customer_id, invoice.currency)
    session.scalars(select(Invoice).where(Invoice.id == invoice.id).with_for_update(of=Invoice, key_share=True)
                    .execution_options(populate_existing=True)).one()
    return locked


def _entry(session, kind: str, invoice: Invoice | None, customer_id: int, currency: str, amount: Decimal,
           **fields) -> None:
    if amount:
        session.add(LedgerEntry(kind=kind, invoice_id=invoice.id if invoice else None, customer_id=customer_id,
                                currency=currency, amount=amount, **fields))


def _amount(value, currency: str) -> Decimal:
    try:
        amount = to_decimal(value)
    except (TypeError, ValueError) as exc:
        raise FieldError("amount", str(exc)) from None
    if amount <= 0 or quantize(amount, currency) != amount:
        raise FieldError("amount", f"must be positive with at most the decimals of {currency}")
    return amount


def _currency(value: str, expected: str | None = None) -> str:
    try:
        currency = validate_currency(value)
    except ValueError as exc:
        raise FieldError("currency", str(exc)) from None
    if expected and currency != expected:
        raise FieldError("currency", f"the invoice is in {expected}, not {currency}")
    return currency


def _find_payment(session, provider: str, provider_txn_id: str) -> Payment | None:
    return session.scalars(select(Payment).where(Payment.provider == provider,
                                                 Payment.provider_txn_id == provider_txn_id)).one_or_none()


def _new_payment(session, **values) -> tuple[Payment, bool]:
    """Insert the payment row unless its (provider, provider_txn_id) exists: (row, inserted)."""
    inserted = session.execute(
        insert(Payment).values(tenant_id=require_tenant_id(), **values)
        .on_conflict_do_nothing(index_elements=["tenant_id", "provider", "provider_txn_id"])
        .returning(Payment.id)).scalar()
    return _find_payment(session, values["provider"], values["provider_txn_id"]), inserted is not None


def post_issue(session, invoice: Invoice) -> None:
    """An invoice was issued: the customer owes its total."""
    kind = FEE if invoice.late_fee_for_id else INVOICE_ENTRY
    _entry(session, kind, invoice, invoice.customer_id, invoice.currency, invoice.total)
    settle(session, invoice)


def _movement(session, invoice: Invoice, kind: str, amount, currency: str, provider: str, provider_txn_id: str,
              memo: str | None, received_on=None) -> tuple[Account, Payment, Decimal, bool]:
    """Check a payment or reversal, lock the customer's account and add its
    ``billing_payments`` row: (account, payment, amount, False if it was recorded before)."""
    _currency(currency, invoice.currency)
    amount = _amount(amount, invoice.currency)
    if not provider or not provider_txn_id:
        raise FieldError("provider_txn_id", "provider and transaction id are required")
    credit = lock(session, invoice)
    payment, new = _new_payment(session, customer_id=invoice.customer_id, kind=kind, invoice_id=invoice.id,
                                provider=provider, provider_txn_id=provider_txn_id, amount=amount,
                                currency=invoice.currency, memo=memo, received_on=received_on)
    return credit, payment, amount, new


@service("payment.record")
def record_payment(session, invoice: Invoice, amount, currency: str, provider: str, provider_txn_id: str,
                   memo: str | None = None, received_on=None) -> PaymentResult:
    """Record money received for ``invoice``: applied up to the amount due,
    the rest becomes account credit. Recording the same (provider,
    provider_txn_id) again changes nothing and returns ``duplicate=True``.
    ``received_on``: the day a manual payment arrived, as staff give it."""
    if invoice.kind != INVOICE or invoice.status == DRAFT:
        raise Conflict("invoice", "payments are recorded against issued invoices")
    credit, payment, amount, new = _movement(session, invoice, PAYMENT, amount, currency, provider,
                                             provider_txn_id, memo, received_on)
    if not new:
        return PaymentResult(payment, Decimal(0), Decimal(0), duplicate=True)
    applied = min(amount, invoice.amount_due)
    excess = amount - applied
    _entry(session, PAYMENT, invoice, invoice.customer_id, invoice.currency, -applied, payment_id=payment.id)
    _entry(session, PAYMENT, None, invoice.customer_id, invoice.currency, -excess, payment_id=payment.id,
           memo=f"overpayment of {invoice.display_number}")
    invoice.amount_paid += applied
    credit.credit += excess
    mailing.enqueue_receipt(session, invoice, payment)
    settle(session, invoice, payment=payment)
    counters.count(session, "payments_recorded")
    return PaymentResult(payment, applied, excess, duplicate=False)


def reverse_payment(session, invoice: Invoice, amount, currency: str, provider: str, provider_txn_id: str,
                    memo: str | None = None) -> PaymentResult:
    """Money received for ``invoice`` went back (a refund or a chargeback). It is taken
    from the customer's credit first (an overpayment, a credit note issued before the
    refund); what the credit does not cover reopens the invoice: its amount paid goes
    down and it is due again. Like record_payment, one ``billing_payments`` row (kind
    refund) per (provider, provider_txn_id): reporting the same reversal again changes
    nothing and returns ``duplicate=True``. ``applied`` and ``credited`` come back
    negative: what left the invoice and the credit."""
    credit, payment, amount, new = _movement(session, invoice, REFUND, amount, currency, provider,
                                             provider_txn_id, memo)
    if not new:
        return PaymentResult(payment, Decimal(0), Decimal(0), duplicate=True)
    from_credit = min(max(credit.credit, Decimal(0)), amount)
    reopened = amount - from_credit
    if reopened > invoice.amount_paid or (reopened and invoice.status not in (PAID, *OPEN)):
        raise Conflict("amount", f"{quantize(reopened, invoice.currency)} {invoice.currency} exceed the "
                                     f"customer's credit and what invoice {invoice.display_number} can take back")
    _entry(session, REFUND, None, invoice.customer_id, invoice.currency, from_credit, payment_id=payment.id,
           memo=f"{memo or 'reversal'} from credit")
    _entry(session, REFUND, invoice, invoice.customer_id, invoice.currency, reopened, payment_id=payment.id)
    credit.credit -= from_credit
    if reopened:
        invoice.amount_paid -= reopened
        invoice.status = PARTIALLY_PAID if invoice.amount_paid > 0 else UNPAID
    counters.count(session, "payments_reversed")
    return PaymentResult(payment, -reopened, -from_credit, duplicate=False)


def apply_credit(session, invoice: Invoice, amount=None) -> Decimal:
    """Pay ``invoice`` from the customer's credit (all it can take, or ``amount``); returns what was applied."""
    if invoice.kind != INVOICE or invoice.status == DRAFT:
        raise Conflict("invoice", "credit is applied to issued invoices")
    wanted = None if amount is None else _amount(amount, invoice.currency)
    credit = lock(session, invoice)
    applied = min(credit.credit, invoice.amount_due)
    if wanted is not None:
        if applied < wanted:
            available = quantize(applied, invoice.currency)
            raise Conflict("amount", f"only {available} {invoice.currency} can be applied")
        applied = wanted
    if applied <= 0:
        return quantize(0, invoice.currency)
    _entry(session, CREDIT_APPLIED, None, invoice.customer_id, invoice.currency, applied)
    _entry(session, CREDIT_APPLIED, invoice, invoice.customer_id, invoice.currency, -applied)
    credit.credit -= applied
    invoice.amount_paid += applied
    settle(session, invoice)
    return quantize(applied, invoice.currency)


def post_credit_note(session, credit_note: Invoice) -> None:
    """An issued credit note settles what its invoice still owes; the rest becomes credit."""
    invoice = credit_note.credited_invoice
    credit = lock(session, invoice)
    to_invoice = min(credit_note.total, invoice.amount_due)
    rest = credit_note.total - to_invoice
    _entry(session, CREDIT_NOTE_ENTRY, invoice, invoice.customer_id, invoice.currency, -to_invoice,
           document_id=credit_note.id)
    _entry(session, CREDIT_NOTE_ENTRY, None, invoice.customer_id, invoice.currency, -rest,
           document_id=credit_note.id, memo=f"credit note {credit_note.number}")
    invoice.amount_credited += to_invoice
    credit.credit += rest
    settle(session, invoice, credited=True)


def withdraw_proforma(session, invoice: Invoice) -> None:
    """A proforma (not a tax document) is withdrawn without a credit note."""
    lock(session, invoice)
    if invoice.amount_paid:
        raise Conflict("status", "the proforma has payments: credit them before cancelling")
    _entry(session, CANCELLATION, invoice, invoice.customer_id, invoice.currency, -invoice.amount_due)
    invoice.amount_credited += invoice.amount_due


def record_refund(session, customer_id: int, amount, currency: str, provider: str, provider_txn_id: str,
                  invoice: Invoice | None = None, memo: str | None = None) -> PaymentResult:
    """Money paid back to the customer out of their credit (after a credit note or an
    overpayment). Idempotent on (provider, provider_txn_id) like record_payment."""
    currency = _currency(currency)
    amount = _amount(amount, currency)
    credit = account(session, customer_id, currency)
    if _find_payment(session, provider, provider_txn_id) is None and amount > credit.credit:
        raise Conflict("amount", f"the customer's credit is {quantize(credit.credit, currency)} {currency}")
    payment, new = _new_payment(session, customer_id=customer_id, kind=REFUND,
                                invoice_id=invoice.id if invoice else None, provider=provider,
                                provider_txn_id=provider_txn_id, amount=amount, currency=currency, memo=memo)
    if not new:
        return PaymentResult(payment, Decimal(0), Decimal(0), duplicate=True)
    _entry(session, REFUND, None, customer_id, currency, amount, payment_id=payment.id)
    credit.credit -= amount
    return PaymentResult(payment, Decimal(0), -amount, duplicate=False)


def credit_balance(session, customer_id: int, currency: str) -> Decimal:
    value = session.scalar(select(Account.credit).where(Account.customer_id == customer_id,
                                                        Account.currency == currency))
    return quantize(value or 0, currency)


def reconcile(session) -> list[str]:
    """Differences between the ledger and the invoices and accounts of the tenant
    (or customer) in scope; an empty list means everything reconciles."""
    problems = []
    by_invoice = dict(session.execute(select(LedgerEntry.invoice_id, func.sum(LedgerEntry.amount))
                                      .where(LedgerEntry.invoice_id.is_not(None))
                                      .group_by(LedgerEntry.invoice_id)).all())
    issued = session.scalars(select(Invoice).where(Invoice.kind == INVOICE, Invoice.status != DRAFT)).all()
    for invoice in issued:
        owed = invoice.total - invoice.amount_paid - invoice.amount_credited
        if by_invoice.get(invoice.id, 0) != owed:
            problems.append(f"invoice {invoice.display_number}: ledger {by_invoice.get(invoice.id, 0)}, owed {owed}")
    unallocated = dict(((c, cur), -total) for c, cur, total in session.execute(
        select(LedgerEntry.customer_id, LedgerEntry.currency, func.sum(LedgerEntry.amount))
        .where(LedgerEntry.invoice_id.is_(None)).group_by(LedgerEntry.customer_id, LedgerEntry.currency)))
    for row in session.scalars(select(Account)):
        if unallocated.pop((row.customer_id, row.currency), 0) != row.credit:
            problems.append(f"account of customer {row.customer_id} in {row.currency}: credit {row.credit}")
    problems += [f"customer {c} has ledger credit {v} {cur} but no account" for (c, cur), v in unallocated.items() if v]
    problems += _credited_beyond_or_short(session, issued)
    credit_notes = session.scalars(select(Invoice).where(Invoice.kind == CREDIT_NOTE, Invoice.status != DRAFT))
    posted = dict(session.execute(select(LedgerEntry.document_id, func.sum(LedgerEntry.amount))
                                  .where(LedgerEntry.document_id.is_not(None)).group_by(LedgerEntry.document_id)).all())
    problems += [f"credit note {cn.number}: ledger {posted.get(cn.id, 0)}, total {cn.total}"
                 for cn in credit_notes if -posted.get(cn.id, 0) != cn.total]
    return problems


def _credited_beyond_or_short(session, issued) -> list[str]:
    """Credit notes must never credit more than their invoice, and once every line
    is credited in full they must come to its total exactly: no cent left owed or
    turned into credit by rounding."""
    notes = select(InvoiceLine.credited_line_id, func.sum(InvoiceLine.quantity).label("quantity")).join(
        Invoice, Invoice.id == InvoiceLine.invoice_id).where(
        Invoice.kind == CREDIT_NOTE, Invoice.status != DRAFT).group_by(InvoiceLine.credited_line_id).subquery()
    in_full = set(session.scalars(
        select(InvoiceLine.invoice_id).outerjoin(notes, notes.c.credited_line_id == InvoiceLine.id)
        .where(InvoiceLine.credited_line_id.is_(None)).group_by(InvoiceLine.invoice_id)
        .having(func.bool_and(func.abs(func.coalesce(notes.c.quantity, 0)) >= func.abs(InvoiceLine.quantity)))))
    credited = dict(session.execute(select(Invoice.credited_invoice_id, func.sum(Invoice.total)).where(
        Invoice.kind == CREDIT_NOTE, Invoice.status != DRAFT).group_by(Invoice.credited_invoice_id)).all())
    problems = []
    for invoice in issued:
        total = credited.get(invoice.id, 0)
        if total > invoice.total or (invoice.id in in_full and total != invoice.total):
            problems.append(f"invoice {invoice.display_number}: credit notes {total}, invoiced {invoice.total}")
    return problems
