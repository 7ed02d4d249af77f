"""Billing's events for staff notifications (kernel: mpanel.modules.notifications)."""

from __future__ import annotations

from mpanel.core.money import format_money
from mpanel.modules.notifications import staff_notice

from .signals import invoice_paid, order_placed, payment_failed


@order_placed.connect
def _order(order, **kwargs):
    invoice = order.invoice
    total = f", {format_money(invoice.total, invoice.currency)}" if invoice else ""
    held = f"\nHeld for review: {order.review_reason}" if order.review == "held" else ""
    staff_notice.send(order, event="new_order", key=f"order:{order.id}",
                      subject=f"New order {order.id} from {order.customer.display_name}",
                      body=f"Order {order.id}{total}.{held}\n/orderview/show/{order.id}")


@invoice_paid.connect
def _paid(invoice, payment=None, **kwargs):
    staff_notice.send(invoice, event="payment_received", key=f"invoice:{invoice.id}",
                      subject=f"Invoice {invoice.display_number} paid "
                              f"({format_money(invoice.total, invoice.currency)})",
                      body=f"{invoice.customer.display_name} paid invoice {invoice.display_number}.\n"
                           f"/invoiceview/show/{invoice.id}")


@payment_failed.connect
def _failed(invoice, transaction=None, error=None, **kwargs):
    staff_notice.send(invoice, event="payment_failed", key=f"transaction:{transaction.id if transaction else 0}",
                      subject=f"Payment failed: invoice {invoice.display_number}",
                      body=f"The charge for invoice {invoice.display_number} of {invoice.customer.display_name} "
                           f"failed: {error or ''}\n/invoiceview/show/{invoice.id}")
