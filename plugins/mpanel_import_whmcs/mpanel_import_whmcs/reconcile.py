"""The reconciliation: per currency, WHMCS's sums against the imported rows' sums in MPanel.

Compared to the cent: invoice totals (every invoice but drafts), payments less
refunds (tblaccounts of clients), and credit balances (tblclients.credit).
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from sqlalchemy import and_, case, func, select

from .core import money_text
from .models import ImportMap

MEASURES = ("invoices", "payments", "credit")


def whmcs_sums(source) -> dict:
    sums = defaultdict(lambda: dict.fromkeys(MEASURES, Decimal(0)))
    queries = {
        "invoices": "SELECT cur.code, SUM(i.total) AS amount FROM tblinvoices i JOIN tblclients c ON c.id = i.userid "
                    "JOIN tblcurrencies cur ON cur.id = c.currency WHERE i.status <> 'Draft' GROUP BY cur.code",
        "payments": "SELECT cur.code, SUM(a.amountin - a.amountout) AS amount FROM tblaccounts a "
                    "JOIN tblclients c ON c.id = a.userid JOIN tblcurrencies cur ON cur.id = c.currency "
                    "GROUP BY cur.code",
        "credit": "SELECT cur.code, SUM(c.credit) AS amount FROM tblclients c "
                  "JOIN tblcurrencies cur ON cur.id = c.currency GROUP BY cur.code",
    }
    for measure, sql in queries.items():
        for row in source.rows(sql):
            sums[row["code"].strip().upper()][measure] += row["amount"] or Decimal(0)
    return sums


def _mapped(model, source: str):
    return ImportMap.__table__.join(model.__table__, and_(ImportMap.target_id == model.id,
                                                          ImportMap.source == source))


def mpanel_sums(session) -> dict:
    from mpanel_billing.models import Account, Invoice, Payment

    sums = defaultdict(lambda: dict.fromkeys(MEASURES, Decimal(0)))
    rows = {
        "invoices": select(Invoice.currency, func.sum(Invoice.total)).select_from(_mapped(Invoice, "tblinvoices"))
        .group_by(Invoice.currency),
        "payments": select(Payment.currency, func.sum(case((Payment.kind == "refund", -Payment.amount),
                                                           else_=Payment.amount)))
        .select_from(_mapped(Payment, "tblaccounts")).group_by(Payment.currency),
        "credit": select(Account.currency, func.sum(Account.credit)).where(Account.customer_id.in_(
            select(ImportMap.target_id).where(ImportMap.source == "tblclients"))).group_by(Account.currency),
    }
    for measure, query in rows.items():
        for currency, amount in session.execute(query).all():
            sums[currency][measure] += amount or Decimal(0)
    return sums


def reconcile(ctx) -> None:
    """Fill the report's reconciliation and its differences."""
    from mpanel.core.money import CurrencyError, quantize

    def exact(amount, currency):
        try:
            return quantize(amount, currency)
        except CurrencyError:  # a WHMCS code that is not ISO 4217: compared as WHMCS stores it
            return amount

    theirs, ours = whmcs_sums(ctx.source), mpanel_sums(ctx.session)
    for currency in sorted(set(theirs) | set(ours)):
        entry = {}
        for measure in MEASURES:
            a = exact(theirs[currency][measure], currency) if currency in theirs else Decimal(0)
            b = exact(ours[currency][measure], currency) if currency in ours else Decimal(0)
            entry[measure] = {"whmcs": money_text(a), "mpanel": money_text(b)}
            if a != b:
                ctx.report.differences.append({"currency": currency, "measure": measure, "whmcs": money_text(a),
                                               "mpanel": money_text(b), "difference": money_text(b - a)})
        ctx.report.reconciliation[currency] = entry
