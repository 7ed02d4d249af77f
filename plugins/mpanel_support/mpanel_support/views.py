"""Staff admin pages: departments, the ticket queue, messages (replies and notes), canned replies."""

from __future__ import annotations

from flask_appbuilder.models.sqla.interface import SQLAInterface

from mpanel.web.crud import TenantModelView
from mpanel_support.i18n import lazy_gettext as _
from mpanel_support.models import CannedReply, Department, Ticket, TicketMessage


class DepartmentView(TenantModelView):
    datamodel = SQLAInterface(Department)
    list_columns = add_columns = edit_columns = ["name", "email", "visibility", "auto_reply"]
    search_columns = ["name", "email"]


class TicketView(TenantModelView):
    datamodel = SQLAInterface(Ticket)
    list_columns = ["id", "subject", "department", "status", "priority", "assignee", "updated_at"]
    edit_columns = ["status", "priority", "assignee", "related"]
    search_columns = ["subject", "status", "priority", "department"]
    base_order = ("updated_at", "desc")


class TicketMessageView(TenantModelView):
    datamodel = SQLAInterface(TicketMessage)
    list_columns = ["ticket", "from_staff", "internal", "created_at"]
    search_columns = ["ticket", "internal"]


class CannedReplyView(TenantModelView):
    datamodel = SQLAInterface(CannedReply)
    list_columns = add_columns = edit_columns = ["title", "body"]
    search_columns = ["title"]


def register(appbuilder) -> None:
    category = {"category": "Support", "category_label": _("Support"), "category_icon": "fa-life-ring"}
    appbuilder.add_view(TicketView, "Tickets", label=_("Tickets"), icon="fa-ticket", **category)
    appbuilder.add_view(TicketMessageView, "Ticket messages", label=_("Ticket messages"), icon="fa-comments",
                        **category)
    appbuilder.add_view(DepartmentView, "Departments", label=_("Departments"), icon="fa-sitemap", **category)
    appbuilder.add_view(CannedReplyView, "Canned replies", label=_("Canned replies"), icon="fa-reply", **category)
