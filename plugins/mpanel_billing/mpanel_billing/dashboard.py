"""Billing's staff-dashboard widget: open and overdue receivables per currency,
as of the tenant's date (overdue: an open invoice past its due date)."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from mpanel.core.clock import tenant_today
from mpanel.core.money import format_money
from mpanel.modules.dashboard import Figure, Widget, dashboard_widgets

from .models.invoice import INVOICE, OPEN, Invoice


def receivables(session) -> dict[str, dict]:
    """{currency: {"open": (count, sum due), "overdue": (count, sum due)}} for the tenant in scope."""
    due = Invoice.total - Invoice.amount_paid - Invoice.amount_credited
    overdue = Invoice.due_date < tenant_today(session)
    rows = session.execute(
        select(Invoice.currency, func.count(), func.sum(due),
               func.count().filter(overdue), func.coalesce(func.sum(due).filter(overdue), 0))
        .where(Invoice.kind == INVOICE, Invoice.status.in_(OPEN))
        .group_by(Invoice.currency).order_by(Invoice.currency))
    return {cur: {"open": (n, total), "overdue": (n_over, total_over)}
            for cur, n, total, n_over, total_over in rows}


@dashboard_widgets.connect
def _receivables_widget(sender, session, **kwargs):
    listing = url_for("InvoiceView.list")
    figures = []
    for cur, figs in receivables(session).items():
        figures.append(Figure(_("Unpaid invoices (%(currency)s): %(count)d", currency=cur, count=figs["open"][0]),
                              format_money(figs["open"][1], cur), listing))
        figures.append(Figure(_("Overdue invoices (%(currency)s): %(count)d", currency=cur, count=figs["overdue"][0]),
                              format_money(figs["overdue"][1], cur), listing))
    if not figures:
        figures.append(Figure(_("Unpaid invoices"), "0", listing))
    return Widget(_("Receivables"), figures, order=10)
