"""Creating tenants (operator CLI, demo data, tests)."""

from __future__ import annotations

from mpanel.core.signals.tenancy import plugin_activated
from mpanel.core.tenancy import tenant_scope
from mpanel.modules.customers.validation import check_country, check_currency, check_language
from mpanel.modules.tenants.models import Tenant
from mpanel.modules.tenants.validation import check_slug, check_timezone


def create_tenant(session, slug: str, name: str, currency: str = "EUR", timezone: str = "UTC",
                  country: str = "DE", locale: str = "en", plugins=()) -> Tenant:
    """Add a tenant and activate ``plugins`` for it; the caller commits."""
    from mpanel.core.plugins.engine import set_active

    tenant = Tenant(slug=check_slug(slug), name=name, default_currency=check_currency(currency),
                    timezone=check_timezone(timezone), country=check_country(country), locale=check_language(locale),
                    hostnames=[], branding={})
    session.add(tenant)
    session.flush()
    with tenant_scope(tenant.id, session=session):
        for plugin in plugins:
            set_active(session, plugin, True)
        session.flush()
        for plugin in plugins:
            plugin_activated.send(plugin)
        session.flush()  # what receivers added belongs to this tenant's scope
    return tenant
