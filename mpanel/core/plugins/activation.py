"""A tenant that has not activated a plugin does not have it: every page, REST
endpoint and blueprint of that plugin answers 404 on the tenant's host."""

from __future__ import annotations

from flask import abort, current_app, request

from mpanel.core.plugins.engine import active_plugin_names, loaded_plugins, plugin_for_module
from mpanel.core.tenancy import current_tenant_id


def _owner(view_function) -> str:
    """The module a view was written in (FAB views are bound methods of their class)."""
    owner = getattr(view_function, "__self__", None)
    return type(owner).__module__ if owner is not None else view_function.__module__


def blueprint_owners(app) -> dict[str, str]:
    """Blueprint name -> plugin name, for the blueprints plugins registered."""
    owners = {}
    for endpoint, function in app.view_functions.items():
        blueprint = endpoint.rpartition(".")[0]
        plugin = plugin_for_module(_owner(function), app) if blueprint else None
        if plugin:
            owners[blueprint] = plugin
    return owners


def _request_plugin_name() -> str | None:
    owners = current_app.extensions.get("mpanel_blueprint_owners")
    if owners is None:  # built once per app: every view is registered before the first request
        owners = current_app.extensions["mpanel_blueprint_owners"] = blueprint_owners(current_app)
    return owners.get(request.blueprint)


def request_plugin():
    """The plugin whose page or endpoint serves this request (None for the kernel's)."""
    name = _request_plugin_name()
    return loaded_plugins()[name] if name else None


def _guard() -> None:
    plugin = _request_plugin_name()
    if plugin is None or current_tenant_id() is None:
        return
    from mpanel.extensions import db

    if plugin not in active_plugin_names(db.session):
        abort(404)


def install(app) -> None:
    app.before_request(_guard)
