"""The billing plugin: invoice core (invoices, credit notes, taxes, ledger, dunning, PDF, UBL)."""

from mpanel.core.plugins.base import Plugin

from . import __version__
from .settings import DEFAULTS

_READ = "can_list|can_show|can_get|can_info"
_VIEWS = "InvoiceView|CreditNoteView|TaxRuleView|LedgerView|NumberSeriesView|InvoiceApi|TaxRuleApi|LedgerApi"
_MENUS = ("Billing|Invoices|Credit notes|Tax rules|Ledger|Number series", "menu_access")
_FULL = [(_VIEWS, ".*"), _MENUS]
_READ_ONLY = [(_VIEWS, _READ), _MENUS]


class BillingPlugin(Plugin):
    version = __version__
    title = "Billing"
    description = "Invoices, credit notes, taxes (EU VAT, OSS, reverse charge), account credit, dunning, PDF and UBL."
    category = "billing"
    tenant_settings = DEFAULTS
    role_permissions = {"Owner": _FULL, "Admin": _FULL, "Billing": _FULL, "Support": _READ_ONLY,
                        "Read-only": _READ_ONLY}

    def init(self, app):
        from mpanel.core import mail  # noqa: F401  (the mail.send outbox handler)

        from . import dunning, mailing, models, receivers  # noqa: F401

    def register_views(self, appbuilder):
        from .api import register_apis
        from .views import register_views

        register_views(appbuilder)
        register_apis(appbuilder)

    def blueprints(self):
        from .client import blueprint

        return [blueprint]
