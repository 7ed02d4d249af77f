"""The billing plugin: invoice core (invoices, credit notes, taxes, ledger, dunning, PDF, UBL)."""

from mpanel.core.plugins.base import N_, Plugin

from . import __version__
from .gateways import with_payment_roles
from .orders.review import DEFAULTS as REVIEW_DEFAULTS
from .services.settings import DEFAULTS as SERVICE_DEFAULTS
from .settings import DEFAULTS

_READ = "can_list|can_show|can_get|can_info"
_VIEWS = ("InvoiceView|OrderView|ServiceView|CreditNoteView|TaxRuleView|LedgerView|NumberSeriesView"
          "|MailTemplateView|InvoiceApi|TaxRuleApi|LedgerApi|OrderApi|ServiceApi")
_MENUS = ("Billing|Invoices|Orders|Orders awaiting review|New order|Services|Credit notes|Tax rules|Ledger"
          "|Number series|Mail templates", "menu_access")
_FULL = [(_VIEWS, ".*"), _MENUS]
# Contacts order, read their services and ask for plan changes and cancellations (not any status).
_CUSTOMER = [(r"OrderApi$", "can_get|can_post"), (r"ServiceApi$", "can_get|can_request")]
_READ_ONLY = [(_VIEWS, _READ), _MENUS]


class BillingPlugin(Plugin):
    version = __version__
    title = "Billing"
    description = "Invoices, credit notes, taxes (EU VAT, OSS, reverse charge), account credit, dunning, PDF and UBL."
    category = "billing"
    requires = ("catalog",)  # checkout prices products with the catalogue's calculator
    tenant_settings = {**DEFAULTS, **SERVICE_DEFAULTS, **REVIEW_DEFAULTS}
    role_permissions = with_payment_roles({"Owner": _FULL, "Admin": _FULL, "Billing": _FULL, "Support": _READ_ONLY,
                                           "Read-only": _READ_ONLY, "Customer": _CUSTOMER})
    client_links = (("billing_client.invoices", N_("Invoices"), "billing"),
                    ("billing_client.services", N_("Services"), "services"),
                    ("billing_client.cart", N_("Order"), "billing"),
                    ("billing_client.credit", N_("Credit"), "billing"),
                    ("billing_payments.history", N_("Payments"), "billing"),
                    ("billing_payments.saved_methods", N_("Saved cards"), "billing"))

    def init(self, app):
        from mpanel.cli import mpanel
        from mpanel.core import mail  # noqa: F401  (the mail.send outbox handler)

        from . import dashboard, document_files, dunning, mailing, models, receivers, run, staff_notices  # noqa: F401
        from .cli import billing
        from .orders import cancellation  # noqa: F401
        from .orders import receivers as order_receivers  # noqa: F401
        from .tax import vies_retry  # noqa: F401  (the periodic VIES retry)
        from .views import customer_section  # noqa: F401  (its part of the staff customer page)

        if "billing" not in mpanel.commands:
            mpanel.add_command(billing)

    def register_views(self, appbuilder):
        from .api import register_apis
        from .gateways import register as register_payments
        from .orders.api import register_apis as register_order_apis
        from .views import register_views

        register_views(appbuilder)
        register_apis(appbuilder)
        register_order_apis(appbuilder)
        register_payments(appbuilder)

    def seed_demo(self, session, tenant, customers):
        from .demo import seed

        seed(session, tenant, customers)

    def blueprints(self):
        from .client import blueprint
        from .gateways import blueprint as payment_pages

        return [blueprint, payment_pages()]
