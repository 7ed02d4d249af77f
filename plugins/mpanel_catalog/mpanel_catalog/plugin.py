"""The Catalogue plugin: products, prices, options, add-ons, bundles, coupons,
TLD prices and the price calculator every other plugin uses."""


from mpanel.core.plugins.base import N_, Plugin
from mpanel_catalog import __version__, i18n
from mpanel_catalog.settings import TENANT_DEFAULTS

_STAFF = r"Catalog\w+(View|Api)$"
_READ = r"(can_list|can_show|can_get|can_info)$"
_MENU = (r"Catalog\b", "menu_access")
_FULL = [(_STAFF, ".*"), _MENU]
_READ_ONLY = [(_STAFF, _READ), _MENU]


class CatalogPlugin(Plugin):
    version = __version__
    title = "Catalogue"
    description = "Products and their prices, options, add-ons, bundles, coupons, TLD prices and the price calculator."
    category = "catalog"
    tenant_settings = TENANT_DEFAULTS
    role_permissions = {
        "Owner": _FULL, "Admin": _FULL, "Billing": _FULL,
        "Support": _READ_ONLY, "Read-only": _READ_ONLY,
        "Customer": [(r"ClientCatalogApi$", r"can_get$")],
    }
    client_links = (("catalog_client.index", N_("Products"), None),)

    def __init__(self):
        super().__init__()
        self.domain = i18n.domain

    def init(self, app):
        from mpanel_catalog import models  # noqa: F401

    def register_views(self, appbuilder):
        from mpanel_catalog.admin import register

        register(appbuilder)

    def blueprints(self):
        from mpanel_catalog.client.pages import blueprint

        return [blueprint]

    def seed_demo(self, session, tenant, customers):
        from mpanel.core.plugins.engine import loaded_plugins
        from mpanel_catalog.demo import seed

        seed(session, tenant.default_currency, "registrar_demo" if "registrar_demo" in loaded_plugins() else None)
