"""Domains sell through billing's order-line contract: the registry is asked
before the order's unit of work opens, never inside it."""

import pytest
from mpanel_domains import service

from mpanel.core.tenancy import tenant_scope
from mpanel.core.unit_of_work import NetworkInUnitOfWork, unit_of_work
from mpanel.extensions import db


def test_the_registry_is_never_asked_inside_a_unit_of_work(app, tenant):
    with app.app_context(), tenant_scope(tenant.id):
        service.confirm_orderable(db.session, "free-name.com", "registrar_demo")  # before: allowed
        with pytest.raises(NetworkInUnitOfWork), unit_of_work(db.session, "order.place"):
            service.confirm_orderable(db.session, "free-name.com", "registrar_demo")
        db.session.rollback()


def test_checkout_asks_the_registry_first_then_writes_the_order(client, shop, monkeypatch):
    from mpanel_billing.models import Order
    from mpanel_billing.orders.checkout import checkout
    from sqlalchemy import func, select

    from mpanel.modules.customers.models import Customer

    asked = []
    original = service.confirm_orderable

    def confirm(session, *args, **kwargs):
        asked.append(session.scalar(select(func.count(Order.id))))  # nothing written yet
        return original(session, *args, **kwargs)

    monkeypatch.setattr(service, "confirm_orderable", confirm)
    customer_id = shop.customer(phone="+49.301234567")
    order_id = shop.run(lambda s: checkout(s, s.get(Customer, customer_id), [{"domain": "first-ask.com"}]).id)
    assert asked == [0] and order_id
