"""Who is buying, in which currency, and the adjustments every quote shares."""

from __future__ import annotations

from dataclasses import dataclass

from mpanel.core.errors import FieldError
from mpanel.core.money import CurrencyError, format_money, format_number, validate_currency
from mpanel.core.tenancy import require_tenant_id
from mpanel.modules.tenants.models import Tenant
from mpanel_catalog import coupons as coupon_rules
from mpanel_catalog.calculator.lines import LineBuilder
from mpanel_catalog.constants import CYCLES
from mpanel_catalog.i18n import gettext as _
from mpanel_catalog.models import Coupon, CustomerGroup
from mpanel_catalog.settings import prices_include_tax


@dataclass(frozen=True)
class Buyer:
    customer: object | None  # the kernel's Customer, or None for a visitor
    currency: str
    group: CustomerGroup | None
    tax_exempt: bool
    prices_include_tax: bool

    @classmethod
    def of(cls, session, customer=None, currency: str | None = None) -> Buyer:
        if currency is None:
            currency = customer.currency if customer is not None else \
                session.get(Tenant, require_tenant_id()).default_currency
        try:
            currency = validate_currency(currency)
        except CurrencyError as exc:
            raise FieldError("currency", str(exc)) from None
        return cls(customer, currency, CustomerGroup.of(session, customer.id if customer is not None else None),
                   bool(customer is not None and customer.tax_exempt), prices_include_tax(session))


def cycle_label(cycle: str) -> str:
    return {"onetime": _("one-time"), "monthly": _("monthly"), "quarterly": _("quarterly"),
            "semiannually": _("semi-annually"), "annually": _("annually"), "biennially": _("biennially"),
            "triennially": _("triennially")}[cycle]


def check_cycle(cycle: str) -> str:
    if cycle not in CYCLES:
        raise FieldError("cycle", _("%(cycle)s is not a billing cycle; use one of %(cycles)s", cycle=cycle,
                                    cycles=", ".join(CYCLES)))
    return cycle


def apply_group_discount(lines: LineBuilder, buyer: Buyer) -> None:
    """The customer group's percentage off every charge line (ICANN fees are passed through)."""
    group = buyer.group
    if group is None or not group.discount_percent:
        return
    reason = _("Customer group %(group)s: %(percent)s %% off", group=group.name,
               percent=format_number(group.discount_percent))
    for index in lines.charges():
        if lines.lines[index].kind != "icann_fee":
            lines.discount(index, lines.remaining(index) * group.discount_percent / 100, "group_discount",
                           _("Customer group discount"), reason, recurring=True)


def find_coupons(session, codes, buyer: Buyer, product, cycle, renewal: int, now, new_customer) -> list[Coupon]:
    """The coupons that reduce this period. A new order refuses any coupon that may not be used; a
    renewal keeps those still in their duration and scope (the service may have changed since)."""
    found = [coupon_rules.find(session, code) for code in (codes or ()) if code and code.strip()]
    if len({c.id for c in found}) != len(found):
        raise coupon_rules.CouponError(_("A coupon was given twice"))
    if renewal:
        return [c for c in found if coupon_rules.applies_in(c, renewal)
                and coupon_rules.scope_problem(c, product, cycle, buyer.currency) is None]
    for coupon in found:
        if len(found) > 1 and not coupon.stackable:
            raise coupon_rules.CouponError(_("Coupon %(code)s cannot be combined with other coupons",
                                             code=coupon.code))
        if problem := coupon_rules.scope_problem(coupon, product, cycle, buyer.currency):
            raise coupon_rules.CouponError(problem)
        coupon_rules.check_usable(session, coupon, buyer.customer, now, new_customer)
    return found


def apply_coupons(lines: LineBuilder, coupons, prices: list[int], setups: list[int], units: int,
                  renewal: int) -> None:
    """Reduce the product's price lines (``prices``) or its setup lines (``setups``), in order.

    percent: that share of each price line; fixed: ``value`` per unit across the
    price lines; override: the main price line (the first) down to ``value`` per
    unit; free_setup: the setup lines entirely.
    """
    for coupon in coupons:
        recurring = coupon_rules.applies_in(coupon, renewal + 1)
        value = coupon.value

        def take(index, wanted, reason, coupon=coupon, recurring=recurring):
            return lines.discount(index, wanted, "coupon", _("Coupon %(code)s", code=coupon.code), reason,
                                  recurring, coupon.code)

        if coupon.kind == "percent":
            reason = _("%(percent)s %% off", percent=format_number(value))
            for index in prices:
                take(index, lines.remaining(index) * value / 100, reason)
        elif coupon.kind == "fixed":
            budget = value * units
            reason = _("%(amount)s off per unit", amount=format_money(value, coupon.currency))
            for index in prices:
                budget -= take(index, min(budget, lines.remaining(index)), reason)
        elif coupon.kind == "override":
            main = prices[0]
            reason = _("price set to %(amount)s per unit", amount=format_money(value, coupon.currency))
            take(main, lines.remaining(main) - value * units, reason)
        else:
            for index in setups:
                take(index, lines.remaining(index), _("no setup fee"))
