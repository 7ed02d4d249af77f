"""Issue many invoices at once (the billing run): the amounts of invoices.issue,
written with a few set-based statements in the caller's transaction.

``insert_drafts`` prices every draft with the rules and calc.compute (tax rules
and settings loaded once) and inserts the drafts, lines and taxes;
``issue`` takes one number range under one lock of the series row, in the
order of the drafts, flips them to issued with one UPDATE (the triggers allow
any change while a row is a draft), posts the ledger and queues the documents
with their per-invoice dedupe keys. No ORM objects, so the audit flush hook is
not involved: the caller audits a summary.

The issue step is the per-invoice path's (``invoices.numbering_variant``,
``invoices.refuse_negative``, the same signals): when receivers of
``invoice_finalizing``/``invoice_issued`` are active for the tenant in scope, the
batch's invoices are loaded once and each is sent, before numbering and after
issue, as ``invoices.issue`` sends them. A receiver of another tenant's plugin
does not slow this tenant down; a veto fails the batch, which the run then
bills customer by customer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from types import SimpleNamespace

from sqlalchemy import select, text

from mpanel.core import counters, outbox
from mpanel.core.bulkinsert import insert_rows, keyed_json
from mpanel.core.errors import FieldError
from mpanel.core.tenancy import require_tenant_id
from mpanel.modules.tenants.models import Tenant

from . import calc, ledger, taxcurrency
from .invoices import check_line, numbering_variant, refuse_negative, tax_buyer, tax_fields, tax_rows
from .models.invoice import DRAFT, INVOICE, UNPAID, Invoice, InvoiceLine, InvoiceTax
from .models.ledger import INVOICE as INVOICE_ENTRY
from .models.ledger import Account, LedgerEntry
from .models.tax import TaxRule
from .numbering import take_numbers
from .parties import buyer_snapshot, seller_snapshot
from .settings import load as load_settings
from .signals import invoice_finalizing, invoice_issued
from .status import settle
from .tax.rules import decide


@dataclass(frozen=True)
class Line:
    description: str
    unit_price: Decimal
    tax_class: str
    discount: Decimal
    discount_reason: str | None
    period_start: dt.date
    period_end: dt.date


@dataclass
class Draft:
    customer: object  # a Customer
    currency: str
    due_date: dt.date
    lines: list[Line]
    id: int | None = None  # set by insert_drafts
    total: Decimal | None = None
    line_nets: tuple[Decimal, ...] = ()


def _listened(session, signal) -> bool:
    """Whether ``signal`` has a receiver that runs for the tenant in scope (the kernel's
    always do; a plugin's when the tenant has activated the plugin)."""
    from mpanel.core.plugins.engine import active_plugin_names, plugin_for_module

    plugins = {plugin_for_module(receiver.__module__) for receiver in signal.receivers_for(None)}
    return bool(plugins) and (None in plugins or bool(plugins & active_plugin_names(session)))


def _send(session, signal, drafts: list[Draft]) -> None:
    if not drafts or not _listened(session, signal):
        return
    ids = [d.id for d in drafts]
    loaded = {i.id: i for i in session.scalars(select(Invoice).where(Invoice.id.in_(ids))
                                              .execution_options(populate_existing=True))}
    for invoice_id in ids:
        signal.send(loaded[invoice_id])


def insert_drafts(session, drafts: list[Draft]) -> None:
    """Price and insert ``drafts`` (setting their id, total and line nets)."""
    settings = load_settings(session)
    tenant = session.get(Tenant, require_tenant_id())
    rules = session.scalars(select(TaxRule).where(TaxRule.active.is_(True))).all()
    seller = seller_snapshot(settings, tenant)

    @cache  # the same buyer and tax class get the same decision (the rules are the batch's)
    def decision_for(buyer, tax_class: str):
        return decide(rules, tenant.country, buyer, tax_class, oss=settings.eu_oss)

    invoices, lines, taxes = [], [], []
    for draft in drafts:
        buyer = tax_buyer(session, draft.customer, settings)
        rows, reasons = [], {}
        for position, line in enumerate(draft.lines, 1):
            decision = decision_for(buyer, line.tax_class)
            if decision.note:
                reasons[decision.category] = decision.note
            rows.append(SimpleNamespace(**vars(line), **tax_fields(decision), quantity=Decimal(1), unit_code="C62",
                                        position=position))
        for row in rows:
            check_line(row)
        try:
            amounts = calc.compute(rows, draft.currency, settings.tax_rounding)
        except ValueError as exc:
            raise FieldError("lines", str(exc)) from None
        refuse_negative(amounts.total)
        draft.total, draft.line_nets = amounts.total, amounts.totals.line_nets
        for row, net, gross in zip(rows, amounts.totals.line_nets, amounts.gross_amounts, strict=True):
            row.net_amount, row.gross_amount = net, gross
        national = SimpleNamespace(kind=INVOICE, currency=draft.currency, tax_currency_rate=None,
                                   tax_total=amounts.tax_total)
        taxcurrency.apply(national, tenant.country, settings.tax_exchange_rates)  # as invoices.issue does
        common = {"tenant_id": tenant.id, "customer_id": draft.customer.id, "currency": draft.currency}
        invoices.append({**common, "kind": INVOICE, "status": DRAFT, "due_date": draft.due_date, "notes": None,
                         "language": draft.customer.language, "exemption_reasons": reasons, "seller": seller,
                         "buyer": buyer_snapshot(draft.customer), "net_total": amounts.net_total,
                         "tax_total": amounts.tax_total, "total": amounts.total, "rounding": amounts.rounding,
                         "amount_paid": Decimal(0), "amount_credited": Decimal(0),
                         "tax_currency": national.tax_currency, "tax_currency_rate": national.tax_currency_rate,
                         "tax_currency_tax": national.tax_currency_tax})
        lines.append([{**common, **vars(row)} for row in rows])
        taxes.append([{**common, **row} for row in tax_rows(rows, amounts)])
    ids = session.scalars(_IDS, {"count": len(drafts)}).all()  # explicit ids: rows need no RETURNING order
    for draft, invoice_id, invoice, line_rows, tax_rows_ in zip(drafts, ids, invoices, lines, taxes, strict=True):
        draft.id = invoice["id"] = invoice_id
        for row in (*line_rows, *tax_rows_):
            row["invoice_id"] = invoice_id
    insert_rows(session, Invoice.__table__, invoices)
    insert_rows(session, InvoiceLine.__table__, [row for rows in lines for row in rows])
    insert_rows(session, InvoiceTax.__table__, [row for rows in taxes for row in rows])


_IDS = text("SELECT nextval(pg_get_serial_sequence('billing_invoices', 'id')) FROM generate_series(1, :count)")
# One UPDATE for the batch: the number (or proforma number) of each draft, and its issue. The id
# range (the ids come from one nextval call) lets the plan find the drafts by primary key.
_ISSUE = text("""
UPDATE billing_invoices AS i SET status = :status, issue_date = :on, issued_at = :now,
       (number, number_seq, proforma_number) = (
         SELECT new.number, new.number_seq, new.proforma_number
         FROM jsonb_populate_record(NULL::billing_invoices,
                                    (SELECT CAST(:numbers AS jsonb)) -> CAST(i.id AS text)) AS new)
WHERE i.id BETWEEN :first AND :last AND (SELECT CAST(:numbers AS jsonb)) ? CAST(i.id AS text)
""").bindparams(status=UNPAID)


def _number_columns(variant: str, seq: int, number: str) -> dict:
    """In proforma mode a draft gets only the proforma number (the legal one follows payment)."""
    if variant == "proforma":
        return {"number": None, "number_seq": None, "proforma_number": number}
    return {"number": number, "number_seq": seq, "proforma_number": None}


def issue(session, drafts: list[Draft], on: dt.date) -> None:
    """Number (in the order of ``drafts``) and issue inserted drafts, post them, queue their documents."""
    settings = load_settings(session)
    variant = numbering_variant(settings, INVOICE)
    _send(session, invoice_finalizing, drafts)
    counters.count(session, "invoices_issued", len(drafts))
    numbers = [{"id": d.id, **_number_columns(variant, seq, number)}
               for d, (seq, number) in zip(drafts, take_numbers(session, variant, on, len(drafts)), strict=True)]
    session.execute(_ISSUE, {"numbers": keyed_json(numbers), "first": min(d.id for d in drafts),
                             "last": max(d.id for d in drafts), "on": on, "now": dt.datetime.now(dt.UTC)})
    insert_rows(session, LedgerEntry.__table__, [
        {"tenant_id": require_tenant_id(), "kind": INVOICE_ENTRY, "invoice_id": d.id, "customer_id": d.customer.id,
         "currency": d.currency, "amount": d.total} for d in drafts if d.total])
    outbox.enqueue_many(session, "billing.document", [({"invoice_id": d.id, "variant": variant},
                                                       f"billing-document:{d.id}:{variant}") for d in drafts])
    _send(session, invoice_issued, drafts)
    _settle_special(session, drafts, settings.auto_apply_credit)


def _settle_special(session, drafts: list[Draft], auto_apply_credit: bool) -> None:
    """What issue() does beyond posting, for the few it concerns: a zero total is paid,
    account credit is applied. Through the ORM, one invoice at a time."""
    with_credit = set()
    if auto_apply_credit:
        with_credit = {tuple(row) for row in session.execute(select(Account.customer_id, Account.currency).where(
            Account.customer_id.in_({d.customer.id for d in drafts}), Account.credit > 0))}
    for draft in drafts:
        has_credit = (draft.customer.id, draft.currency) in with_credit
        if draft.total == 0 or has_credit:
            invoice = session.get(Invoice, draft.id, populate_existing=True)
            settle(session, invoice)
            if has_credit:
                ledger.apply_credit(session, invoice)

