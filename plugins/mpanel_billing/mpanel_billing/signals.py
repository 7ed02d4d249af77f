"""Billing signals. They reach only plugins active for the tenant, and are
sent inside the transaction that makes the change: receivers may add to it
(a veto raises), and put side effects in the outbox, never run them."""

from mpanel.core.signals import tenant_signal

invoice_finalizing = tenant_signal(
    "invoice_finalizing",
    """Before a draft is numbered. sender: the Invoice (or credit note).
    Raise FieldError to refuse the issue; the transaction is rolled back.""",
)

invoice_issued = tenant_signal(
    "invoice_issued",
    """After an invoice or credit note got its number (or proforma number).
    sender: the Invoice.""",
)

invoice_paid = tenant_signal(
    "invoice_paid",
    """When an invoice becomes fully paid (payments and applied credit).
    sender: the Invoice; payment: the Payment that settled it, or None when
    credit did.""",
)

invoice_overdue = tenant_signal(
    "invoice_overdue",
    """When the dunning run finds an open invoice past its due date (once per
    invoice). sender: the Invoice; days: days past due. For suspensions.""",
)

invoice_cancelled = tenant_signal(
    "invoice_cancelled",
    """When an invoice is cancelled (a draft dropped, a proforma withdrawn or an
    invoice credited in full). sender: the Invoice.""",
)

order_placed = tenant_signal(
    "order_placed",
    """After checkout wrote an order (its invoice issued, if it has one). sender: the Order.""",
)

payment_failed = tenant_signal(
    "payment_failed",
    """A charge of a saved payment method was declined. sender: the Invoice;
    transaction: the failed Transaction; error: the provider's message.""",
)
