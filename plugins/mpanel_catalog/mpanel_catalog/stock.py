"""Stock of stock-controlled products, changed atomically at checkout and cancellation."""

from sqlalchemy import update

from mpanel.core.errors import FieldError
from mpanel_catalog.i18n import gettext as _
from mpanel_catalog.models import Product


def take_stock(session, product_id: int, quantity: int) -> None:
    """Take ``quantity`` units in the caller's transaction; FieldError("quantity") if there are not enough.

    One conditional UPDATE, so two checkouts can never sell the same last unit.
    """
    product = session.get(Product, product_id)
    if product is None:
        raise FieldError("product", _("Unknown product"))
    if not product.stock_control:
        return
    taken = session.execute(
        update(Product).where(Product.id == product_id, Product.stock_quantity >= quantity)
        .values(stock_quantity=Product.stock_quantity - quantity).execution_options(synchronize_session="fetch"))
    if taken.rowcount == 0:
        raise FieldError("quantity", _("Only %(count)s of %(product)s left in stock", count=product.stock_quantity,
                                       product=product.name))


def return_stock(session, product_id: int, quantity: int) -> None:
    """Put units back (a cancelled order)."""
    session.execute(update(Product).where(Product.id == product_id, Product.stock_control.is_(True))
                    .values(stock_quantity=Product.stock_quantity + quantity)
                    .execution_options(synchronize_session="fetch"))
