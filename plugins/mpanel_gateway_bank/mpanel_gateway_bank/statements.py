"""CAMT.053 import: each credit line is stored once (unique bank reference); a
line whose reference (structured, RF in the text, or an invoice number) names an
open invoice and whose amount is exactly what it owes is recorded at once. The
rest waits for staff, with the invoice it probably belongs to suggested."""

from __future__ import annotations

import hashlib
from dataclasses import asdict

from mpanel_billing.models.invoice import INVOICE, OPEN, Invoice
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from mpanel.core.errors import Conflict
from mpanel.core.tenancy import require_tenant_id
from mpanel_gateway_bank import camt
from mpanel_gateway_bank.models import IGNORED, MATCHED, UNMATCHED, BankLine, BankStatement
from mpanel_gateway_bank.reference import creditor_reference, references_in
from mpanel_gateway_bank.transfers import record_transfer


def _open_invoices(session) -> dict[str, Invoice]:
    """Reference (RF, invoice and proforma number) -> open invoice."""
    index = {}
    for invoice in session.scalars(select(Invoice).where(Invoice.kind == INVOICE, Invoice.status.in_(OPEN))):
        for number in filter(None, (invoice.number, invoice.proforma_number)):
            index[number.upper()] = index[creditor_reference(number)] = invoice
    return index


def _named(line: BankLine, index: dict[str, Invoice]) -> Invoice | None:
    structured = line.reference.replace(" ", "").upper()
    for reference in (structured, *references_in(line.remittance)):
        if reference in index:
            return index[reference]
    text = line.remittance.upper()
    return next((invoice for key, invoice in index.items() if not key.startswith("RF") and key in text), None)


def record(session, line: BankLine, invoice: Invoice) -> None:
    """Book the line's money to ``invoice`` (staff's choice or an exact match)."""
    if line.status == MATCHED:
        raise Conflict("line", "the line is recorded already")
    result = record_transfer(session, invoice, line.amount, line.currency, f"camt:{line.bank_ref}", line.booked_on,
                             memo=(line.remittance or line.debtor_name)[:200] or None)
    line.status, line.invoice_id, line.payment_id = MATCHED, invoice.id, result.payment.id


def ignore(line: BankLine) -> None:
    if line.status == MATCHED:
        raise Conflict("line", "a recorded line cannot be ignored")
    line.status = IGNORED


def import_statement(session, filename: str, data: bytes) -> tuple[BankStatement, bool]:
    """Import a statement file; (statement, False) when this file was imported before."""
    digest = hashlib.sha256(data).hexdigest()
    seen = session.scalar(select(BankStatement).where(BankStatement.sha256 == digest))
    if seen is not None:
        return seen, False
    lines = camt.parse(data)
    statement = BankStatement(filename=(filename or "statement.xml")[:200], sha256=digest, lines=0, matched=0)
    session.add(statement)
    session.flush()
    index = _open_invoices(session)
    for parsed in lines:
        line_id = session.execute(insert(BankLine).values(
            tenant_id=require_tenant_id(), statement_id=statement.id, status=UNMATCHED, **asdict(parsed))
            .on_conflict_do_nothing(index_elements=["tenant_id", "bank_ref"]).returning(BankLine.id)).scalar()
        if line_id is None:
            continue  # in an earlier statement already
        statement.lines += 1
        line = session.get(BankLine, line_id)
        invoice = _named(line, index)
        if invoice is None:
            continue
        line.invoice_id = invoice.id
        if line.currency == invoice.currency and line.amount == invoice.amount_due:
            record(session, line, invoice)
            statement.matched += 1
    return statement, True
