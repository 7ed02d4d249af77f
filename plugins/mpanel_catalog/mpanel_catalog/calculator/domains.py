"""Quotes for a domain from the TLD price list."""

from __future__ import annotations

from sqlalchemy import select

from mpanel.core.errors import FieldError
from mpanel.core.money import format_money
from mpanel_catalog.calculator.context import Buyer, apply_group_discount
from mpanel_catalog.calculator.lines import LineBuilder, Quote
from mpanel_catalog.calculator.products import whole
from mpanel_catalog.constants import MAX_DOMAIN_YEARS, TLD_ACTIONS
from mpanel_catalog.i18n import gettext as _
from mpanel_catalog.models import Tld, TldFees, TldPrice

LATE_FEES = {"grace": "grace_fee", "redemption": "redemption_fee"}


def find_tld(session, name: str) -> Tld:
    """The tenant's TLD by name ("com", ".com", "CO.UK"); FieldError("tld") if it is not in the list."""
    cleaned = (name or "").strip().lower().removeprefix(".")
    tld = session.scalar(select(Tld).where(Tld.name == cleaned))
    if tld is None:
        raise FieldError("tld", _(".%(tld)s is not in the price list", tld=cleaned))
    return tld


def quote_domain(session, tld: str, action: str, years: int = 1, *, customer=None, currency: str | None = None,
                 id_protection: bool = False, dns_management: bool = False, late: str | None = None) -> Quote:
    """Price registering, transferring or renewing a domain for ``years``.

    The ICANN fee (per domain-year) is its own line and no discount touches it.
    ``late``: "grace" or "redemption" adds that fee to a renewal.
    """
    buyer = Buyer.of(session, customer, currency)
    found = find_tld(session, tld)
    if action not in TLD_ACTIONS:
        raise FieldError("action", _("Use one of %(actions)s", actions=", ".join(TLD_ACTIONS)))
    years = whole(years, "years", minimum=1)
    if years > MAX_DOMAIN_YEARS:
        raise FieldError("years", _("At most %(years)s years", years=MAX_DOMAIN_YEARS))
    if found.hidden and action != "renew":
        raise FieldError("tld", _(".%(tld)s is not offered", tld=found.name))
    if late is not None and (late not in LATE_FEES or action != "renew"):
        raise FieldError("late", _("Late fees (grace, redemption) apply to renewals only"))
    price = session.scalar(select(TldPrice).where(TldPrice.tld_id == found.id, TldPrice.currency == buyer.currency,
                                                  TldPrice.action == action, TldPrice.years == years))
    if price is None:
        raise FieldError("years", _(".%(tld)s: %(action)s for %(years)s years is not offered in %(currency)s",
                                    tld=found.name, action=action, years=years, currency=buyer.currency))
    fees = session.scalar(select(TldFees).where(TldFees.tld_id == found.id, TldFees.currency == buyer.currency))
    lines = LineBuilder(buyer.currency)
    recurring = action == "renew"

    def per_year(kind, description, amount):
        reason = _("%(price)s per year × %(years)s", price=format_money(amount, buyer.currency), years=years)
        lines.charge(kind, description, amount, years, reason, recurring)

    lines.charge("domain", _(".%(tld)s %(action)s, %(years)s years", tld=found.name, action=action, years=years),
                 price.price, 1, _("price list"), recurring)
    icann = found.icann_fee(fees)
    if icann:
        per_year("icann_fee", _("ICANN fee"), icann)
    for wanted, kind, description in ((id_protection, "id_protection", _("ID protection")),
                                      (dns_management, "dns_management", _("DNS management"))):
        if wanted:
            if fees is None:
                raise FieldError(kind, _("Not offered in %(currency)s", currency=buyer.currency))
            per_year(kind, description, getattr(fees, kind))
    if late:
        amount = getattr(fees, LATE_FEES[late]) if fees else 0
        lines.charge(LATE_FEES[late], _("Late renewal fee (%(period)s)", period=late), amount, 1, _("price list"),
                     False)
    apply_group_discount(lines, buyer)
    details = {"tld": found.name, "action": action, "years": years, "epp_code_required": found.epp_code_required,
               "registrar": found.registrar}
    return Quote(buyer.currency, tuple(lines.lines), buyer.prices_include_tax, buyer.tax_exempt, details=details)
