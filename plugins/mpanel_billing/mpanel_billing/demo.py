"""Demo data for ``make run``: the seller's details and bank account, and an open
invoice for each demo customer (so the client area shows "Pay now" and the bank
transfer reference). Idempotent: nothing is added once the tenant has invoices."""

from __future__ import annotations

from sqlalchemy import select

from mpanel.core.settings import set_settings

from . import invoices
from .models.invoice import Invoice

SELLER = {"seller_street": "Demo Street 1", "seller_city": "Berlin", "seller_postcode": "10115",
          "seller_email": "billing@{slug}.example", "bank_name": "Demo Bank (not a real account)",
          "bank_iban": "DE89370400440532013000", "bank_bic": "COBADEFFXXX",
          "send_invoice_mail": False}  # make run has no mail server


def seed(session, tenant, customers) -> None:
    if session.scalar(select(Invoice.id).limit(1)) is not None:
        return
    seller = {key: value.format(slug=tenant.slug) if isinstance(value, str) else value
              for key, value in SELLER.items()}
    vat_id = "DE123456788" if tenant.country == "DE" else f"{tenant.country}DEMO"  # invoices need one
    set_settings(session, "billing", {**seller, "seller_name": tenant.name, "seller_vat_id": vat_id})
    for customer in customers:
        draft = invoices.create_draft(session, customer, notes="Demo invoice")
        invoices.add_line(session, draft, "Web hosting S (demo), first month", 1, "9.90")
        invoices.add_line(session, draft, "Setup (demo)", 1, "5.00")
        session.flush()
        invoices.issue(session, draft)
