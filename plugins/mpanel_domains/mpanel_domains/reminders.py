"""Expiry reminder mails: on ``domain_expiring`` the domain's customer gets a mail
in their language. Before expiry it gives the renewal price for a year and, with
auto-renew on, the renewal invoice (its number once issued); after expiry the
late price (renewal plus grace fee) or, in redemption, the restore price
(renewal plus redemption fee), and how to renew.

Texts are ``templates/domains/mail/<template>.txt`` (first line: the subject),
rendered in the mail sandbox with this plugin's gettext. Prices come from the
catalogue, formatted for the customer's currency and locale. The outbox dedupe
key (domain, expiry date, reminder) sends each reminder once.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from babel.dates import format_date
from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.orm import object_session

from mpanel.core import mail
from mpanel.core.money import format_money
from mpanel.core.plugins.engine import active_plugin_names
from mpanel_domains.constants import REGISTERED
from mpanel_domains.i18n import gettext
from mpanel_domains.models import Domain, DomainRenewal
from mpanel_domains.signals import domain_expiring

TEMPLATES = Path(__file__).parent / "templates" / "domains" / "mail"
LATE_FEES = {"expiring": None, "expired": "grace", "redemption": "redemption"}  # template -> late fee priced


def renewal_price(session, domain: Domain, late: str | None, code: str) -> str | None:
    """The customer's price to renew ``domain`` for a year (with the late fee), e.g.
    "€20.20 plus tax" in locale ``code``; None without a catalogue price."""
    if "catalog" not in active_plugin_names(session):
        return None
    from mpanel_catalog.calculator import quote_domain

    try:
        quote = quote_domain(session, domain.tld, "renew", 1, customer=domain.customer, late=late)
    except ValueError:  # not in the price list
        return None
    amount = format_money(quote.total, quote.currency, code)
    return amount if quote.prices_include_tax or quote.tax_exempt else gettext("%(amount)s plus tax", amount=amount)


def renewal_invoice(session, domain: Domain, expires_at: dt.date) -> str | None:
    """The number of the renewal (or restore) invoice billed for this expiry and not cancelled."""
    if "billing" not in active_plugin_names(session):
        return None
    from mpanel_billing.models import Invoice

    invoice_id = session.scalar(select(DomainRenewal.invoice_id).where(
        DomainRenewal.domain_id == domain.id, DomainRenewal.expires_at == expires_at,
        DomainRenewal.cancelled_at.is_(None), DomainRenewal.invoice_id.is_not(None))
        .order_by(DomainRenewal.id.desc()).limit(1))
    invoice = session.get(Invoice, invoice_id) if invoice_id else None
    return invoice.display_number if invoice is not None and invoice.number else None


def send_reminder(session, domain: Domain, kind: str, expires_at: dt.date) -> bool:
    """Queue the reminder ``kind`` ("expiring_30", ..., "expired", "redemption")
    for the customer of ``domain``; False when there is none to send."""
    template = "expiring" if kind.startswith("expiring_") else kind
    customer = domain.customer
    if template not in LATE_FEES or domain.status not in REGISTERED or not customer.email:
        return False
    code = customer.language or "en"
    with force_locale(code):
        values = {"_": gettext, "name": customer.display_name, "domain": domain.display_name,
                  "date": format_date(expires_at, format="long", locale=code), "auto_renew": domain.auto_renew,
                  "price": renewal_price(session, domain, LATE_FEES[template], code),
                  "invoice": renewal_invoice(session, domain, expires_at)}
        source = (TEMPLATES / f"{template}.txt").read_text()
        subject, _, body = mail.render(source, values, html=False).strip().partition("\n")
    mail.enqueue(session, customer.email, subject.strip(), body.strip() + "\n",
                 dedupe_key=f"domains:reminder:{domain.id}:{expires_at.isoformat()}:{kind}")
    return True


@domain_expiring.connect
def _expiring(domain, expires_at=None, kind="", **kwargs):
    send_reminder(object_session(domain), domain, kind, expires_at or domain.expires_at)
