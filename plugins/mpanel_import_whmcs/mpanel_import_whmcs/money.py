"""Invoices exactly as issued, transactions (tblaccounts) as payments and refunds,
and credit balances, with ledger entries that reconcile (mpanel_billing.models.ledger).

Imported invoices keep their WHMCS number (``invoicenum``, or the id when WHMCS
numbered by id) outside the tenant's gapless series (``number_seq`` stays empty,
the series' counter is never touched): they are historical documents, frozen
like every issued invoice. Their status is set from WHMCS, never through
billing's settle(), so no "paid" signal fires (nothing is provisioned again).
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from sqlalchemy import func, select

from .core import as_date, as_utc, digest, text

STATUSES = {"Unpaid": "unpaid", "Paid": "paid", "Cancelled": "cancelled", "Refunded": "refunded",
            "Collections": "unpaid", "Payment Pending": "unpaid", "Overdue": "unpaid"}
PROVIDER = "whmcs"


def _entry(ctx, kind, invoice, amount, **fields):
    from mpanel_billing.models import LedgerEntry

    if amount:
        ctx.session.add(LedgerEntry(kind=kind, invoice_id=invoice.id if invoice else None,
                                    customer_id=invoice.customer_id if invoice else fields.pop("customer_id"),
                                    currency=invoice.currency if invoice else fields.pop("currency"),
                                    amount=amount, **fields))


def _lines(ctx, invoice, row, items, inclusive: bool):
    from mpanel_billing.models import InvoiceLine, InvoiceTax

    rate, rate2 = row["taxrate"] or Decimal(0), row["taxrate2"] or Decimal(0)
    taxed_net = Decimal(0)
    for position, item in enumerate(items, 1):
        taxed = bool(item["taxed"]) and (rate or rate2)
        amount = item["amount"]
        net = amount
        if taxed and inclusive:  # the item's amount includes the tax; the invoice's subtotal is net
            net = (amount / (1 + (rate + rate2) / 100)).quantize(Decimal("0.01"))
        if taxed:
            taxed_net += net
        ctx.session.add(InvoiceLine(invoice_id=invoice.id, customer_id=invoice.customer_id, position=position,
                                    description=text(item["description"], 500) or "-", quantity=Decimal(1),
                                    unit_price=amount, prices_include_tax=bool(taxed and inclusive),
                                    price_tax_rate=rate if taxed and inclusive else None,
                                    tax_category="S" if taxed else "E", tax_rate=rate if taxed else 0,
                                    tax2_rate=rate2 if taxed and rate2 else None, net_amount=net,
                                    currency=invoice.currency, period_start=None, period_end=None))
    for level, tax, tax_rate in ((1, row["tax"], rate), (2, row["tax2"], rate2)):
        if tax:
            ctx.session.add(InvoiceTax(invoice_id=invoice.id, customer_id=invoice.customer_id, level=level,
                                       category="S", rate=tax_rate, taxable=taxed_net, tax=tax,
                                       currency=invoice.currency))


def invoices(ctx) -> None:
    from mpanel_billing.models import Invoice
    from mpanel_billing.models.ledger import CREDIT_APPLIED, INVOICE
    from mpanel_billing.parties import buyer_snapshot

    from mpanel.modules.customers.models import Customer

    inclusive = ctx.source.setting("TaxType", "Exclusive").lower() == "inclusive"
    rows = ctx.source.rows("SELECT id, userid, invoicenum, date, duedate, datepaid, subtotal, credit, tax, tax2, "
                           "total, taxrate, taxrate2, status, paymentmethod, notes FROM tblinvoices ORDER BY id")
    items = defaultdict(list)
    for item in ctx.source.rows("SELECT id, invoiceid, description, amount, taxed FROM tblinvoiceitems "
                                "ORDER BY invoiceid, id"):
        items[item["invoiceid"]].append(item)
    numbers = set(ctx.session.scalars(select(Invoice.number).where(Invoice.number.is_not(None))))

    def handle(row):
        customer_id = ctx.target("tblclients", row["userid"])
        if row["status"] == "Draft":
            ctx.report.problem("tblinvoices", row["id"], "draft: not an issued document, not imported")
            return None
        if customer_id is None:
            ctx.report.problem("tblinvoices", row["id"], f"client {row['userid']} was not imported")
            return None
        status = STATUSES.get(row["status"])
        if status is None:
            ctx.report.problem("tblinvoices", row["id"], f"status {row['status']!r} unknown")
            return None
        row_digest = digest({**row, "items": items.get(row["id"], [])})
        state = ctx.seen("tblinvoices", row["id"], row_digest)
        if state == "unchanged":
            return state
        if state == "changed":
            return _changed(ctx, row, status, row_digest)
        number = text(row["invoicenum"], 64) or str(row["id"])
        if number in numbers:
            ctx.report.problem("tblinvoices", row["id"], f"number {number!r} is taken in MPanel")
            return None
        numbers.add(number)
        customer = ctx.session.get(Customer, customer_id)
        issued = as_date(row["date"])
        invoice = Invoice(customer_id=customer_id, customer=customer, kind="invoice", status="draft",
                          currency=customer.currency, language=customer.language, buyer=buyer_snapshot(customer),
                          seller={"name": ctx.tenant.name, "country": ctx.tenant.country},
                          notes=text(row["notes"]) or None, net_total=row["subtotal"],
                          tax_total=row["tax"] + row["tax2"], total=row["total"], amount_paid=row["credit"],
                          due_date=as_date(row["duedate"]))
        ctx.session.add(invoice)
        ctx.session.flush()
        _lines(ctx, invoice, row, items.get(row["id"], []), inclusive)
        ctx.session.flush()
        # Issue it as WHMCS did: its number and dates, outside the tenant's series (number_seq empty).
        invoice.number, invoice.issue_date, invoice.issued_at = number, issued, as_utc(issued)
        invoice.status = status
        invoice.paid_at = as_utc(row["datepaid"])
        ctx.session.flush()
        _entry(ctx, INVOICE, invoice, invoice.total, memo=f"WHMCS invoice {number}")
        _entry(ctx, CREDIT_APPLIED, invoice, -row["credit"], memo="credit applied in WHMCS")
        ctx.remember("tblinvoices", row["id"], "billing_invoices", invoice.id, row_digest)
        return "imported"

    ctx.batches("tblinvoices", rows, handle)


def _changed(ctx, row, status: str, row_digest: str) -> str | None:
    """An imported invoice changed in WHMCS: its status, payment date and credit
    follow; its lines and totals are frozen in MPanel (reported, and the
    reconciliation shows the difference)."""
    from mpanel_billing.models import Invoice
    from mpanel_billing.models.ledger import CREDIT_APPLIED

    invoice = ctx.session.get(Invoice, ctx.target("tblinvoices", row["id"]))
    if (invoice.total, invoice.net_total) != (row["total"], row["subtotal"]):
        ctx.report.problem("tblinvoices", row["id"], f"total changed in WHMCS after import ({invoice.total} -> "
                           f"{row['total']}): MPanel keeps the issued document")
        return None
    applied = -(ctx.session.scalar(select(func.coalesce(func.sum(_ledger().amount), 0)).where(
        _ledger().invoice_id == invoice.id, _ledger().kind == CREDIT_APPLIED)) or Decimal(0))
    if row["credit"] != applied:
        _entry(ctx, CREDIT_APPLIED, invoice, applied - row["credit"], memo="credit applied in WHMCS")
        invoice.amount_paid += row["credit"] - applied
    invoice.status = status
    invoice.paid_at = as_utc(row["datepaid"])
    if status == "cancelled" and invoice.cancelled_at is None:
        invoice.cancelled_at = invoice.paid_at or invoice.issued_at
    ctx.remember("tblinvoices", row["id"], "billing_invoices", invoice.id, row_digest)
    return "updated"


def _ledger():
    from mpanel_billing.models import LedgerEntry

    return LedgerEntry


def payments(ctx) -> None:
    """tblaccounts: amountin is a payment, amountout a refund, each one
    billing_payments row (provider "whmcs", the transaction id kept in it)."""
    from mpanel_billing.models import Invoice, Payment
    from mpanel_billing.models.ledger import PAYMENT, REFUND

    rows = ctx.source.rows("SELECT id, userid, currency, gateway, date, description, amountin, amountout, transid, "
                           "invoiceid, refundid FROM tblaccounts ORDER BY id")
    touched: set[int] = set()

    def handle(row):
        if ctx.target("tblaccounts", row["id"]) is not None:
            return "unchanged"  # money movements are append-only: imported once
        customer_id = ctx.target("tblclients", row["userid"])
        currency = ctx.client_currency.get(row["userid"]) or ctx.currencies.get(row["currency"])
        if customer_id is None or currency is None:
            ctx.report.problem("tblaccounts", row["id"], f"client {row['userid']} was not imported")
            return None
        amount_in, amount_out = row["amountin"] or Decimal(0), row["amountout"] or Decimal(0)
        if (amount_in > 0) == (amount_out > 0):
            ctx.report.problem("tblaccounts", row["id"], "neither or both of amountin and amountout are set")
            return None
        invoice_id = ctx.target("tblinvoices", row["invoiceid"]) if row["invoiceid"] else None
        if row["invoiceid"] and invoice_id is None:
            ctx.report.problem("tblaccounts", row["id"], f"invoice {row['invoiceid']} was not imported")
            return None
        kind, amount = ("payment", amount_in) if amount_in > 0 else ("refund", amount_out)
        gateway = text(row["gateway"]) or "unknown"
        payment = Payment(customer_id=customer_id, kind=kind, invoice_id=invoice_id, provider=PROVIDER,
                          provider_txn_id=f"{row['id']}:{text(row['transid'])}"[:200], amount=amount,
                          currency=currency, memo=f"{gateway}: {text(row['description'])}"[:200],
                          created_at=as_utc(row["date"]))
        ctx.session.add(payment)
        ctx.session.flush()
        if invoice_id is not None:
            invoice = ctx.session.get(Invoice, invoice_id)
            signed = amount if kind == "payment" else -amount
            _entry(ctx, PAYMENT if kind == "payment" else REFUND, invoice, -signed, payment_id=payment.id)
            invoice.amount_paid += signed
            touched.add(invoice_id)
        # Without an invoice (funds added to the balance): the imported credit balance already holds it.
        ctx.remember("tblaccounts", row["id"], "billing_payments", payment.id, digest(row))
        return "imported"

    ctx.batches("tblaccounts", rows, handle)
    _settle(ctx, touched | {row.target_id for (source, _), row in ctx.map.items() if source == "tblinvoices"})


def _settle(ctx, invoice_ids) -> None:
    """Open invoices with money on them are partially paid; a cancelled invoice owes nothing (a
    cancellation entry brings its ledger to zero, as billing's own cancellation does)."""
    from mpanel_billing.models import Invoice, LedgerEntry
    from mpanel_billing.models.ledger import CANCELLATION

    ids = sorted(invoice_ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        sums = dict(ctx.session.execute(select(LedgerEntry.invoice_id, func.sum(LedgerEntry.amount))
                                        .where(LedgerEntry.invoice_id.in_(chunk))
                                        .group_by(LedgerEntry.invoice_id)).all())
        for invoice in ctx.session.scalars(select(Invoice).where(Invoice.id.in_(chunk))):
            if invoice.status in ("unpaid", "partially_paid"):
                invoice.status = "partially_paid" if invoice.amount_paid > 0 else "unpaid"
            owed = sums.get(invoice.id, Decimal(0))
            if invoice.status == "cancelled" and owed:
                _entry(ctx, CANCELLATION, invoice, -owed, memo="cancelled in WHMCS")
        if ctx.dry_run:
            ctx.session.flush()
        else:
            ctx.session.commit()


def credit(ctx) -> None:
    """tblclients.credit -> the customer's account credit; a change since the last
    run is one ledger entry of the difference (WHMCS's tblcredit history stays there)."""
    from mpanel_billing.ledger import account
    from mpanel_billing.models.ledger import PAYMENT

    rows = ctx.source.rows("SELECT id, credit FROM tblclients ORDER BY id")

    def handle(row):
        customer_id = ctx.target("tblclients", row["id"])
        currency = ctx.client_currency.get(row["id"])
        if customer_id is None or currency is None:
            ctx.report.problem("tblclients.credit", row["id"], "client was not imported")
            return None
        balance = row["credit"] or Decimal(0)
        if balance < 0:
            ctx.report.problem("tblclients.credit", row["id"], f"negative credit {balance}")
            return None
        row_digest = digest(row)
        state = ctx.seen("tblclients.credit", row["id"], row_digest)
        if state == "unchanged" or (state == "new" and not balance):
            return "unchanged"
        held = account(ctx.session, customer_id, currency)
        delta = balance - held.credit
        if delta:
            _entry(ctx, PAYMENT, None, -delta, customer_id=customer_id, currency=currency,
                   memo="credit balance imported from WHMCS")
            held.credit = balance
        ctx.remember("tblclients.credit", row["id"], "billing_accounts", held.id, row_digest)
        return "imported" if state == "new" else "updated"

    ctx.batches("tblclients.credit", rows, handle)
