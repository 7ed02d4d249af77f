"""The bank transfer gateway plugin: the tenant's bank details (billing's seller
bank settings) with a structured reference per invoice, transfers recorded by
staff, and CAMT.053 statement import with matching by reference and amount."""

from mpanel.core.plugins.base import Plugin
from mpanel.core.settings import Setting
from mpanel_gateway_bank import __version__

NAME = "gateway_bank"
_VIEWS = "BankLineView|BankStatementView|BankTransferView|BankApi"
_MENUS = ("Bank transfers|Bank statement lines|Bank statements|Record a transfer", "menu_access")
_FULL = [(_VIEWS, ".*"), _MENUS]
_READ_ONLY = [(_VIEWS, "can_list|can_show|can_get"), _MENUS]


class BankTransferPlugin(Plugin):
    version = __version__
    title = "Bank transfer"
    description = ("Bank details and a structured (RF) payment reference on invoices, transfers recorded by staff "
                   "(full, partial, overpaid) and CAMT.053 statement import matched by reference and amount.")
    category = "gateway"
    requires = ("billing",)
    tenant_settings = {
        # "rf": ISO 11649 creditor reference; "number": the invoice number
        "reference_format": Setting("rf", "choice", choices=("rf", "number")),
        "instructions": Setting("", "textarea"),  # shown with the bank details
    }
    role_permissions = {"Owner": _FULL, "Admin": _FULL, "Billing": _FULL, "Support": _READ_ONLY,
                        "Read-only": _READ_ONLY}

    @property
    def gateway_class(self):
        from mpanel_gateway_bank.gateway import BankTransferGateway

        return BankTransferGateway

    def init(self, app):
        from mpanel_billing.gateways import events, tasks  # noqa: F401  (outbox handler, periodic sweep)

        from mpanel_gateway_bank import models  # noqa: F401

    def register_views(self, appbuilder):
        from mpanel_gateway_bank.api import BankApi
        from mpanel_gateway_bank.views import register

        register(appbuilder)
        appbuilder.add_api(BankApi)
