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

from mpanel.api.base import Api, safe
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


class ClientContactsApi(Api):
    """The calling contact's customer's logins (its owner changes them)."""

    resource_name = "client"

    def _owner(self):
        if not g.user.customer_id:
            return None, self.response_404()
        if not g.user.contact_owner:
            return None, self.response_403()
        return db.session.get(Customer, g.user.customer_id), None

    def _body(self):
        body = request.get_json(silent=True)
        return body if isinstance(body, dict) else None

    @expose("/contacts/", methods=["GET"])
    @protect()
    @safe
    def list_contacts(self):
        """The customer's contacts.
        ---
        get:
          responses:
            200: {description: "The contacts"}
            403: {$ref: '#/components/responses/403'}
            404: {$ref: '#/components/responses/404'}
        """
        customer, refusal = self._owner()
        if refusal:
            return refusal
        return self.response(200, result=[_json(u) for u in contacts.contacts_of(db.session, customer.id)])

    @expose("/contacts/", methods=["POST"])
    @protect()
    @safe
    def invite_contact(self):
        """Invite a contact: ``{"email", "first_name"?, "last_name"?, "permissions": [...]}``.
        ---
        post:
          responses:
            202: {description: "An invitation is on its way (also when the address is in use)"}
            400: {$ref: '#/components/responses/400'}
            403: {$ref: '#/components/responses/403'}
        """
        customer, refusal = self._owner()
        if refusal:
            return refusal
        body = self._body()
        if body is None:
            return self.response_400(message={"_schema": ["a JSON object is required"]})
        try:
            contacts.invite_contact(db.session, customer, str(body.get("email") or ""),
                                    str(body.get("first_name") or "")[:64], str(body.get("last_name") or "")[:64],
                                    body.get("permissions") if isinstance(body.get("permissions"), list) else [None],
                                    request.host_url, g.user.get_full_name(),
                                    f"{customer.display_name} ({g.tenant.name})")
        except FieldError as exc:
            db.session.rollback()
            return self.response(exc.status, message=exc.as_messages())
        db.session.commit()
        return self.response(202, message="An invitation is on its way.")

    @expose("/contacts/<int:user_id>", methods=["PUT"])
    @protect()
    @safe
    def change_contact(self, user_id: int):
        """Change a contact's ``permissions``.
        ---
        put:
          responses:
            200: {description: "The contact"}
            400: {$ref: '#/components/responses/400'}
            404: {$ref: '#/components/responses/404'}
        """
        return self._on_contact(user_id, lambda user, body: contacts.change(
            db.session, user, body.get("permissions") if isinstance(body.get("permissions"), list) else [None]))

    @expose("/contacts/<int:user_id>", methods=["DELETE"])
    @protect()
    @safe
    def revoke_contact(self, user_id: int):
        """Revoke a contact's login.
        ---
        delete:
          responses:
            200: {description: "Revoked"}
            404: {$ref: '#/components/responses/404'}
            409: {description: "The owner's login stays"}
        """
        return self._on_contact(user_id, lambda user, _body: contacts.revoke(db.session, user), removes=True)

    def _on_contact(self, user_id, action, removes=False):
        customer, refusal = self._owner()
        if refusal:
            return refusal
        user = contacts.contact(db.session, customer.id, user_id)
        if user is None:
            return self.response_404()
        body = self._body() if not removes else {}
        if body is None:
            return self.response_400(message={"_schema": ["a JSON object is required"]})
        try:
            action(user, body)
        except FieldError as exc:
            db.session.rollback()
            return self.response(exc.status, message=exc.as_messages())
        db.session.commit()
        return self.response(200, message="revoked") if removes else self.response(200, result=_json(user))
