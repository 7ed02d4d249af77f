"""Payments through a gateway: a transaction for one or more invoices of a
customer (mass pay), and the provider's result applied to them.

Money is applied through :func:`ledger.record_payment` (one ``billing_payments``
row per provider id, unique), so a webhook delivered twice, late or out of
order, a customer returning from 3-D Secure and a manual "mark paid" can race
without counting a payment twice. A mass payment pays the first invoice; what
exceeds it becomes credit, applied to the other invoices in the same transaction.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from mpanel.core.errors import Conflict, FieldError
from mpanel.core.money import quantize, to_decimal
from mpanel.web.routing import MAX_ID

from .. import ledger
from ..models.invoice import INVOICE, OPEN, Invoice
from . import methods
from .base import SUCCEEDED, Checkout, PaymentGateway, ProviderPayment
from .models import OPEN_STATUSES, PAYMENT, Allocation, Transaction
from .registry import tenant_url


def payable(session, customer_id: int, invoice_ids) -> list[Invoice]:
    """The customer's open invoices ``invoice_ids`` (one currency), locked, in id order."""
    ids = sorted({int(i) for i in invoice_ids})
    if not ids:
        raise FieldError("invoice_ids", "choose at least one invoice")
    if not all(0 < i <= MAX_ID for i in ids):
        raise FieldError("invoice_ids", "no such invoice of this customer")
    found = {i.id: i for i in session.scalars(select(Invoice).where(Invoice.id.in_(ids),
                                                                    Invoice.customer_id == customer_id))}
    missing = [i for i in ids if i not in found]
    if missing:
        raise FieldError("invoice_ids", f"no such invoice of this customer: {missing[0]}")
    invoices = [found[i] for i in ids]
    if len({i.currency for i in invoices}) > 1:
        raise FieldError("invoice_ids", "invoices in different currencies are paid separately")
    for invoice in invoices:
        ledger.lock(session, invoice)
        if invoice.kind != INVOICE or invoice.status not in OPEN or invoice.amount_due <= 0:
            raise Conflict("invoice_ids", f"invoice {invoice.display_number} has nothing to pay")
    return invoices


def _allocations(invoices: list[Invoice], amount) -> list[tuple[Invoice, Decimal]]:
    if amount is None:
        return [(invoice, invoice.amount_due) for invoice in invoices]
    invoice = invoices[0]
    try:
        amount = to_decimal(amount)
    except (TypeError, ValueError) as exc:
        raise FieldError("amount", str(exc)) from None
    if len(invoices) > 1 or not 0 < amount <= invoice.amount_due or quantize(amount, invoice.currency) != amount:
        raise FieldError("amount", f"a part payment is for one invoice, up to {invoice.amount_due}")
    return [(invoice, amount)]


def _reusable(session, gateway: str, customer_id: int, invoice_ids: set[int]) -> Transaction | None:
    """An open on-session payment for exactly these invoices: paying again reuses it,
    so repeated clicks never create a second provider payment."""
    candidates = session.scalars(select(Transaction).where(
        Transaction.gateway == gateway, Transaction.kind == PAYMENT, Transaction.customer_id == customer_id,
        Transaction.status.in_(OPEN_STATUSES), Transaction.off_session.is_(False))
        .order_by(Transaction.id.desc())).all()
    return next((t for t in candidates if {a.invoice_id for a in t.allocations} == invoice_ids), None)


def prepare(session, gateway: PaymentGateway, customer_id: int, invoice_ids, amount=None,
            save_method: bool = False, off_session: bool = False, method=None) -> Transaction:
    """A pending payment transaction for the invoices (reused when one is open); no commit."""
    invoices = payable(session, customer_id, invoice_ids)
    currency = invoices[0].currency
    if not gateway.ready:
        raise FieldError("gateway", f"{gateway.title} is not set up")
    if not gateway.supports_currency(currency):
        raise FieldError("gateway", f"{gateway.title} does not take {currency}")
    allocations = _allocations(invoices, amount)
    transaction = None if off_session else _reusable(session, gateway.name, customer_id, {i.id for i in invoices})
    if transaction is None:
        transaction = Transaction(gateway=gateway.name, kind=PAYMENT, customer_id=customer_id, currency=currency,
                                  off_session=off_session, method=method)
        session.add(transaction)
    transaction.amount = sum(due for _, due in allocations)
    transaction.invoice_id, transaction.save_method = invoices[0].id, save_method
    transaction.allocations = [Allocation(invoice_id=invoice.id, position=n, amount=due, currency=currency,
                                          customer_id=customer_id) for n, (invoice, due) in enumerate(allocations)]
    session.flush()
    return transaction


def return_url(session, transaction: Transaction) -> str:
    return tenant_url(session, f"/client/billing/payments/{transaction.id}/return")


def start(session, gateway: PaymentGateway, customer, invoice_ids, amount=None,
          save_method: bool = False) -> tuple[Transaction, Checkout | None]:
    """Start paying invoices on-session. Commits: the transaction exists before the
    provider is called (its id is the idempotency key), and again with the provider's
    id. Returns the checkout to show, or None when the provider's payment turned out
    to be closed (then synced: paid, or failed so that the next try starts afresh)."""
    open_one = _reusable(session, gateway.name, customer.id, {int(i) for i in invoice_ids})
    if open_one is not None and open_one.provider_id:
        sync(session, gateway, open_one)  # the customer may have paid it meanwhile
        session.commit()
        if open_one.status == SUCCEEDED:
            return open_one, None
    transaction = prepare(session, gateway, customer.id, invoice_ids, amount, save_method)
    session.commit()
    checkout = gateway.start_payment(transaction, customer, return_url(session, transaction))
    if checkout is None:
        sync(session, gateway, transaction)
    session.commit()
    return transaction, checkout


def apply(session, transaction: Transaction, result: ProviderPayment) -> str:
    """Apply the provider's view of a payment transaction; idempotent. Returns
    "paid", "duplicate" or the transaction's new status."""
    if result.currency != transaction.currency:
        raise Conflict("currency", f"the provider reports {result.currency}, not {transaction.currency}")
    if transaction.provider_id is None:
        transaction.provider_id = result.provider_id
    if result.status != SUCCEEDED:
        if transaction.status != SUCCEEDED:  # a late failure never undoes a success
            transaction.status, transaction.error = result.status, result.error
        return transaction.status
    allocations = transaction.allocations or []
    primary = allocations[0].invoice if allocations else transaction.invoice
    recorded = ledger.record_payment(session, primary, result.amount, transaction.currency, transaction.gateway,
                                     result.provider_id)
    if not recorded.duplicate:
        for allocation in allocations[1:]:
            _apply_credit(session, allocation)
    transaction.status, transaction.payment_id, transaction.error = SUCCEEDED, recorded.payment.id, None
    transaction.fee = result.fee if result.fee is not None else transaction.fee
    if result.method is not None and transaction.save_method:
        methods.save(session, transaction.customer_id, transaction.gateway, result.method)
    return "duplicate" if recorded.duplicate else "paid"


def _apply_credit(session, allocation: Allocation) -> None:
    invoice = allocation.invoice
    ledger.lock(session, invoice)
    available = ledger.credit_balance(session, invoice.customer_id, invoice.currency)
    amount = min(allocation.amount, invoice.amount_due, available)
    if amount > 0 and invoice.status in OPEN:
        ledger.apply_credit(session, invoice, amount)


def sync(session, gateway: PaymentGateway, transaction: Transaction) -> str:
    """Read the provider's state of the transaction and apply it (return page, re-sync)."""
    result = gateway.fetch_payment(transaction)
    return "unknown" if result is None else apply(session, transaction, result)


def pay_with_credit(session, customer_id: int, invoice_ids) -> Decimal:
    """Pay the invoices from the customer's credit as far as it goes; returns the amount applied."""
    invoices = payable(session, customer_id, invoice_ids)
    return sum((ledger.apply_credit(session, invoice) for invoice in invoices), Decimal(0))
