"""Quotes for a product (with its options and add-ons) and for a bundle."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from mpanel.core.errors import FieldError
from mpanel.core.money import format_money
from mpanel.web.routing import MAX_ID
from mpanel_catalog.calculator.context import (
    Buyer,
    apply_coupons,
    apply_group_discount,
    check_cycle,
    cycle_label,
    find_coupons,
)
from mpanel_catalog.calculator.lines import LineBuilder, Quote
from mpanel_catalog.i18n import gettext as _
from mpanel_catalog.models import Bundle, Option, OptionChoice, OptionGroup, Price, Product

_YES, _NO = {"1", "true", "yes", "on"}, {"0", "false", "no", "off", ""}


def quote_product(session, product_id: int, cycle: str, *, customer=None, currency: str | None = None,
                  options: Mapping | None = None, addons: Mapping | Iterable | None = None,
                  coupons: Iterable[str] = (), quantity: int = 1, renewal: int = 0, locale: str | None = None,
                  new_customer: bool | None = None, now: dt.datetime | None = None) -> Quote:
    """Price ``quantity`` units of a product in a billing cycle for a customer (or a visitor).

    ``options``: {option id: choice id | True/False (yes/no) | units (quantity)};
    options left out take their default (first choice, "no", the minimum).
    ``addons``: add-on ids, or {add-on id: cycle or None for the product's cycle}.
    ``coupons``: codes. ``renewal``: 0 prices a new order (availability and
    coupon limits are checked, setup fees charged); n >= 1 prices the n-th
    renewal of an existing service, with the add-ons due in that period.
    Raises FieldError naming the bad input.
    """
    buyer = Buyer.of(session, customer, currency)
    check_cycle(cycle)
    product = _product(session, product_id)
    quantity = whole(quantity, "quantity", minimum=1)
    renewal = whole(renewal, "renewal", minimum=0)
    if renewal == 0:
        check_orderable(product, quantity)
    chosen_options = _options(product, options, renewal)
    chosen_addons = _addons(product, addons, cycle, renewal)
    table = price_table(session, buyer.currency, product, [c for _o, c, _u in chosen_options],
                         [a for a, _c in chosen_addons])
    base = table.get(("product", product.id, cycle))
    if base is None:
        raise FieldError("cycle", _("%(product)s is not offered %(cycle)s in %(currency)s", product=product.name,
                                    cycle=cycle_label(cycle), currency=buyer.currency))
    lines = LineBuilder(buyer.currency)
    name = product.localized(locale)[0]
    recurring = cycle != "onetime"
    tax_class = product.tax_class

    def charge(kind, description, unit, units, recurring=recurring, tax_class=tax_class):
        reason = _("%(price)s × %(units)s", price=format_money(unit, buyer.currency), units=units)
        return lines.charge(kind, description, unit, units, reason, recurring, tax_class)

    prices = [charge("price", f"{name} ({cycle_label(cycle)})", base.price, quantity)]
    setups = [charge("setup", _("Setup: %(name)s", name=name), base.setup_fee, quantity, False)] \
        if renewal == 0 and base.setup_fee else []
    for option, choice, units in chosen_options:
        row = table.get(("option_choice", choice.id, cycle))
        label = f"{option.name}: {choice.name}"
        prices.append(charge("option", label, row.price if row else Decimal(0), units * quantity))
        if renewal == 0 and row and row.setup_fee:
            setups.append(charge("option_setup", _("Setup: %(name)s", name=label), row.setup_fee, units * quantity,
                                 False))
    for addon, addon_cycle in chosen_addons:
        row = table.get(("addon", addon.id, addon_cycle))
        if row is None:
            raise FieldError("addons", _("%(addon)s is not offered %(cycle)s in %(currency)s", addon=addon.name,
                                         cycle=cycle_label(addon_cycle), currency=buyer.currency))
        label = f"{addon.name} ({cycle_label(addon_cycle)})"
        charge("addon", label, row.price, quantity, addon_cycle != "onetime", addon.tax_class)
        if renewal == 0 and row.setup_fee:
            charge("addon_setup", _("Setup: %(name)s", name=label), row.setup_fee, quantity, False, addon.tax_class)
    apply_group_discount(lines, buyer)
    found = find_coupons(session, coupons, buyer, product, cycle, renewal, now, new_customer)
    apply_coupons(lines, found, prices, setups, quantity, renewal)
    return Quote(buyer.currency, tuple(lines.lines), buyer.prices_include_tax, buyer.tax_exempt, cycle, quantity,
                 product.trial_days if renewal == 0 else None, tuple(c.code for c in found))


def quote_bundle(session, bundle_id: int, cycle: str, *, customer=None, currency: str | None = None,
                 coupons: Iterable[str] = (), renewal: int = 0, new_customer: bool | None = None,
                 now: dt.datetime | None = None) -> Quote:
    """Price a bundle: its own price and setup fee replace those of its products.

    Only coupons without a product restriction apply. ``details["items"]`` lists
    the products (with cycle and quantity) an order of the bundle consists of.
    """
    buyer = Buyer.of(session, customer, currency)
    check_cycle(cycle)
    renewal = whole(renewal, "renewal", minimum=0)
    bundle = session.get(Bundle, whole(bundle_id, "bundle"))
    if bundle is None:
        raise FieldError("bundle", _("Unknown bundle"))
    if renewal == 0:
        for item in bundle.items:
            check_orderable(item.product, item.quantity)
    row = session.scalar(select(Price).where(Price.bundle_id == bundle.id, Price.currency == buyer.currency,
                                             Price.cycle == cycle))
    if row is None:
        raise FieldError("cycle", _("%(product)s is not offered %(cycle)s in %(currency)s", product=bundle.name,
                                    cycle=cycle_label(cycle), currency=buyer.currency))
    lines = LineBuilder(buyer.currency)
    reason = _("bundle price")
    prices = [lines.charge("bundle", f"{bundle.name} ({cycle_label(cycle)})", row.price, 1, reason,
                           cycle != "onetime", bundle.tax_class)]
    setups = [lines.charge("bundle_setup", _("Setup: %(name)s", name=bundle.name), row.setup_fee, 1, reason, False,
                           bundle.tax_class)] if renewal == 0 and row.setup_fee else []
    apply_group_discount(lines, buyer)
    found = find_coupons(session, coupons, buyer, None, cycle, renewal, now, new_customer)
    apply_coupons(lines, found, prices, setups, 1, renewal)
    items = [{"product": i.product_id, "cycle": i.cycle, "quantity": i.quantity} for i in bundle.items]
    return Quote(buyer.currency, tuple(lines.lines), buyer.prices_include_tax, buyer.tax_exempt, cycle, 1,
                 coupons=tuple(c.code for c in found), details={"items": items})


def check_orderable(product: Product, quantity: int) -> None:
    """New orders only: not retired, quantity allowed and in stock."""
    if product.retired:
        raise FieldError("product", _("%(product)s is no longer offered", product=product.name))
    if quantity > 1 and not product.allow_multiple:
        raise FieldError("quantity", _("%(product)s can be ordered once per order", product=product.name))
    if product.stock_control and product.stock_quantity < quantity:
        raise FieldError("quantity", _("Only %(count)s of %(product)s left in stock", count=product.stock_quantity,
                                       product=product.name))


def whole(value, field: str, minimum: int | None = None) -> int:
    """An int, or a string of digits (query strings); anything else names ``field``."""
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and re.fullmatch(r"\s*-?\d+\s*", value):
        number = int(value)
    else:
        raise FieldError(field, _("Must be a whole number"))
    if minimum is not None and number < minimum:
        raise FieldError(field, _("Must be at least %(minimum)s", minimum=minimum))
    if abs(number) > MAX_ID:  # ids and counts are PostgreSQL integers
        raise FieldError(field, _("Must be at most %(maximum)s", maximum=MAX_ID))
    return number


def _product(session, product_id) -> Product:
    tree = selectinload(Product.option_groups).selectinload(OptionGroup.options).selectinload(Option.choices)
    product = session.get(Product, whole(product_id, "product"),
                          options=[tree, selectinload(Product.addons), selectinload(Product.translations)])
    if product is None:
        raise FieldError("product", _("Unknown product"))
    return product


def _options(product: Product, given: Mapping | None, renewal: int) -> list[tuple[Option, OptionChoice, int]]:
    """(option, choice, units) for every option of the product that is priced in this order."""
    attached = {option.id: option for group in product.option_groups for option in group.options}
    if given is not None and not isinstance(given, Mapping):
        raise FieldError("options", _("Options are given as {option id: value}"))
    wanted = {whole(key, "options"): value for key, value in (given or {}).items()}
    for option_id in wanted:
        option = attached.get(option_id)
        if option is None or (renewal == 0 and option.hidden):
            raise FieldError("options", _("Option %(option)s is not available for %(product)s", option=option_id,
                                          product=product.name))
    chosen = []
    for option in attached.values():
        if option.hidden and option.id not in wanted:
            continue
        choices = [c for c in option.choices if renewal or not c.hidden]
        picked = _choose(option, choices, wanted.get(option.id))
        if picked is not None:
            chosen.append((option, *picked))
    return chosen


def _choose(option: Option, choices: list[OptionChoice], value) -> tuple[OptionChoice, int] | None:
    if option.kind in ("dropdown", "radio"):
        if value is None:
            return (choices[0], 1) if choices else None
        for choice in choices:
            if str(choice.id) == str(value):
                return choice, 1
        raise FieldError("options", _("Choice %(choice)s is not a choice of %(option)s", choice=value,
                                      option=option.name))
    units = int(_flag(value)) if option.kind == "yesno" else _units(option, value)
    # Yes/no and quantity options carry their price on their one choice.
    return (choices[0], units) if units and choices else None


def _flag(value) -> bool:
    if value is None or isinstance(value, bool):
        return bool(value)
    if str(value).strip().lower() in _YES | _NO:
        return str(value).strip().lower() in _YES
    raise FieldError("options", _("%(value)s is not yes or no", value=value))


def _units(option: Option, value) -> int:
    units = option.min_quantity if value is None else whole(value, "options")
    high, step = option.max_quantity, option.step
    if units < option.min_quantity or (high is not None and units > high) or (units - option.min_quantity) % step:
        limits = f"{option.min_quantity}..{'' if high is None else high}"
        raise FieldError("options", _("%(option)s: %(units)s is not in %(limits)s in steps of %(step)s",
                                      option=option.name, units=units, limits=limits, step=step))
    return units


def _addons(product: Product, given, cycle: str, renewal: int) -> list[tuple]:
    """(add-on, its cycle) for each chosen add-on, in the add-ons' order."""
    items = given.items() if isinstance(given, Mapping) else [(addon_id, None) for addon_id in (given or ())]
    attached = {addon.id: addon for addon in product.addons}
    chosen = {}
    for addon_id, addon_cycle in items:
        addon = attached.get(whole(addon_id, "addons"))
        if addon is None or (renewal == 0 and addon.hidden):
            raise FieldError("addons", _("Add-on %(addon)s is not available for %(product)s", addon=addon_id,
                                         product=product.name))
        try:
            chosen[addon.id] = (addon, check_cycle(addon_cycle or cycle))
        except FieldError as exc:
            raise FieldError("addons", exc.message) from None
    return [chosen[addon.id] for addon in product.addons if addon.id in chosen]


def price_table(session, currency: str, product: Product, choices, addons) -> dict:
    """(owner kind, owner id, cycle) -> Price, for everything this quote may need, in one query."""
    owners = [Price.product_id == product.id]
    if choices:
        owners.append(Price.option_choice_id.in_([c.id for c in choices]))
    if addons:
        owners.append(Price.addon_id.in_([a.id for a in addons]))
    table = {}
    for row in session.scalars(select(Price).where(Price.currency == currency, or_(*owners))):
        kind = "product" if row.product_id else "option_choice" if row.option_choice_id else "addon"
        table[(kind, getattr(row, f"{kind}_id"), row.cycle)] = row
    return table
