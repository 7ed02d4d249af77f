"""Read-only audit log for tenant admins (their tenant's rows only)."""

from flask_appbuilder import ModelView
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _

from mpanel.api.base import ModelApi
from mpanel.core.audit import AuditLog

COLUMNS = ["created_at", "actor", "action", "object_type", "object_id", "ip"]


class AuditLogView(ModelView):
    datamodel = SQLAInterface(AuditLog)
    base_permissions = ["can_list", "can_show"]
    list_title = _("Audit log")
    list_columns = COLUMNS
    show_columns = [*COLUMNS, "summary"]
    search_columns = ["actor", "action", "object_type", "object_id", "ip"]
    base_order = ("created_at", "desc")


class AuditLogApi(ModelApi):
    resource_name = "audit"
    datamodel = SQLAInterface(AuditLog)
    base_permissions = ["can_get", "can_info"]
    list_columns = ["id", *COLUMNS]
    show_columns = ["id", *COLUMNS, "summary"]
    base_order = ("created_at", "desc")
