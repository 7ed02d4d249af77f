"""What a service's period costs: its locked price, less a coupon while it lasts."""

from __future__ import annotations

from decimal import Decimal

from ..models.tax import TAX_CLASSES


def tax_class(value: str | None) -> str:
    """The catalogue's tax class as billing knows it (anything else is standard)."""
    return value if value in TAX_CLASSES else "standard"


def coupon_discount(session, service, customer, index: int) -> Decimal:
    """The coupon's discount on period ``index`` of the service, from the catalogue's
    calculator (``renewal=index``): zero once the coupon's duration is over."""
    if not service.coupon or index == 0:
        return Decimal(0)
    from mpanel_catalog.calculator import quote_product

    from mpanel.core.errors import FieldError

    try:
        quote = quote_product(session, service.product_id, service.cycle, customer=customer,
                              currency=service.currency, options=service.options or None,
                              addons=service.addons or None, coupons=[service.coupon], renewal=index)
    except FieldError:  # the coupon or product is gone: the locked price stands
        return Decimal(0)
    return min(-sum((line.amount for line in quote.lines if line.coupon == service.coupon), Decimal(0)),
               service.recurring_amount)
