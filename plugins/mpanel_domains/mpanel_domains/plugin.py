"""The Domains plugin: customers' domains and contacts, the registrar contract
(:mod:`mpanel_domains.registrar`), the action queue, registry sync and renewal notices."""

from mpanel.core.plugins.base import N_, Plugin
from mpanel_domains import __version__, i18n
from mpanel_domains.settings import DEFAULTS

_VIEWS = ("DomainView|DomainApi|DomainContactView|DomainContactApi|DomainActionView|DomainActionApi"
          "|DomainRenewalView")
_READ = "can_list|can_show|can_get|can_info"
_MENU = ("Domains|Domain list|Domain contacts|Registrar actions|Billed renewals", "menu_access")
_FULL = [(_VIEWS, ".*"), _MENU]


class DomainsPlugin(Plugin):
    version = __version__
    title = "Domains"
    description = ("Customers' domain names and contacts, registrar actions with retries, registry sync, "
                   "renewal and expiry notices.")
    category = "other"
    requires = ("catalog", "billing")  # TLD prices; order lines, renewal invoices and credits
    tenant_settings = dict(DEFAULTS)
    role_permissions = {
        "Owner": _FULL,
        "Admin": _FULL,
        "Billing": _FULL,
        "Support": [(_VIEWS, _READ), ("DomainActionView|DomainActionApi", "can_retry"), _MENU],
        "Read-only": [(_VIEWS, _READ), _MENU],
    }
    client_links = (("domains_client.index", N_("Domains"), "domains"),
                    ("domains_client.find", N_("Register a domain"), "domains"))

    def __init__(self):
        super().__init__()
        self.domain = i18n.domain

    def init(self, app):
        from mpanel_domains import (  # noqa: F401
            billing,
            customer_section,
            models,
            order_line,
            reminders,
            runner,
            staff_notices,
            tasks,
        )

    def register_views(self, appbuilder):
        from mpanel_domains.api import DomainActionApi, DomainApi, DomainContactApi
        from mpanel_domains.views import register

        register(appbuilder)
        for api in (DomainApi, DomainContactApi, DomainActionApi):
            appbuilder.add_api(api)

    def blueprints(self):
        from mpanel_domains.client import blueprint

        return [blueprint]
