"""What customers see of the catalogue: visible groups and products in their
language, with list prices in their currency (client pages and client API)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from mpanel.api.fields import money_json as _money
from mpanel.core.money import validate_currency
from mpanel_catalog.calculator.context import cycle_label
from mpanel_catalog.calculator.products import price_table
from mpanel_catalog.constants import CYCLES
from mpanel_catalog.models import Option, OptionGroup, Price, Product, ProductGroup


def listed(product: Product) -> bool:
    return not (product.hidden or product.retired)


def groups(session, currency: str, locale: str | None, slug: str | None = None) -> list[dict]:
    """Visible groups (or the one with ``slug``) with their listed products and "from" prices."""
    currency = validate_currency(currency)
    query = (select(ProductGroup).where(ProductGroup.hidden.is_(False))
             .order_by(ProductGroup.sort_order, ProductGroup.id)
             .options(selectinload(ProductGroup.products).selectinload(Product.translations)))
    if slug is not None:
        query = query.where(ProductGroup.slug == slug)
    found = session.scalars(query).all()
    products = [p for group in found for p in group.products if listed(p)]
    lowest = {}
    if products:
        rows = session.scalars(select(Price).where(Price.currency == currency,
                                                   Price.product_id.in_([p.id for p in products])))
        for row in rows:
            lowest[row.product_id] = min(row.price, lowest.get(row.product_id, row.price))
    return [{
        "id": group.id, "name": group.name, "slug": group.slug, "description": group.description,
        "products": [{**_summary(p, locale), "from_price": _money(lowest[p.id], currency)}
                     for p in group.products if listed(p) and p.id in lowest],
    } for group in found]


def _summary(product: Product, locale: str | None) -> dict:
    name, description = product.localized(locale)
    return {"id": product.id, "name": name, "description": description, "type": product.type}


def product(session, product_id: int) -> Product | None:
    """A product customers may order: listed, or hidden but reached by its link; never retired."""
    tree = selectinload(Product.option_groups).selectinload(OptionGroup.options).selectinload(Option.choices)
    found = session.get(Product, product_id, options=[tree, selectinload(Product.addons)])
    return None if found is None or found.retired else found


def product_detail(session, item: Product, currency: str, locale: str | None) -> dict:
    """The product with its offered cycles, visible options and add-ons, all priced in ``currency``."""
    currency = validate_currency(currency)
    options = [o for group in item.option_groups for o in group.options if not o.hidden]
    choices = [c for o in options for c in o.choices if not c.hidden]
    addons = [a for a in item.addons if not a.hidden]
    table = price_table(session, currency, item, choices, addons)

    def cycles(kind, owner_id):
        return [{"cycle": c, "label": cycle_label(c), "price": _money(row.price, currency),
                 "setup_fee": _money(row.setup_fee, currency)}
                for c in CYCLES if (row := table.get((kind, owner_id, c))) is not None]

    return {
        **_summary(item, locale), "currency": currency, "group": item.group.slug,
        "allow_multiple": item.allow_multiple, "trial_days": item.trial_days,
        "cycles": cycles("product", item.id),
        "options": [{
            "id": o.id, "name": o.name, "kind": o.kind, "min_quantity": o.min_quantity,
            "max_quantity": o.max_quantity, "step": o.step,
            "choices": [{"id": c.id, "name": c.name, "cycles": cycles("option_choice", c.id)}
                        for c in o.choices if not c.hidden],
        } for o in options],
        "addons": [{"id": a.id, "name": a.name, "description": a.description, "cycles": cycles("addon", a.id)}
                   for a in addons],
    }
