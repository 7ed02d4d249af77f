"""Client area: a contact's invoices, one invoice, its PDF, the credit balance.

The kernel scopes these requests to the signed-in contact's customer (ORM
criteria and row-level security), so another customer's invoice is simply not
found. Contacts need the "billing" permission.
"""

from __future__ import annotations

from flask import Blueprint, abort
from flask_babel import get_locale
from sqlalchemy import select

from mpanel.extensions import db
from mpanel.web.client import client_page, render_client

from .api.invoices import pdf_response
from .i18n import money
from .models.invoice import DRAFT, Invoice
from .models.ledger import Account

blueprint = Blueprint("billing_client", __name__, url_prefix="/client/billing")


def _money(amount, currency: str) -> str:
    return money(amount, currency, str(get_locale() or "en"))


def _visible(pk: int) -> Invoice:
    invoice = db.session.get(Invoice, pk)
    if invoice is None or invoice.status == DRAFT:
        abort(404)
    return invoice


@blueprint.route("/")
@client_page("billing")
def invoices():
    rows = db.session.scalars(select(Invoice).where(Invoice.status != DRAFT).order_by(Invoice.id.desc())).all()
    accounts = db.session.scalars(select(Account).where(Account.credit > 0)).all()
    return render_client("billing/client/invoices.html", invoices=rows, accounts=accounts, money=_money)


@blueprint.route("/<int:pk>")
@client_page("billing")
def invoice(pk: int):
    return render_client("billing/client/invoice.html", invoice=_visible(pk), money=_money)


@blueprint.route("/<int:pk>/pdf")
@client_page("billing")
def pdf(pk: int):
    response = pdf_response(_visible(pk))
    db.session.commit()  # the PDF, if it was rendered just now
    return response
