"""Demo catalogue for ``make run``: two hosting plans and three TLDs, priced in
the tenant's currency; idempotent."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from mpanel_catalog.models import Price, Product, ProductGroup, Tld, TldPrice

PLANS = [("Starter", "shared_hosting", Decimal("4.99"), Decimal("49.90")),
         ("Business VPS", "vps", Decimal("19.00"), Decimal("190.00"))]
TLDS = [("com", "gtld", Decimal("12.99")), ("net", "gtld", Decimal("14.99")), ("de", "cctld", Decimal("7.99"))]


def seed(session, currency: str, registrar: str | None) -> None:
    if session.scalar(select(ProductGroup.id).where(ProductGroup.slug == "hosting")) is not None:
        return
    group = ProductGroup(name="Web hosting", slug="hosting", description="Hosting plans for every size.")
    session.add(group)
    for name, kind, monthly, yearly in PLANS:
        product = Product(group=group, name=name, type=kind, description=f"The {name} plan.")
        session.add(product)
        product.prices = [Price(currency=currency, cycle="monthly", price=monthly, setup_fee=Decimal("0")),
                          Price(currency=currency, cycle="annually", price=yearly, setup_fee=Decimal("0"))]
    for name, kind, price in TLDS:
        tld = Tld(name=name, kind=kind, registrar=registrar, epp_code_required=True)
        session.add(tld)
        tld.prices = [TldPrice(currency=currency, action=action, years=1, price=price)
                      for action in ("register", "transfer", "renew")]
