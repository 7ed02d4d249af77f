"""Home pages: ``/`` sends each signed-in person to their home (a visitor sees
the welcome page with sign-in and sign-up); the staff home and the operator
home list the main pages their roles reach; the language switch returns to the
page it was used on."""

from __future__ import annotations

import os

from flask import Blueprint, abort, current_app, g, redirect, render_template, request, session
from flask_appbuilder import BaseView, expose
from flask_login import current_user

from mpanel.extensions import appbuilder, db
from mpanel.modules.accounts import settings as account_settings
from mpanel.modules.accounts.navigation import home_url, safe_next

blueprint = Blueprint("accounts_home", __name__)


class HomeView(BaseView):
    """FAB's index view (``FAB_INDEX_VIEW``)."""

    route_base = ""
    default_view = "index"

    @expose("/")
    def index(self):
        if current_user.is_authenticated:
            return redirect(home_url(current_user))
        return redirect(home_url(None))


def _render(template: str, **context):
    return render_template(template, appbuilder=appbuilder, base_template=appbuilder.base_template, **context)


def menu_links() -> list[tuple[str, list[tuple[str, str]]]]:
    """(category label, [(label, url)]) of the menu entries the signed-in user may open."""
    sm, sections = appbuilder.sm, []
    for item in appbuilder.menu.get_list():
        entries = item.childs or [item]
        links = [(str(child.label), child.get_url()) for child in entries
                 if child.name != "-" and child.get_url() and sm.has_access("menu_access", child.name)]
        if links:
            sections.append((str(item.label), links))
    return sections


@blueprint.route("/welcome")
def welcome():
    if current_user.is_authenticated:
        return redirect(home_url(current_user))
    tenant = g.get("tenant")
    signup_open = tenant is not None and account_settings.signup_mode(db.session) != "closed"
    return _render("accounts/welcome.html", tenant=tenant, signup_open=signup_open)


@blueprint.route("/staff/")
def staff():
    if not current_user.is_authenticated:
        return redirect(appbuilder.get_url_for_login_with(request.path))
    if current_user.customer_id or current_user.tenant_id is None:
        abort(404)
    from mpanel.modules import dashboard

    return _render("accounts/staff_home.html", sections=menu_links(), tenant=g.get("tenant"),
                   widgets=dashboard.collect(db.session))


@blueprint.route("/operator/")
def operator():
    if not current_user.is_authenticated:
        return redirect(appbuilder.get_url_for_login_with(request.path))
    if current_user.tenant_id is not None:
        abort(404)
    return _render("accounts/operator_home.html", sections=menu_links(),
                   mail_inbox=os.environ.get("MPANEL_MAIL_CATCHER_URL"))  # set by `make run`


@blueprint.route("/language/<code>")
def language(code: str):
    """Switch the page language, then back to ``next`` (a path on this host)."""
    if code not in current_app.config["LANGUAGES"]:
        abort(404)
    session["locale"] = code
    if current_user.is_authenticated and current_user.locale != code:
        current_user.locale = code
        db.session.commit()
    return redirect(safe_next(request.args.get("next")) or home_url(current_user))
