"""``/client/contacts/`` and ``/api/v1/client/contacts/``: a customer's owner
invites contacts with permissions, changes and revokes them. Other contacts
get 403; another customer's contacts are not found (404)."""

from __future__ import annotations

import functools

from flask import Blueprint, abort, flash, g, redirect, request, url_for
from flask_appbuilder.api import expose, protect
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from marshmallow import Schema, fields, validate

from mpanel.api.base import Api, safe
from mpanel.api.body import json_body
from mpanel.api.openapi import NoBody, documented, result
from mpanel.core.errors import FieldError
from mpanel.core.security.models import CONTACT_PERMISSIONS
from mpanel.extensions import db
from mpanel.modules.accounts import contacts
from mpanel.modules.customers.models import Customer
from mpanel.web.client import client_page, render_client

blueprint = Blueprint("accounts_contacts", __name__, url_prefix="/client/contacts")


def owner_only(view):
    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.contact_owner:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def _place() -> str:
    return f"{g.customer.display_name} ({g.tenant.name})"


def _page(status=200, error=None):
    return render_client("accounts/contacts.html", contacts=contacts.contacts_of(db.session, g.customer.id),
                         permissions=CONTACT_PERMISSIONS, form=FlaskForm(), error=error), status


@blueprint.route("/")
@client_page()
@owner_only
def index():
    return _page()


@blueprint.route("/", methods=["POST"])
@client_page()
@owner_only
def invite():
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        contacts.invite_contact(db.session, g.customer, request.form.get("email", ""),
                                request.form.get("first_name", "")[:64], request.form.get("last_name", "")[:64],
                                request.form.getlist("permissions"), request.host_url,
                                current_user.get_full_name(), _place())
    except FieldError as exc:
        db.session.rollback()
        return _page(exc.status, error=exc)
    db.session.commit()
    flash(_("An invitation is on its way."), "success")
    return redirect(url_for(".index"))


@blueprint.route("/<int:user_id>", methods=["POST"])
@client_page()
@owner_only
def update(user_id: int):
    user = contacts.contact(db.session, g.customer.id, user_id)
    if user is None:
        abort(404)
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        if request.form.get("revoke"):
            contacts.revoke(db.session, user)
        else:
            contacts.change(db.session, user, request.form.getlist("permissions"))
    except FieldError as exc:
        db.session.rollback()
        return _page(exc.status, error=exc)
    db.session.commit()
    return redirect(url_for(".index"))


def _json(user) -> dict:
    return {"id": user.id, "email": user.email, "first_name": user.first_name, "last_name": user.last_name,
            "owner": user.contact_owner, "active": user.active,
            "permissions": list(CONTACT_PERMISSIONS) if user.contact_owner else
            [p for p in user.contact_permissions.split(",") if p]}


class PermissionsSchema(Schema):
    permissions = fields.List(fields.String(validate=validate.OneOf(CONTACT_PERMISSIONS)), required=True)


class InviteContactSchema(PermissionsSchema):
    email = fields.String(required=True, validate=validate.Length(min=1, max=254))
    first_name = fields.String(load_default="")
    last_name = fields.String(load_default="")


class ContactOut(Schema):
    id = fields.Integer(required=True)
    email = fields.String(required=True)
    first_name = fields.String(allow_none=True)
    last_name = fields.String(allow_none=True)
    owner = fields.Boolean(allow_none=True)
    active = fields.Boolean(allow_none=True)
    permissions = fields.List(fields.String(), required=True)


class ContactsOut(Schema):
    result = fields.List(fields.Nested(ContactOut), required=True)


class InvitedOut(Schema):
    message = fields.String(required=True)


class ClientContactsApi(Api):
    """The calling contact's customer's logins (its owner changes them)."""

    resource_name = "client"

    def _owner(self):
        if not g.user.customer_id:
            return None, self.response_404()
        if not g.user.contact_owner:
            return None, self.response_403()
        return db.session.get(Customer, g.user.customer_id), None

    @expose("/contacts/", methods=["GET"])
    @documented(response=ContactsOut)
    @protect()
    @safe
    def list_contacts(self):
        """The customer's contacts."""
        customer, refusal = self._owner()
        if refusal:
            return refusal
        return self.response(200, result=[_json(u) for u in contacts.contacts_of(db.session, customer.id)])

    @expose("/contacts/", methods=["POST"])
    @documented(request=InviteContactSchema, response=InvitedOut, status=202)
    @protect()
    @safe
    def invite_contact(self):
        """Invite a contact: ``{"email", "first_name"?, "last_name"?, "permissions": [...]}``."""
        customer, refusal = self._owner()
        if refusal:
            return refusal
        body = json_body(InviteContactSchema())
        try:
            contacts.invite_contact(db.session, customer, body["email"], body["first_name"][:64],
                                    body["last_name"][:64], body["permissions"], request.host_url,
                                    g.user.get_full_name(),
                                    f"{customer.display_name} ({g.tenant.name})")
        except FieldError as exc:
            db.session.rollback()
            return self.response(exc.status, message=exc.as_messages())
        db.session.commit()
        return self.response(202, message="An invitation is on its way.")

    @expose("/contacts/<int:user_id>", methods=["PUT"])
    @documented(request=PermissionsSchema, response=result(ContactOut))
    @protect()
    @safe
    def change_contact(self, user_id: int):
        """Change a contact's ``permissions``."""
        return self._on_contact(user_id, lambda user, body: contacts.change(db.session, user, body["permissions"]))

    @expose("/contacts/<int:user_id>", methods=["DELETE"])
    @documented(response=result(ContactOut))
    @protect()
    @safe
    def revoke_contact(self, user_id: int):
        """Revoke a contact's login."""
        return self._on_contact(user_id, lambda user, _body: contacts.revoke(db.session, user), removes=True)

    def _on_contact(self, user_id, action, removes=False):
        customer, refusal = self._owner()
        if refusal:
            return refusal
        user = contacts.contact(db.session, customer.id, user_id)
        if user is None:
            return self.response_404()
        body = json_body(NoBody() if removes else PermissionsSchema())
        try:
            action(user, body)
        except FieldError as exc:
            db.session.rollback()
            return self.response(exc.status, message=exc.as_messages())
        db.session.commit()
        return self.response(200, result=_json(user))
