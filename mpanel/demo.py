"""Demo data for ``make run``: an operator, two tenants with staff and customers."""

from __future__ import annotations

import os

from sqlalchemy import select

from mpanel.core.plugins.engine import loaded_plugins
from mpanel.core.security.roles import OPERATOR
from mpanel.core.security.users import create_contact, create_user
from mpanel.core.tenancy import tenant_scope
from mpanel.modules.customers.models import Customer
from mpanel.modules.tenants.models import Tenant
from mpanel.modules.tenants.service import create_tenant

PASSWORD = "demo-password-123"  # noqa: S105 (demo data only)
OPERATOR_EMAIL = "operator@mpanel.example"
TENANTS = [
    ("acme", "Acme Hosting", "EUR", "Europe/Berlin", "DE", "de"),
    ("globex", "Globex Web Services", "USD", "America/New_York", "US", "en"),
]


def seed(session) -> list[str]:
    lines = []
    with tenant_scope(None, session=session):
        if not _exists_user(session, OPERATOR_EMAIL):
            create_user(OPERATOR_EMAIL, PASSWORD, OPERATOR, "Platform", "Operator")
        session.commit()
    port = os.environ.get("MPANEL_PORT", "5000")
    lines.append(f"platform operator: http://localhost:{port}/  {OPERATOR_EMAIL} / {PASSWORD}")
    for slug, name, currency, tz, country, locale in TENANTS:
        tenant = session.scalar(select(Tenant).where(Tenant.slug == slug))
        if tenant is None:
            tenant = create_tenant(session, slug, name, currency, tz, country, locale, plugins=list(loaded_plugins()))
        with tenant_scope(tenant.id, session=session):
            _seed_tenant(session, slug, currency, country)
            customers = session.scalars(select(Customer).order_by(Customer.id)).all()
            for plugin in loaded_plugins().values():
                plugin.seed_demo(session, tenant, customers)
            session.commit()
        lines.append(f"{name}: http://{slug}.localhost:{port}/  staff owner@{slug}.example, support@{slug}.example;"
                     f" client area /client/ customer@{slug}.example (password {PASSWORD})")
    return lines


def _exists_user(session, email) -> bool:
    from mpanel.extensions import appbuilder

    return appbuilder.sm.find_user(username=email) is not None


def _seed_tenant(session, slug, currency, country):
    if _exists_user(session, f"owner@{slug}.example"):
        return
    create_user(f"owner@{slug}.example", PASSWORD, "Owner", "Olivia", "Owner")
    create_user(f"support@{slug}.example", PASSWORD, "Support", "Sam", "Support")
    for i, (first, last, company) in enumerate([("Chris", "Customer", None), ("Dana", "Doe", "Doe Media Ltd")]):
        customer = Customer(first_name=first, last_name=last, company=company,
                            email=f"customer{i or ''}@{slug}.example", country=country, currency=currency,
                            language="en", address1="1 Main Street", city="Springfield", postcode="12345")
        session.add(customer)
        session.flush()
        create_contact(customer, customer.email, PASSWORD, owner=True)
