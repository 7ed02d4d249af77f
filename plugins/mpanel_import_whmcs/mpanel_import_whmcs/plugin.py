"""The WHMCS importer: a WHMCS database into one tenant, re-runnably (an id map),
with a reconciliation report (docs/import-whmcs.md)."""

from mpanel.core.plugins.base import Plugin
from mpanel_import_whmcs import __version__, i18n

_VIEWS = "WhmcsImportView"
_MENU = ("Import from WHMCS", "menu_access")


class ImportWhmcsPlugin(Plugin):
    version = __version__
    title = "Import from WHMCS"
    description = ("Moves a WHMCS installation into this tenant: customers, products and prices, services, domains, "
                   "invoices as issued, payments and credit, re-runnable, with a reconciliation report.")
    category = "other"
    requires = ("catalog", "billing", "domains")  # products; invoices, services, ledger; domains and contacts
    role_permissions = {"Owner": [(_VIEWS, ".*"), _MENU]}

    def __init__(self):
        super().__init__()
        self.domain = i18n.domain

    def init(self, app):
        from mpanel.cli import mpanel

        from . import models, tasks  # noqa: F401
        from .cli import import_group

        if "import" in mpanel.commands:
            for name, command in import_group.commands.items():
                mpanel.commands["import"].add_command(command, name)
        else:
            mpanel.add_command(import_group)

    def register_views(self, appbuilder):
        from .views import register

        register(appbuilder)
