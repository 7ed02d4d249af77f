"""The ledger in the admin, read-only."""

from flask_appbuilder.models.sqla.interface import SQLAInterface

from mpanel.web.crud import TenantModelView

from ..i18n import lazy_gettext as _
from ..models.ledger import LedgerEntry

COLUMNS = ["created_at", "customer", "kind", "invoice", "amount", "currency", "memo"]


class LedgerView(TenantModelView):
    datamodel = SQLAInterface(LedgerEntry)
    base_permissions = ["can_list", "can_show"]
    list_title = _("Ledger")
    list_columns = show_columns = COLUMNS
    search_columns = ["customer", "kind", "invoice", "currency", "created_at"]
    base_order = ("id", "desc")
