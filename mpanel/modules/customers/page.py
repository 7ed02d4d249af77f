"""The staff customer page ``/customers/<id>``: profile, contacts, what plugins show
(:mod:`.sections`), internal notes and the audit trail of the customer's changes.
It uses CustomerView's permissions: can_show to read, can_edit to add a note."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import lazy_gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import TextAreaField
from wtforms.validators import InputRequired, Length

from mpanel.core.audit import AuditLog
from mpanel.core.security.models import MPanelUser
from mpanel.extensions import db
from mpanel.modules.customers.models import Customer, CustomerNote
from mpanel.modules.customers.sections import sections_for


class NoteForm(FlaskForm):
    body = TextAreaField(_("Note"), validators=[InputRequired(), Length(max=5000)])


class CustomerPageView(BaseView):
    route_base = "/customers"
    class_permission_name = "CustomerView"
    method_permission_name = {"page": "show", "add_note": "edit"}
    base_permissions = ["can_show", "can_edit"]

    def _customer(self, pk: int) -> Customer:
        customer = db.session.get(Customer, pk)
        if customer is None:
            abort(404)
        return customer

    def _render(self, customer: Customer, form: NoteForm, status: int = 200):
        notes = db.session.scalars(select(CustomerNote).where(CustomerNote.customer_id == customer.id)
                                   .order_by(CustomerNote.id.desc())).all()
        contacts = db.session.scalars(select(MPanelUser).where(MPanelUser.customer_id == customer.id)
                                      .order_by(MPanelUser.id)).all()
        return self.render_template("customers/page.html", customer=customer, sections=sections_for(customer),
                                    notes=notes, contacts=contacts, form=form, trail=_trail(customer),
                                    title=customer.display_name), status

    @expose("/<int:pk>")
    @has_access
    def page(self, pk):
        return self._render(self._customer(pk), NoteForm(formdata=None))

    @expose("/<int:pk>/notes", methods=["POST"])
    @has_access
    def add_note(self, pk):
        customer, form = self._customer(pk), NoteForm()
        if not form.validate_on_submit() or not form.body.data.strip():
            if not form.body.errors:
                form.body.errors = [_("Write the note first")]
            return self._render(customer, form, 400)
        db.session.add(CustomerNote(customer_id=customer.id, body=form.body.data.strip(), author=current_user.email))
        db.session.commit()
        flash(_("Note added"), "success")
        return redirect(url_for("CustomerPageView.page", pk=customer.id))


def _trail(customer: Customer, limit: int = 50) -> list:
    """The latest audit rows about the customer: the customer row itself and changes whose summary names it."""
    return db.session.scalars(select(AuditLog).where(
        ((AuditLog.object_type == "Customer") & (AuditLog.object_id == str(customer.id)))
        | (AuditLog.summary["customer_id"].astext == str(customer.id))).order_by(AuditLog.id.desc())
        .limit(limit)).all()
