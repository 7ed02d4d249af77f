"""Cancelling the invoice of an unpaid order gives back what the order took: its
pending services are cancelled, its coupon use and its stock are released, once."""

from mpanel_billing import invoices
from mpanel_billing.models import Invoice, Order, Service
from mpanel_billing.orders.checkout import checkout
from mpanel_billing.testing import D
from mpanel_catalog.models import Coupon, CouponRedemption, Price, Product, ProductGroup
from sqlalchemy import func, select

from mpanel.modules.customers.models import Customer


def test_cancelling_an_unpaid_orders_invoice_releases_services_coupon_and_stock_once(billing):
    def make(session):
        group = ProductGroup(name="Hosting", slug="hosting")
        session.add(group)
        session.flush()
        product = Product(group_id=group.id, type="shared_hosting", name="Web S", allow_multiple=True,
                          stock_control=True, stock_quantity=5)
        session.add(product)
        session.flush()
        session.add_all([Price(product_id=product.id, currency="EUR", cycle="monthly", price=D("10.00"),
                               setup_fee=D(0)),
                         Coupon(code="HALF", kind="percent", value=D(50), duration="once", max_uses=1)])
        return product.id

    product_id = billing.run(make)
    customer_id = billing.customer()

    def order(session):
        placed = checkout(session, session.get(Customer, customer_id),
                          [{"product": product_id, "cycle": "monthly"}, {"product": product_id, "cycle": "monthly"}],
                          coupon="HALF")
        return placed.id, placed.invoice_id

    order_id, invoice_id = billing.run(order)

    def state(session):
        statuses = sorted(session.scalars(select(Service.status)).all())
        coupon = session.scalar(select(Coupon).where(Coupon.code == "HALF"))
        redemptions = session.scalar(select(func.count(CouponRedemption.id)))
        return statuses, coupon.uses, redemptions, session.get(Product, product_id).stock_quantity

    assert billing.run(state) == (["pending", "pending"], 1, 1, 3)
    for _ in range(2):  # a second cancellation is refused and changes nothing
        try:
            billing.run(lambda s: invoices.cancel(s, s.get(Invoice, invoice_id), "Customer changed their mind"))
        except ValueError:
            pass
        assert billing.run(state) == (["cancelled", "cancelled"], 0, 0, 5)
    assert billing.load(invoice_id, lambda i: i.status) == "cancelled"
    assert billing.run(lambda s: s.get(Order, order_id).coupon) == "HALF"
