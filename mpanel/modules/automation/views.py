"""Automation status: every periodic run and task, for staff to check."""

from flask_appbuilder import ModelView
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _

from mpanel.core.outbox import OutboxMessage
from mpanel.modules.automation.models import AutomationRun


class AutomationRunView(ModelView):
    datamodel = SQLAInterface(AutomationRun)
    base_permissions = ["can_list", "can_show"]
    list_title = _("Automation status")
    list_columns = ["task", "status", "started_at", "finished_at", "failures", "counts"]
    show_columns = [*list_columns, "error"]
    search_columns = ["task", "status"]
    base_order = ("started_at", "desc")


class OutboxView(ModelView):
    """Side effects waiting, done or failed (with their last error)."""

    datamodel = SQLAInterface(OutboxMessage)
    base_permissions = ["can_list", "can_show"]
    list_title = _("Outbox")
    list_columns = ["kind", "status", "attempts", "next_attempt_at", "created_at", "last_error"]
    show_columns = [*list_columns, "payload", "processed_at"]
    search_columns = ["kind", "status"]
    base_order = ("id", "desc")
