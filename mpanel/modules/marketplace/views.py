"""Marketplace pages and REST: see, activate, configure and deactivate plugins."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.api import protect
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from marshmallow import Schema, fields

from mpanel.api.base import Api, safe
from mpanel.api.body import json_body
from mpanel.api.openapi import NoBody, documented, result
from mpanel.core import audit
from mpanel.core.plugins.engine import PluginError, loaded_plugins, set_active
from mpanel.core.settings import declared, get_settings, parse_settings, set_settings
from mpanel.core.signals.tenancy import plugin_activated, plugin_deactivated
from mpanel.core.tenancy import current_tenant_id
from mpanel.extensions import db
from mpanel.modules.marketplace import service


def change_activation(name: str, active: bool) -> None:
    """Activate/deactivate for the tenant in scope, audited, in one transaction."""
    if current_tenant_id() is None:
        raise PluginError(name, "plugins are activated per tenant; use a tenant's host")
    set_active(db.session, name, active)
    audit.record(db.session, "plugin_activated" if active else "plugin_deactivated", "Plugin", name)
    (plugin_activated if active else plugin_deactivated).send(name)
    db.session.commit()


class MarketplaceView(BaseView):
    route_base = "/marketplace"
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        usage = service.usage(db.session) if current_tenant_id() is None else None
        return self.render_template("mpanel/marketplace.html", entries=service.entries(db.session),
                                    usage=usage, form=FlaskForm())

    @expose("/<name>/<action>", methods=["POST"])
    @has_access
    def change(self, name, action):
        if action not in ("activate", "deactivate") or not FlaskForm().validate_on_submit():
            abort(400)
        try:
            change_activation(name, action == "activate")
            flash(_("%(plugin)s: done", plugin=name), "success")
        except PluginError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
        return redirect(url_for(".index"))

    @expose("/<name>/settings", methods=["GET", "POST"])
    @has_access
    def settings(self, name):
        plugin = loaded_plugins().get(name)
        if plugin is None or current_tenant_id() is None:
            abort(404)
        form = FlaskForm()
        errors = {}
        if request.method == "POST" and form.validate_on_submit():
            # An empty secret field keeps the stored secret.
            kept = {k for k in plugin.secret_settings if request.form.get(k, "") == ""}
            values, errors = parse_settings(plugin.tenant_settings, request.form, skip=kept)
            if not errors:
                set_settings(db.session, name, values, plugin.secret_settings)
                audit.record(db.session, "plugin_configured", "Plugin", name, {"keys": sorted(values)})
                db.session.commit()
                flash(_("Settings saved"), "success")
                return redirect(url_for(".index"))
        values = get_settings(db.session, name, plugin.tenant_settings)
        if errors:  # show what was typed, and why it was refused; nothing is saved
            values = {**values, **{key: request.form.get(key, "") for key in plugin.tenant_settings}}
        return self.render_template("mpanel/plugin_settings.html", plugin=plugin, values=values, form=form,
                                    settings=declared(plugin.tenant_settings), errors=errors), 400 if errors else 200


class EntryOut(Schema):
    name = fields.String(required=True)
    title = fields.String(required=True)
    description = fields.String(required=True)
    version = fields.String(required=True)
    category = fields.String(required=True)
    compatible = fields.Boolean(required=True)
    installed = fields.Boolean(required=True)
    active = fields.Boolean(required=True)
    configurable = fields.Boolean(required=True)


class EntriesOut(Schema):
    result = fields.List(fields.Nested(EntryOut), required=True)


class ActivationOut(Schema):
    name = fields.String(required=True)
    active = fields.Boolean(required=True)


class MarketplaceApi(Api):
    resource_name = "marketplace"
    allow_browser_login = True

    @expose("/", methods=["GET"])
    @documented(response=EntriesOut)
    @protect()
    @safe
    def list(self):
        """Installed and available plugins with their state for the tenant."""
        return self.response(200, result=[vars(e) for e in service.entries(db.session)])

    @expose("/<name>/activate", methods=["POST"])
    @documented(request=NoBody, response=result(ActivationOut), body_required=False)
    @protect()
    @safe
    def activate(self, name):
        """Activate a plugin for the tenant."""
        return self._change(name, True)

    @expose("/<name>/deactivate", methods=["POST"])
    @documented(request=NoBody, response=result(ActivationOut), body_required=False)
    @protect()
    @safe
    def deactivate(self, name):
        """Deactivate a plugin for the tenant."""
        return self._change(name, False)

    def _change(self, name, active):
        json_body(NoBody())
        try:
            change_activation(name, active)
        except PluginError as exc:
            db.session.rollback()
            return self.response_400(message={"plugin": [str(exc)]})
        return self.response(200, result={"name": name, "active": active})
