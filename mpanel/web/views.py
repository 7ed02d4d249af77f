"""Registering the kernel's admin views, REST APIs and menus."""

from flask import current_app
from flask_babel import lazy_gettext as _

from mpanel.core.plugins import activation
from mpanel.modules import accounts, notifications
from mpanel.modules.audit.views import AuditLogApi, AuditLogView
from mpanel.modules.automation.views import AutomationRunView, OutboxView
from mpanel.modules.customers.page import CustomerPageView
from mpanel.modules.customers.views import CustomerApi, CustomerView
from mpanel.modules.marketplace.views import MarketplaceApi, MarketplaceView
from mpanel.modules.tenants.api import TenantOnboardingApi
from mpanel.modules.tenants.views import TenantView
from mpanel.modules.tenants.views import blueprint as tenant_onboarding
from mpanel.web.client import ClientAccountApi


def register(appbuilder) -> None:
    activation.install(current_app)
    accounts.install(current_app, appbuilder)
    notifications.install(current_app, appbuilder)
    appbuilder.add_view(CustomerView, "Customer list", label=_("Customer list"), icon="fa-users",
                        category="Customers", category_label=_("Customers"))
    appbuilder.add_view_no_menu(CustomerPageView)
    appbuilder.add_view(MarketplaceView, "Marketplace", label=_("Marketplace"), icon="fa-puzzle-piece",
                        category="Administration", category_label=_("Administration"))
    appbuilder.add_view(AuditLogView, "Audit log", label=_("Audit log"), icon="fa-history", category="Administration")
    appbuilder.add_view(AutomationRunView, "Automation status", label=_("Automation status"), icon="fa-cogs",
                        category="Administration")
    appbuilder.add_view(OutboxView, "Outbox", label=_("Outbox"), icon="fa-paper-plane", category="Administration")
    appbuilder.add_view(TenantView, "Tenants", label=_("Tenants"), icon="fa-building", category="Platform",
                        category_label=_("Platform"))
    appbuilder.add_link("New tenant", href="/operator/tenants/new", label=_("New tenant"), icon="fa-plus",
                        category="Platform")
    current_app.register_blueprint(tenant_onboarding)
    for api in (CustomerApi, AuditLogApi, MarketplaceApi, ClientAccountApi, TenantOnboardingApi):
        appbuilder.add_api(api)
