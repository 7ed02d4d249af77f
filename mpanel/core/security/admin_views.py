"""Tenant administration of account security: the two-factor policy and the
security feed (the audit log's security events)."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.models.sqla.filters import FilterIn
from flask_appbuilder.security.views import UserDBModelView as FabUserDBModelView
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from mpanel.core import audit
from mpanel.core.security import role_rules
from mpanel.core.security.forms import PolicyForm
from mpanel.core.security.mfa import POLICY_DEFAULTS, POLICY_NAMESPACE
from mpanel.core.security.notify import SECURITY_ACTIONS
from mpanel.core.security.roles import TENANT_ROLES
from mpanel.core.settings import get_settings, set_settings
from mpanel.core.tenancy import current_tenant_id
from mpanel.extensions import db
from mpanel.modules.audit.views import AuditLogView


class SecurityPolicyView(BaseView):
    route_base = "/security/policy"
    default_view = "edit"

    @expose("/", methods=["GET", "POST"])
    @has_access
    def edit(self):
        if current_tenant_id() is None:
            abort(404)  # operators always need a second factor: nothing to set
        form = PolicyForm(data=get_settings(db.session, POLICY_NAMESPACE, POLICY_DEFAULTS))
        form.require_2fa_roles.choices = [(role, role) for role in TENANT_ROLES]
        if form.validate_on_submit():
            values = {"require_2fa_all_staff": form.require_2fa_all_staff.data,
                      "require_2fa_roles": sorted(form.require_2fa_roles.data)}
            set_settings(db.session, POLICY_NAMESPACE, values)
            audit.record(db.session, "security_policy_changed", "Tenant", current_tenant_id(), values)
            db.session.commit()
            flash(_("Security policy saved"), "success")
            return redirect(url_for(".edit"))
        return self.render_template("security/policy.html", form=form)


class SecurityFeedView(AuditLogView):
    """Failed and locked sign-ins, second-factor failures, new devices, keys,
    password and privilege changes of the tenant's users."""

    list_title = _l("Security feed")
    base_filters = [["action", FilterIn, list(SECURITY_ACTIONS)]]


class UserDBModelView(FabUserDBModelView):
    """FAB's user admin (the operator's): refuses users whose roles do not fit
    their tenant (:mod:`role_rules`) with a message, before anything is stored."""

    def pre_add(self, item):
        if item.tenant_id is None:
            item.tenant_id = current_tenant_id()
        role_rules.check(item)
        super().pre_add(item)

    def pre_update(self, item):
        role_rules.check(item)
        super().pre_update(item)
