"""Staff pages: server groups, servers (with "Test connection"), the services' panel
accounts and the action log (retry, mark done by hand)."""

from __future__ import annotations

import datetime as dt

from flask import flash, redirect
from flask_appbuilder.actions import action
from flask_appbuilder.models.sqla.interface import SQLAInterface
from wtforms import PasswordField, SelectField
from wtforms.validators import Optional

from mpanel.core.errors import FieldError
from mpanel.web.crud import TenantModelView
from mpanel_provisioning import actions
from mpanel_provisioning.i18n import gettext
from mpanel_provisioning.i18n import lazy_gettext as _
from mpanel_provisioning.models import FILL_STRATEGIES, ProvisioningAction, Server, ServerGroup, ServiceAccount
from mpanel_provisioning.module import ProvisioningError, modules
from mpanel_provisioning.runner import connect_server

LABELS = {
    "name": _("Name"), "module": _("Module"), "fill_strategy": _("Fill strategy"), "group": _("Server group"),
    "host": _("Host"), "port": _("Port"), "secure": _("HTTPS"), "verify_tls": _("Verify TLS certificate"),
    "username": _("User name"), "secret": _("API token or password"), "max_accounts": _("Maximum accounts"),
    "position": _("Position"), "active": _("Active"), "last_test_at": _("Last tested"),
    "last_test_result": _("Last test result"), "service": _("Service"), "server": _("Server"),
    "status": _("Status"), "domain": _("Domain"), "details": _("Details"), "action": _("Action"),
    "attempts": _("Attempts"), "message": _("Panel message"), "created_at": _("Created"),
    "finished_at": _("Finished"), "account": _("Account"), "customer": _("Customer"),
}


def _apply(view, items, change):
    session = view.datamodel.session
    for item in items if isinstance(items, list) else [items]:
        try:
            message = change(session, item)
            flash(message or gettext("%(item)s: done", item=item), "success")
        except (FieldError, ProvisioningError) as exc:
            flash(f"{item}: {getattr(exc, 'message', exc)}", "danger")
    session.commit()
    view.update_redirect()
    return redirect(view.get_redirect())


class ServerGroupView(TenantModelView):
    datamodel = SQLAInterface(ServerGroup)
    list_title = _("Server groups")
    label_columns = LABELS
    list_columns = ["name", "module", "fill_strategy"]
    add_columns = edit_columns = show_columns = ["name", "module", "fill_strategy"]
    add_form_extra_fields = edit_form_extra_fields = {
        "module": SelectField(_("Module"), choices=lambda: [(n, c.title or n) for n, c in sorted(modules().items())]),
        "fill_strategy": SelectField(_("Fill strategy"), choices=[(s, s.replace("_", " ")) for s in FILL_STRATEGIES]),
    }


class ServerView(TenantModelView):
    datamodel = SQLAInterface(Server)
    list_title = _("Servers")
    label_columns = LABELS
    method_permission_name = {"test_connection": "edit"}
    list_columns = ["name", "group", "host", "port", "active", "max_accounts", "last_test_at", "last_test_result"]
    show_columns = ["name", "group", "host", "port", "secure", "verify_tls", "username", "max_accounts", "position",
                    "active", "last_test_at", "last_test_result"]
    add_columns = edit_columns = ["name", "group", "host", "port", "secure", "verify_tls", "username", "secret",
                                  "max_accounts", "position", "active"]
    add_form_extra_fields = edit_form_extra_fields = {
        "secret": PasswordField(_("API token or password"), validators=[Optional()],
                                description=_("Stored encrypted. Leave empty to keep the current one.")),
    }

    def _secret(self, item, required: bool):
        from flask import request

        value = request.form.get("secret", "")
        if value:
            item.secret = value
        elif required:
            raise ValueError(gettext("Enter the API token or password"))

    def pre_add(self, item):
        self._secret(item, required=True)

    def pre_update(self, item):
        self._secret(item, required=False)

    @action("test_connection", _("Test connection"), "", "fa-plug", single=True, multiple=False)
    def test_connection(self, item):
        def test(session, server):
            server.last_test_at = dt.datetime.now(dt.UTC)
            try:
                server.last_test_result = connect_server(server).test_connection()[:500]
            except ProvisioningError as exc:
                server.last_test_result = f"failed: {exc}"[:500]
                session.commit()
                raise
            return f"{server.name}: {server.last_test_result}"

        return _apply(self, item, test)


class ProvisioningActionView(TenantModelView):
    datamodel = SQLAInterface(ProvisioningAction)
    list_title = _("Provisioning actions")
    label_columns = LABELS
    base_permissions = ["can_list", "can_show"]
    method_permission_name = {"retry": "retry", "resolve": "retry"}
    list_columns = ["service", "action", "status", "attempts", "message", "created_at", "finished_at"]
    show_columns = ["service", "account", "action", "status", "attempts", "message", "created_at", "finished_at"]
    search_columns = ["action", "status"]
    base_order = ("id", "desc")

    @action("retry", _("Retry"), _("Run the selected failed actions again?"), "fa-repeat", single=False)
    def retry(self, items):
        return _apply(self, items, lambda session, item: actions.retry(session, item) and None)

    @action("resolve", _("Mark done by hand"), _("Mark the selected actions as done on the panel by hand?"),
            "fa-check", single=False)
    def resolve(self, items):
        return _apply(self, items, lambda session, item: actions.resolve(session, item) and None)


class ServiceAccountView(TenantModelView):
    """A service's panel account, with its action log (the service's provisioning panel)."""

    datamodel = SQLAInterface(ServiceAccount)
    list_title = _("Hosting accounts")
    label_columns = LABELS
    base_permissions = ["can_list", "can_show"]
    list_columns = ["service", "customer", "username", "server", "status", "domain"]
    show_columns = ["service", "customer", "module", "server", "username", "domain", "status", "details",
                    "created_at"]
    search_columns = ["username", "status", "server", "domain"]
    related_views = [ProvisioningActionView]
    base_order = ("id", "desc")


def register(appbuilder) -> None:
    category = {"category": "Provisioning", "category_label": _("Provisioning"), "category_icon": "fa-server"}
    appbuilder.add_view(ServiceAccountView, "Hosting accounts", label=_("Hosting accounts"), icon="fa-user",
                        **category)
    appbuilder.add_view(ProvisioningActionView, "Provisioning actions", label=_("Provisioning actions"),
                        icon="fa-tasks", **category)
    appbuilder.add_view(ServerView, "Servers", label=_("Servers"), icon="fa-server", **category)
    appbuilder.add_view(ServerGroupView, "Server groups", label=_("Server groups"), icon="fa-object-group",
                        **category)
