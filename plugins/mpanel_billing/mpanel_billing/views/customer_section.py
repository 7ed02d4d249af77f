"""Billing's sections of the staff customer page: balance and credit, invoices,
services, with links to make an invoice or place an order for the customer."""

from __future__ import annotations

from flask import render_template
from markupsafe import Markup
from sqlalchemy import func, select
from sqlalchemy.orm import object_session

from mpanel.core.money import quantize
from mpanel.modules.customers.sections import Section, customer_page

from ..i18n import domain
from ..models.invoice import INVOICE, OPEN, Invoice
from ..models.ledger import Account
from ..services.models import Service


@customer_page.connect
def _billing(customer, **kwargs):
    session = object_session(customer)
    invoices = session.scalars(select(Invoice).where(Invoice.customer_id == customer.id)
                               .order_by(Invoice.id.desc()).limit(25)).all()
    open_rows = session.execute(select(Invoice.currency, func.sum(Invoice.total - Invoice.amount_paid
                                                                  - Invoice.amount_credited))
                                .where(Invoice.customer_id == customer.id, Invoice.kind == INVOICE,
                                       Invoice.status.in_(OPEN)).group_by(Invoice.currency)).all()
    credit = session.execute(select(Account.currency, Account.credit).where(Account.customer_id == customer.id)
                             .order_by(Account.currency)).all()
    services = session.scalars(select(Service).where(Service.customer_id == customer.id)
                               .order_by(Service.id.desc()).limit(50)).all()
    html = render_template("billing/admin/customer_section.html", customer=customer, invoices=invoices,
                           open_due=[(c, quantize(v, c)) for c, v in open_rows], credit=credit, services=services)
    return Section("billing", domain.gettext("Billing"), Markup(html), order=10)  # noqa: S704 (autoescaped template)
