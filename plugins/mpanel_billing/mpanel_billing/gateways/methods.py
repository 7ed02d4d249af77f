"""Saved payment methods: keep, remove, choose the default.

A method is saved once per provider id (unique), whether the return page or
the webhook reports it first; the customer's first method becomes the default.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, exists, select, update
from sqlalchemy.dialects.postgresql import insert

from mpanel.core.errors import Conflict, FieldError
from mpanel.core.tenancy import require_tenant_id

from .base import SavedMethod
from .models import PaymentMethod
from .registry import get_gateway


def active(session, customer_id: int, gateway: str | None = None) -> list[PaymentMethod]:
    query = select(PaymentMethod).where(PaymentMethod.customer_id == customer_id, PaymentMethod.removed_at.is_(None))
    if gateway:
        query = query.where(PaymentMethod.gateway == gateway)
    return list(session.scalars(query.order_by(PaymentMethod.is_default.desc(), PaymentMethod.id.desc())))


def _usable():
    return and_(PaymentMethod.is_default.is_(True), PaymentMethod.removed_at.is_(None))


def default(session, customer_id: int) -> PaymentMethod | None:
    return session.scalar(select(PaymentMethod).where(PaymentMethod.customer_id == customer_id, _usable()))


def has_default(customer_id_column):
    """SQL: the customer in ``customer_id_column`` has a default saved method."""
    return exists().where(PaymentMethod.customer_id == customer_id_column, _usable())


def save(session, customer_id: int, gateway: str, saved: SavedMethod) -> PaymentMethod:
    """Keep a method the provider reports as set up (idempotent)."""
    session.execute(insert(PaymentMethod).values(
        tenant_id=require_tenant_id(), customer_id=customer_id, gateway=gateway, provider_id=saved.provider_id,
        provider_customer_id=saved.provider_customer_id, test_mode=saved.test_mode, brand=saved.brand or "",
        last4=saved.last4 or "", exp_month=saved.exp_month, exp_year=saved.exp_year, is_default=False)
        .on_conflict_do_nothing(index_elements=["tenant_id", "gateway", "provider_id"]))
    method = session.scalar(select(PaymentMethod).where(PaymentMethod.gateway == gateway,
                                                        PaymentMethod.provider_id == saved.provider_id)
                            .execution_options(populate_existing=True))
    if method.customer_id != customer_id:
        raise Conflict("payment_method", "the method belongs to another customer")
    if method.removed_at is None and default(session, customer_id) is None:
        make_default(session, method)
    return method


def make_default(session, method: PaymentMethod) -> None:
    if method.removed_at is not None:
        raise Conflict("payment_method", "the method was removed")
    session.execute(update(PaymentMethod).where(PaymentMethod.customer_id == method.customer_id,
                                                PaymentMethod.id != method.id, PaymentMethod.is_default.is_(True))
                    .values(is_default=False))
    session.flush()
    method.is_default = True
    session.flush()


def forget(session, method: PaymentMethod) -> None:
    """Mark a method removed (after the provider forgot it); the newest other one becomes the default."""
    if method.removed_at is not None:
        return
    was_default = method.is_default
    method.is_default, method.removed_at = False, dt.datetime.now(dt.UTC)
    session.flush()
    others = active(session, method.customer_id)
    if was_default and others:
        make_default(session, others[0])


def remove(session, method: PaymentMethod) -> None:
    """Forget a method at its provider (if its gateway is still active), then here."""
    try:
        gateway = get_gateway(session, method.gateway)
    except FieldError:
        gateway = None  # the gateway was deactivated: nothing to tell it
    if gateway is not None:
        gateway.remove_method(method)
    forget(session, method)
