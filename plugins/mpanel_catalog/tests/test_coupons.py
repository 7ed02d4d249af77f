"""Coupon limits, dates, who may use them, and redemption (also under concurrency)."""

import datetime as dt
import threading
from decimal import Decimal as D

import pytest
from mpanel_catalog import coupons
from mpanel_catalog.calculator import quote_product
from mpanel_catalog.models import Coupon, CouponRedemption
from mpanel_catalog.signals import customer_has_ordered
from mpanel_catalog.testing import customer
from sqlalchemy import func, select

from mpanel.core.errors import FieldError
from mpanel.core.tenancy import tenant_scope
from mpanel.extensions import db

NOW = dt.datetime.now(dt.UTC)


def quote(session, shop, code, customer_id=None, **kwargs):
    buyer = customer(session, customer_id) if customer_id else None
    return quote_product(session, shop.ids.web, "monthly", customer=buyer, coupons=[code], **kwargs)


def refused(session, shop, code, customer_id=None, **kwargs) -> str:
    with pytest.raises(FieldError) as error:
        quote(session, shop, code, customer_id, **kwargs)
    assert error.value.field == "coupon"
    return error.value.message


def redeem(shop, code, customer_id, reference):
    def run(session):
        return coupons.redeem(session, code, customer(session, customer_id), reference).id

    return shop.run(run)


def test_dates_and_activity(shop, scope):
    shop.coupon("SOON", starts_at=NOW + dt.timedelta(days=2), value=D("10"))
    shop.coupon("GONE", expires_at=NOW - dt.timedelta(seconds=1), value=D("10"))
    shop.coupon("OFF", active=False, value=D("10"))
    shop.coupon("NOW", starts_at=NOW - dt.timedelta(days=1), expires_at=NOW + dt.timedelta(days=1), value=D("10"))
    with scope(shop.tenant) as session:
        assert "valid from" in refused(session, shop, "SOON")
        assert "expired" in refused(session, shop, "GONE")
        assert "not active" in refused(session, shop, "OFF")
        assert "not a valid" in refused(session, shop, "NOSUCHCODE")
        assert quote(session, shop, "now").coupons == ("NOW",)


def test_total_and_per_customer_limits(shop, scope):
    a, b = shop.tenant.customer(), shop.tenant.customer()
    shop.coupon("TWOUSES", value=D("10"), max_uses=2, max_uses_per_customer=1)
    redeem(shop, "TWOUSES", a, "order-1")
    with scope(shop.tenant) as session:
        assert "already used" in refused(session, shop, "TWOUSES", a)
        assert quote(session, shop, "TWOUSES", b).coupons == ("TWOUSES",)
    redeem(shop, "TWOUSES", b, "order-2")
    c = shop.tenant.customer()
    with scope(shop.tenant) as session:
        assert "used up" in refused(session, shop, "TWOUSES", c)
    with pytest.raises(FieldError):
        redeem(shop, "TWOUSES", c, "order-3")
    with scope(shop.tenant) as session:
        coupon = coupons.find(session, "twouses")
        assert coupon.uses == 2
        assert session.scalar(select(func.count(CouponRedemption.id))) == 2


def test_redeem_is_idempotent_per_reference_and_can_be_released(shop, scope):
    a, b = shop.tenant.customer(), shop.tenant.customer()
    shop.coupon("ONCEEACH", value=D("10"), max_uses_per_customer=1)
    first = redeem(shop, "ONCEEACH", a, "order-7")
    assert redeem(shop, "ONCEEACH", a, "order-7") == first  # a retried checkout counts once
    with pytest.raises(FieldError):
        redeem(shop, "ONCEEACH", b, "order-7")
    assert shop.run(lambda s: coupons.release(s, "ONCEEACH", "order-7")) is True
    assert shop.run(lambda s: coupons.release(s, "ONCEEACH", "order-7")) is False
    with scope(shop.tenant) as session:
        assert coupons.find(session, "ONCEEACH").uses == 0
        assert quote(session, shop, "ONCEEACH", a).coupons == ("ONCEEACH",)


def test_customer_and_group_scope(shop, scope):
    a, b = shop.tenant.customer(), shop.tenant.customer()
    shop.member(a, shop.ids.resellers)
    shop.coupon("FORA", value=D("10"), customer_id=a)
    shop.coupon("RESELLERS", value=D("10"), customer_group_id=shop.ids.resellers)
    with scope(shop.tenant) as session:
        for code in ("FORA", "RESELLERS"):
            assert quote(session, shop, code, a).coupons == (code,)
            assert "another customer" in refused(session, shop, code, b)
            refused(session, shop, code)  # a visitor


def test_new_customers_only_asks_whoever_knows_the_orders(shop, scope):
    old, new = shop.tenant.customer(), shop.tenant.customer()
    shop.coupon("WELCOME", value=D("10"), new_customers_only=True)

    def has_ordered(sender, **kwargs):
        return sender.id == old

    customer_has_ordered.connect(has_ordered)
    try:
        with scope(shop.tenant) as session:
            assert "new customers" in refused(session, shop, "WELCOME", old)
            assert quote(session, shop, "WELCOME", new).coupons == ("WELCOME",)
            # Billing may also tell the calculator directly.
            assert quote(session, shop, "WELCOME", old, new_customer=True).coupons == ("WELCOME",)
    finally:
        customer_has_ordered.disconnect(has_ordered)


def test_concurrent_checkouts_cannot_exceed_the_limit(shop, app):
    """Two checkouts redeem the last use at once: the second waits for the
    first one's row lock, then sees the coupon used up."""
    a, b = shop.tenant.customer(), shop.tenant.customer()
    shop.coupon("LAST", value=D("10"), max_uses=1)
    locked, results = threading.Event(), {}

    def checkout(customer_id, reference, hold):
        with app.app_context(), tenant_scope(shop.tenant.id, session=db.session):
            try:
                if not hold:
                    locked.wait(5)
                coupons.redeem(db.session, "LAST", customer(db.session, customer_id), reference)
                if hold:
                    locked.set()
                    threading.Event().wait(0.5)  # keep the lock while the other checkout queues up
                db.session.commit()
                results[reference] = "redeemed"
            except FieldError as exc:
                db.session.rollback()
                results[reference] = exc.message
            finally:
                locked.set()

    threads = [threading.Thread(target=checkout, args=(a, "first", True)),
               threading.Thread(target=checkout, args=(b, "second", False))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert results["first"] == "redeemed"
    assert "used up" in results["second"]
    with app.app_context(), tenant_scope(shop.tenant.id, session=db.session):
        assert db.session.scalar(select(Coupon.uses).where(Coupon.code == "LAST")) == 1
        assert db.session.scalar(select(func.count(CouponRedemption.id))) == 1
