"""The staff page: start an import (or a dry run) in the background and read its report."""

from __future__ import annotations

from flask import abort, flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_wtf import FlaskForm
from sqlalchemy import select

from mpanel.core import audit, crypto
from mpanel.core.errors import FieldError
from mpanel.core.tenancy import current_tenant_id
from mpanel.extensions import db

from .i18n import lazy_gettext as _
from .models import QUEUED, RUNNING, ImportRun
from .source import safe_label


class WhmcsImportView(BaseView):
    route_base = "/import/whmcs"
    default_view = "index"

    @expose("/", methods=["GET", "POST"])
    @has_access
    def index(self):
        if current_tenant_id() is None:
            abort(404)  # an import goes into one tenant: open the page on the tenant's host
        form, error = FlaskForm(), None
        if request.method == "POST":
            if not form.validate_on_submit():
                abort(400)
            dsn = (request.form.get("source") or "").strip()
            try:
                label = safe_label(dsn)
            except FieldError as exc:
                error = exc.message if hasattr(exc, "message") else str(exc)
            else:
                if db.session.scalar(select(ImportRun.id).where(ImportRun.status.in_((QUEUED, RUNNING)))):
                    error = _("An import is running already; wait for its report.")
                else:
                    run = ImportRun(source=label, secret=crypto.encrypt(dsn), status=QUEUED,
                                    dry_run=bool(request.form.get("dry_run")),
                                    started_by=getattr(g.user, "email", None))
                    db.session.add(run)
                    db.session.flush()
                    audit.record(db.session, "whmcs_import_started", "ImportRun", run.id,
                                 {"source": label, "dry_run": run.dry_run})
                    db.session.commit()
                    from .tasks import run_import_task

                    run_import_task(current_tenant_id(), run.id)
                    flash(_("Import queued"), "success")
                    return redirect(url_for(".show", run_id=run.id))
        runs = db.session.scalars(select(ImportRun).order_by(ImportRun.id.desc()).limit(20)).all()
        return self.render_template("import_whmcs/index.html", form=form, runs=runs, error=error,
                                    source=request.form.get("source", "")), 400 if error else 200

    @expose("/<int:run_id>")
    @has_access
    def show(self, run_id):
        run = db.session.get(ImportRun, run_id)
        if run is None:
            abort(404)
        return self.render_template("import_whmcs/run.html", run=run)


def register(appbuilder) -> None:
    appbuilder.add_view(WhmcsImportView, "Import from WHMCS", label=_("Import from WHMCS"), icon="fa-upload",
                        category="Administration")
