"""Tenant context and the scope guard that fails closed.

Three layers keep tenants apart (see docs/architecture.md):

1. PostgreSQL row-level security on ``mpanel.tenant_id`` / ``mpanel.customer_id``,
   set per transaction by :func:`_set_transaction_scope` (``set_config(..., true)``,
   so a pooled connection never carries a tenant over).
2. ORM criteria: every query touching a :class:`TenantScoped` model gets
   ``tenant_id = <current>``; with no tenant in scope it raises
   :class:`TenantScopeError` instead of silently returning nothing.
3. New rows take the current tenant; adding a row for another tenant raises.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

from flask import has_app_context
from sqlalchemy import Column, ForeignKey, Integer, event
from sqlalchemy.orm import Session, declared_attr, scoped_session, with_loader_criteria

_tenant: ContextVar[int | None] = ContextVar("mpanel_tenant", default=None)
_customer: ContextVar[int | None] = ContextVar("mpanel_customer", default=None)


class TenantScopeError(RuntimeError):
    """Tenant data was touched with no tenant, or with the wrong one, in scope."""


def current_tenant_id() -> int | None:
    return _tenant.get()


def current_customer_id() -> int | None:
    return _customer.get()


def require_tenant_id() -> int:
    tenant_id = _tenant.get()
    if tenant_id is None:
        raise TenantScopeError("no tenant in scope: wrap the work in tenant_scope()")
    return tenant_id


def enter_scope(tenant_id: int | None, customer_id: int | None = None):
    """Set the scope for the rest of this context (a request); returns reset tokens."""
    return _tenant.set(tenant_id), _customer.set(customer_id)


def leave_scope(tokens) -> None:
    _tenant.reset(tokens[0])
    _customer.reset(tokens[1])


@contextmanager
def tenant_scope(tenant_id: int | None, customer_id: int | None = None, session: Session | None = None):
    """Run a block as one tenant (and optionally one customer of it).

    If ``session`` (default: the app's session, when there is an app context)
    is inside a transaction, its database scope is switched too, and switched
    back on exit, so ORM criteria and row-level security always agree.
    """
    tokens = enter_scope(tenant_id, customer_id)
    apply_to(session)
    try:
        yield
    finally:
        leave_scope(tokens)
        apply_to(session)


def apply_to(session) -> None:
    """Switch the database scope of a transaction already under way."""
    if session is None and has_app_context():
        from mpanel.extensions import db

        session = db.session
    if isinstance(session, scoped_session):
        session = session()
    if session is not None and session.in_transaction():
        _set_transaction_scope(session.connection())


class TenantScoped:
    """Mixin for every tenant-owned model: the column, the criteria, the guard."""

    # True only for tables that also hold platform rows (tenant_id NULL), such as
    # users and the audit log; their RLS policy matches NULL to "no tenant".
    tenant_optional = False

    @declared_attr
    def tenant_id(cls):
        return Column(
            Integer,
            ForeignKey("tenants.id", ondelete="CASCADE"),
            nullable=cls.tenant_optional,
            index=True,
            default=current_tenant_id if cls.tenant_optional else require_tenant_id,
        )


class CustomerOwned(TenantScoped):
    """Mixin for rows that belong to one customer of a tenant."""

    @declared_attr
    def customer_id(cls):
        return Column(Integer, ForeignKey("customers.id", ondelete="CASCADE"), nullable=False, index=True)


def _set_transaction_scope(connection) -> None:
    tenant_id, customer_id = _tenant.get(), _customer.get()
    connection.exec_driver_sql(
        "SELECT set_config('mpanel.tenant_id', %s, true), set_config('mpanel.customer_id', %s, true)",
        ("" if tenant_id is None else str(tenant_id), "" if customer_id is None else str(customer_id)),
    )


def _scoped_classes(state):
    return [m.class_ for m in state.all_mappers if issubclass(m.class_, TenantScoped)]


def _add_criteria(state) -> None:
    if not (state.is_select or state.is_update or state.is_delete):
        return
    classes = _scoped_classes(state)
    if not classes:
        return
    tenant_id, customer_id = _tenant.get(), _customer.get()
    if tenant_id is None:
        required = [c.__name__ for c in classes if not c.tenant_optional]
        if required:
            raise TenantScopeError(f"query on {', '.join(required)} with no tenant in scope")
        criteria = [with_loader_criteria(TenantScoped, lambda cls: cls.tenant_id.is_(None), include_aliases=True)]
    else:
        criteria = [
            with_loader_criteria(TenantScoped, lambda cls: cls.tenant_id == tenant_id, include_aliases=True)
        ]
    if customer_id is not None:
        from mpanel.modules.customers.models import Customer

        criteria.append(
            with_loader_criteria(CustomerOwned, lambda cls: cls.customer_id == customer_id, include_aliases=True)
        )
        criteria.append(with_loader_criteria(Customer, lambda cls: cls.id == customer_id, include_aliases=True))
    state.statement = state.statement.options(*criteria)


def _check_new_rows(session, flush_context, instances) -> None:
    tenant_id = _tenant.get()
    for obj in session.new:
        if not isinstance(obj, TenantScoped):
            continue
        if obj.tenant_id is None and not obj.tenant_optional:
            obj.tenant_id = require_tenant_id()
        elif obj.tenant_id is not None and obj.tenant_id != tenant_id:
            raise TenantScopeError(
                f"{type(obj).__name__} for tenant {obj.tenant_id} added in scope of tenant {tenant_id}"
            )


def _stamp_tenant(target, args, kwargs) -> None:
    """A new row belongs to the tenant in scope when it is *created*, not when
    it is flushed (which may happen after the scope has ended)."""
    if kwargs.get("tenant_id") is None and _tenant.get() is not None:
        kwargs["tenant_id"] = _tenant.get()


def _after_begin(session, transaction, connection) -> None:
    _set_transaction_scope(connection)


def install(session_class=Session) -> None:
    """Attach the guards to every ORM session (idempotent)."""
    for name, fn in (
        ("after_begin", _after_begin),
        ("do_orm_execute", _add_criteria),
        ("before_flush", _check_new_rows),
    ):
        if not event.contains(session_class, name, fn):
            event.listen(session_class, name, fn)
    if not event.contains(TenantScoped, "init", _stamp_tenant):
        event.listen(TenantScoped, "init", _stamp_tenant, propagate=True)
