"""Recording a received bank transfer: the ledger payment (full, partial or an
overpayment that becomes credit), its transaction and an audit entry, all in the
caller's transaction. The bank's reference is the provider id: recording the
same transfer again changes nothing."""

from __future__ import annotations

import datetime as dt

from mpanel_billing import ledger
from mpanel_billing.gateways.base import SUCCEEDED
from mpanel_billing.gateways.models import PAYMENT, Allocation, Transaction

from mpanel.core import audit
from mpanel_gateway_bank.plugin import NAME


def record_transfer(session, invoice, amount, currency: str, bank_reference: str, booked_on: dt.date | None = None,
                    memo: str | None = None) -> ledger.PaymentResult:
    result = ledger.record_payment(session, invoice, amount, currency, NAME, bank_reference, memo=memo)
    if result.duplicate:
        return result
    payment = result.payment
    session.add(Transaction(
        gateway=NAME, kind=PAYMENT, status=SUCCEEDED, customer_id=invoice.customer_id, amount=payment.amount,
        currency=payment.currency, provider_id=bank_reference, invoice_id=invoice.id, payment_id=payment.id,
        allocations=[Allocation(invoice_id=invoice.id, amount=payment.amount, currency=payment.currency,
                                customer_id=invoice.customer_id)]))
    audit.record(session, "bank_transfer_recorded", "Invoice", invoice.id, {
        "reference": bank_reference, "amount": str(payment.amount), "currency": payment.currency,
        "applied": str(result.applied), "credited": str(result.credited),
        "booked_on": booked_on.isoformat() if booked_on else None})
    return result
