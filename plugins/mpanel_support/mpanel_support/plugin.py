"""The Support plugin: departments, tickets, replies and staff-only notes, canned replies."""

from mpanel.core.plugins.base import Plugin
from mpanel_support import __version__, i18n

_VIEWS = "DepartmentView|TicketView|TicketMessageView|CannedReplyView"
_MENU = ("Support|Departments|Tickets|Ticket messages|Canned replies", "menu_access")
_FULL = [(_VIEWS, ".*"), _MENU]


class SupportPlugin(Plugin):
    version = __version__
    title = "Support"
    description = "Support desk: departments, tickets with replies and internal notes, canned replies."
    category = "other"
    role_permissions = {"Owner": _FULL, "Admin": _FULL, "Support": _FULL,
                        "Read-only": [(_VIEWS, "can_list|can_show"), _MENU]}

    def __init__(self):
        super().__init__()
        self.domain = i18n.domain

    def init(self, app):
        from mpanel_support import models  # noqa: F401

    def register_views(self, appbuilder):
        from mpanel_support.views import register

        register(appbuilder)
