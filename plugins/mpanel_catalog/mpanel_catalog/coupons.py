"""Coupon rules and redemption.

The calculator asks :func:`check_usable` (dates, limits, who) and
:func:`scope_problem` (products, cycles, currency). Billing calls :func:`redeem`
inside its checkout transaction: it locks the coupon row, checks again and
counts the use, so concurrent checkouts cannot exceed a limit.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from mpanel.core.errors import FieldError
from mpanel_catalog.i18n import gettext as _
from mpanel_catalog.models import Coupon, CouponRedemption, CustomerGroup
from mpanel_catalog.signals import customer_has_ordered


class CouponError(FieldError):
    def __init__(self, message: str):
        super().__init__("coupon", message)


def find(session, code: str, lock: bool = False) -> Coupon:
    """The tenant's coupon with this code (any case); ``lock``: SELECT ... FOR UPDATE, fresh values."""
    query = select(Coupon).where(func.upper(Coupon.code) == (code or "").strip().upper())
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    coupon = session.scalar(query)
    if coupon is None:
        raise CouponError(_("%(code)s is not a valid coupon code", code=code))
    return coupon


def is_new_customer(customer) -> bool:
    if customer is None:
        return True
    return not any(answer for _receiver, answer in customer_has_ordered.send(customer))


def uses_by(session, coupon: Coupon, customer_id: int) -> int:
    return session.scalar(select(func.count(CouponRedemption.id)).where(
        CouponRedemption.coupon_id == coupon.id, CouponRedemption.customer_id == customer_id))


def check_usable(session, coupon: Coupon, customer, now: dt.datetime | None = None,
                 new_customer: bool | None = None) -> None:
    """Active, within its dates and limits, and meant for this customer; else CouponError."""
    now = now or dt.datetime.now(dt.UTC)
    code = coupon.code
    if not coupon.active:
        raise CouponError(_("Coupon %(code)s is not active", code=code))
    if coupon.starts_at and now < coupon.starts_at:
        raise CouponError(_("Coupon %(code)s is valid from %(date)s", code=code, date=coupon.starts_at.date()))
    if coupon.expires_at and now >= coupon.expires_at:
        raise CouponError(_("Coupon %(code)s has expired", code=code))
    if coupon.max_uses is not None and coupon.uses >= coupon.max_uses:
        raise CouponError(_("Coupon %(code)s has been used up", code=code))
    customer_id = customer.id if customer is not None else None
    if coupon.customer_id is not None and coupon.customer_id != customer_id:
        raise CouponError(_("Coupon %(code)s is for another customer", code=code))
    if coupon.customer_group_id is not None:
        group = CustomerGroup.of(session, customer_id)
        if group is None or group.id != coupon.customer_group_id:
            raise CouponError(_("Coupon %(code)s is for another customer group", code=code))
    if (customer_id is not None and coupon.max_uses_per_customer is not None
            and uses_by(session, coupon, customer_id) >= coupon.max_uses_per_customer):
        raise CouponError(_("You have already used coupon %(code)s", code=code))
    if coupon.new_customers_only and not (is_new_customer(customer) if new_customer is None else new_customer):
        raise CouponError(_("Coupon %(code)s is for new customers only", code=code))


def scope_problem(coupon: Coupon, product, cycle: str | None, currency: str) -> str | None:
    """Why the coupon does not cover this product (None: a bundle), billing cycle and currency, if it does not."""
    code = coupon.code
    if coupon.products and (product is None or product not in coupon.products):
        return _("Coupon %(code)s does not apply to this product", code=code)
    if coupon.cycle_list and cycle not in coupon.cycle_list:
        return _("Coupon %(code)s does not apply to this billing cycle", code=code)
    if coupon.kind in ("fixed", "override") and coupon.currency != currency:
        return _("Coupon %(code)s is only valid for prices in %(currency)s", code=code, currency=coupon.currency)
    return None


def applies_in(coupon: Coupon, renewal: int) -> bool:
    """Whether the coupon reduces period ``renewal`` (0: the order, 1: the first renewal, ...)."""
    if coupon.duration == "forever":
        return True
    if coupon.duration == "repeating":
        return renewal < coupon.duration_cycles
    return renewal == 0


def redeem(session, code: str, customer, reference: str, now: dt.datetime | None = None,
           new_customer: bool | None = None) -> CouponRedemption:
    """Count one use of a coupon by ``customer`` for ``reference`` (an order), in the caller's transaction.

    Idempotent per (coupon, reference): a retried checkout counts once.
    Raises CouponError if the coupon may not be used (any more).
    """
    coupon = find(session, code, lock=True)
    existing = session.scalar(select(CouponRedemption).where(CouponRedemption.coupon_id == coupon.id,
                                                             CouponRedemption.reference == reference))
    if existing is not None:
        if existing.customer_id != customer.id:
            raise CouponError(_("Coupon %(code)s was used for this order by another customer", code=coupon.code))
        return existing
    check_usable(session, coupon, customer, now, new_customer)
    redemption = CouponRedemption(coupon=coupon, customer_id=customer.id, reference=reference)
    coupon.uses += 1
    session.add(redemption)
    session.flush()
    return redemption


def release(session, code: str, reference: str) -> bool:
    """Undo the use of a coupon for ``reference`` (a cancelled order); False if there was none."""
    coupon = find(session, code, lock=True)
    redemption = session.scalar(select(CouponRedemption).where(CouponRedemption.coupon_id == coupon.id,
                                                               CouponRedemption.reference == reference))
    if redemption is None:
        return False
    session.delete(redemption)
    coupon.uses -= 1
    session.flush()
    return True
