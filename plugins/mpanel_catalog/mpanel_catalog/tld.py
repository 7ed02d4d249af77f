"""Bulk markup of the TLD price list: retail = cost + X % + fixed, up to a price point."""

from __future__ import annotations

from decimal import ROUND_CEILING, Decimal

from sqlalchemy import select

from mpanel.core.errors import FieldError
from mpanel.core.money import CurrencyError, exponent, quantize, to_decimal, validate_currency
from mpanel_catalog.constants import TLD_ACTIONS
from mpanel_catalog.i18n import gettext as _
from mpanel_catalog.models import Tld, TldPrice
from mpanel_catalog.validation import check_amount


def price_point(amount: Decimal, ending: Decimal) -> Decimal:
    """The smallest amount >= ``amount`` ending in ``ending``: (10.20, .99) -> 10.99, (11.00, .99) -> 11.99."""
    return (amount - ending).to_integral_value(rounding=ROUND_CEILING) + ending


def _number(value, field: str) -> Decimal:
    try:
        number = to_decimal("0" if value in (None, "") else value)
        check_amount(number)
    except (TypeError, ValueError) as exc:
        raise FieldError(field, str(exc)) from None
    return number


def apply_markup(session, percent=0, fixed=0, ending=None, currency: str | None = None, tlds=None,
                 actions=None) -> int:
    """Reprice every matching row that has a cost; returns how many rows changed.

    ``fixed`` and ``ending`` (e.g. "0.99") are amounts in ``currency``, which
    they therefore need. ``tlds`` (names) and ``actions`` narrow the rows.
    """
    percent, fixed = _number(percent, "percent"), _number(fixed, "fixed")
    ending = None if ending in (None, "") else _number(ending, "ending")
    query = select(TldPrice).where(TldPrice.cost.is_not(None)).order_by(TldPrice.id)
    if currency:
        try:
            currency = validate_currency(currency)
        except CurrencyError as exc:
            raise FieldError("currency", str(exc)) from None
        query = query.where(TldPrice.currency == currency)
    elif fixed or ending is not None:
        raise FieldError("currency", _("A fixed amount or a price point needs the currency it is in"))
    if ending is not None and (ending >= 1 or -ending.as_tuple().exponent > exponent(currency)):
        raise FieldError("ending", _("Give the fraction a price ends in, within %(currency)s's minor unit",
                                     currency=currency))
    if actions:
        unknown = set(actions) - set(TLD_ACTIONS)
        if unknown:
            raise FieldError("actions", _("Use one of %(actions)s", actions=", ".join(TLD_ACTIONS)))
        query = query.where(TldPrice.action.in_(actions))
    if tlds:
        names = {name.strip().lower().removeprefix(".") for name in tlds}
        known = set(session.scalars(select(Tld.name).where(Tld.name.in_(names))))
        if names - known:
            raise FieldError("tlds", _(".%(tld)s is not in the price list", tld=sorted(names - known)[0]))
        query = query.join(Tld).where(Tld.name.in_(names))
    rows = session.scalars(query).all()
    for row in rows:
        amount = row.cost * (100 + percent) / 100 + fixed
        row.price = quantize(price_point(amount, ending) if ending is not None else amount, row.currency)
    session.flush()
    return len(rows)
