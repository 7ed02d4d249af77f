"""Automation status: every periodic run and task, for staff to check."""

from flask import flash, redirect
from flask_appbuilder import ModelView
from flask_appbuilder.actions import action
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import gettext
from flask_babel import lazy_gettext as _

from mpanel.core import outbox
from mpanel.core.outbox import OutboxMessage
from mpanel.modules.automation.models import AutomationRun


class AutomationRunView(ModelView):
    datamodel = SQLAInterface(AutomationRun)
    base_permissions = ["can_list", "can_show"]
    list_title = _("Automation status")
    list_columns = ["task", "status", "started_at", "finished_at", "failures", "error"]
    show_columns = [*list_columns, "counts"]
    search_columns = ["task", "status"]
    base_order = ("started_at", "desc")


class OutboxView(ModelView):
    """Side effects waiting, done or failed (with their last error); failed ones can be resent."""

    datamodel = SQLAInterface(OutboxMessage)
    base_permissions = ["can_list", "can_show"]
    method_permission_name = {"resend": "resend"}  # the action's permission: can_resend
    list_title = _("Outbox")
    list_columns = ["kind", "status", "attempts", "next_attempt_at", "created_at", "last_error"]
    show_columns = [*list_columns, "retry_from", "processed_at"]
    search_columns = ["kind", "status"]
    base_order = ("id", "desc")

    @action("resend", _("Resend"), _("Send the selected failed messages again?"), "fa-repeat")
    def resend(self, items):
        from mpanel.extensions import db

        items = items if isinstance(items, list) else [items]
        count = outbox.resend(db.session, [item.id for item in items])
        db.session.commit()
        flash(gettext("%(count)d message(s) queued again.", count=count), "info")
        return redirect(self.get_redirect())
