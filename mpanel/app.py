"""The application factory: one flat, ordered sequence."""

from __future__ import annotations

import datetime as dt

from flask import Flask
from flask_babel import lazy_gettext as _l
from jinja2 import ChoiceLoader, FileSystemLoader
from sqlalchemy.orm import Session

from mpanel import cli
from mpanel.config import load_config
from mpanel.core import audit, outbox, security, storage, tasks, tenancy
from mpanel.core.plugins.engine import load_plugins
from mpanel.core.security.roles import build_roles
from mpanel.extensions import appbuilder, db, migrate
from mpanel.modules.integration.views import IntegrationSettingsView
from mpanel.paths import MIGRATIONS, TEMPLATES, TRANSLATIONS
from mpanel.web import (
    api_access,
    client,
    errors,
    headers,
    health,
    i18n,
    logs,
    metrics,
    proxy,
    routing,
    tenant_host,
    views,
)


def create_app(overrides: dict | None = None) -> Flask:
    app = Flask("mpanel", template_folder=str(TEMPLATES))
    routing.install(app)
    app.config.update(load_config(overrides))
    app.config["JWT_ACCESS_TOKEN_EXPIRES"] = dt.timedelta(minutes=app.config["JWT_ACCESS_MINUTES"])
    app.config["JWT_REFRESH_TOKEN_EXPIRES"] = dt.timedelta(days=app.config["JWT_REFRESH_DAYS"])
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(TRANSLATIONS)
    logs.configure(app)

    # Plugins are loaded before anything is bound, so a broken one stops the start.
    plugins = load_plugins(app.config["ENABLED_PLUGINS"])
    app.extensions["mpanel_plugins"] = {p.name: p for p in plugins}
    app.config["FAB_ROLES"] = build_roles(plugins)
    # Plugin templates come after the kernel's and FAB's, so they cannot shadow them.
    app.jinja_loader = ChoiceLoader([app.jinja_loader, *(FileSystemLoader(str(p.templates_dir))
                                                          for p in plugins if p.templates_dir)])

    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS))
    tenancy.install(Session)
    audit.install(Session)
    outbox.install(Session)
    tasks.configure(app)
    storage.init_app(app)
    tenant_host.install(app)  # before FAB's before_request, which loads the user

    with app.app_context():
        appbuilder.init_app(app, db.session)
        tenant_host.install_customer_scope(app)
        views.register(appbuilder)
        appbuilder.add_view(IntegrationSettingsView, "Mail and API", label=_l("Mail and API"), icon="fa-plug",
                            category="Administration")
        for plugin in plugins:
            plugin.init(app)
            plugin.register_views(appbuilder)
            for blueprint in plugin.blueprints():
                app.register_blueprint(blueprint)
        app.register_blueprint(client.blueprint)
        appbuilder.post_init()
        security.install(app, appbuilder)
        api_access.install(app, appbuilder.sm.limiter)

    i18n.install(app)
    errors.install(app)
    headers.install(app)
    health.install(app)
    metrics.install(app)
    proxy.install(app)  # outermost: every layer above sees the client's address
    app.cli.add_command(cli.mpanel)
    return app
