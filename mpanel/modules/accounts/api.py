"""REST for accounts, through the pages' own services: customer sign-up on the
tenant's host (``/api/v1/signup/``: public, throttled like the page, the same
202 for known and unknown addresses) and the tenant's staff team for its Owners
and Admins (``/api/v1/team/``: the rules of ``/staff/team/``)."""

from __future__ import annotations

import datetime as dt

from flask import current_app, g, request
from flask_appbuilder.api import expose, protect
from marshmallow import Schema, fields, validate
from sqlalchemy.exc import IntegrityError

from mpanel.api import paging
from mpanel.api.base import Api, safe, transaction
from mpanel.api.body import json_body
from mpanel.api.fields import Id
from mpanel.api.openapi import documented, page_of, result
from mpanel.core.errors import FieldError
from mpanel.core.security import mfa
from mpanel.core.security.models import MPanelUser
from mpanel.core.security.roles import TENANT_ROLES
from mpanel.core.signals.tenancy import customer_created
from mpanel.extensions import appbuilder, db
from mpanel.modules.accounts import settings as account_settings
from mpanel.modules.accounts import signup, staff
from mpanel.modules.customers.validation import check_country, check_language, check_vat_id
from mpanel.web.forms import schema_rule

ACCEPTED = "We have sent a message to the address you entered. Open the link in it to confirm the address."


def _text(maximum: int, required: bool = True, **kwargs):
    if required:
        return fields.String(required=True, validate=validate.Length(min=1, max=maximum), **kwargs)
    return fields.String(load_default="", validate=validate.Length(max=maximum), **kwargs)


class SignupSchema(Schema):
    email = fields.Email(required=True, validate=validate.Length(max=320))
    password = _text(1024)
    first_name = _text(100)
    last_name = _text(100)
    company = _text(200, required=False)
    vat_id = fields.String(load_default="", validate=[validate.Length(max=32), schema_rule(check_vat_id)],
                           metadata={"description": "optional; checked per country (python-stdnum)"})
    address1 = _text(200)
    address2 = _text(200, required=False)
    postcode = _text(20)
    city = _text(100)
    country = fields.String(required=True, validate=schema_rule(check_country),
                            metadata={"description": "ISO 3166-1 alpha-2"})
    language = fields.String(required=True, validate=schema_rule(check_language))
    terms_version = _text(20, metadata={"description": "the version of the terms accepted (GET /signup/terms)"})
    privacy_version = _text(20, metadata={"description": "the version of the privacy policy accepted"})


class VerifySchema(Schema):
    token = _text(200, metadata={"description": "the token at the end of the mailed link"})


class SignupTermsSchema(Schema):
    signup = fields.String(metadata={"description": "open, approval (staff approve new customers) or closed"})
    terms_text = fields.String()
    terms_version = fields.String()
    privacy_text = fields.String()
    privacy_version = fields.String()


class MessageSchema(Schema):
    message = fields.String(required=True)


class SignupApi(Api):
    """Public: no token. The tenant comes from the host name; the platform has no customers."""

    resource_name = "signup"
    openapi_spec_component_schemas = (SignupSchema, VerifySchema, SignupTermsSchema)

    def _tenant(self):
        if g.get("tenant") is None:
            raise FieldError("request", "sign-up is on a tenant's host", status=404)
        return g.tenant

    @expose("/terms", methods=["GET"])
    @documented(response=SignupTermsSchema)
    @safe
    def terms(self):
        """Whether sign-up is open, and the terms and privacy texts with the versions to accept."""
        self._tenant()
        terms = account_settings.get(db.session)
        return self.response(200, signup=account_settings.signup_mode(db.session),
                             **{key: str(terms[key]) for key in ("terms_text", "terms_version", "privacy_text",
                                                                 "privacy_version")})

    @expose("/", methods=["POST"])
    @documented(request=SignupSchema, response=MessageSchema, status=202)
    @safe
    def sign_up(self):
        """Sign a customer up; a mail with a single-use link confirms the address."""
        tenant = self._tenant()
        data = json_body(SignupSchema())
        signup.check_open(db.session)
        signup.check_accepted(db.session, data["terms_version"], data["privacy_version"])
        try:
            customer = signup.register(db.session, tenant, data, request.remote_addr, request.host_url)
            db.session.commit()
        except IntegrityError:  # the address was taken meanwhile: the same answer
            db.session.rollback()
            customer = None
        if customer is not None:
            customer_created.send(customer)
        return self.response(202, message=ACCEPTED)

    @expose("/verify", methods=["POST"])
    @documented(request=VerifySchema, response=MessageSchema)
    @safe
    @transaction
    def verify(self):
        """Confirm the address with the mailed link's token (once; it expires)."""
        self._tenant()
        if signup.verify(db.session, json_body(VerifySchema())["token"]) is None:
            raise FieldError("token", "this link has expired or was used already")
        return self.response(200, message="the address is confirmed")


class InviteSchema(Schema):
    email = fields.Email(required=True, validate=validate.Length(max=320))
    role = fields.String(required=True, validate=validate.OneOf(TENANT_ROLES))
    first_name = _text(64, required=False)
    last_name = _text(64, required=False)


class MemberChangeSchema(Schema):
    role = fields.String(validate=validate.OneOf(TENANT_ROLES))
    active = fields.Boolean()


class MemberSchema(Schema):
    id = Id()
    email = fields.String()
    first_name = fields.String()
    last_name = fields.String()
    role = fields.String()
    active = fields.Boolean()
    two_factor = fields.Boolean()
    last_login = fields.DateTime(allow_none=True)


def member_json(user: MPanelUser) -> dict:
    return {"id": user.id, "email": user.email, "first_name": user.first_name, "last_name": user.last_name,
            "role": next(iter(sorted(staff.roles_of(user))), None), "active": user.active,
            "two_factor": mfa.enabled(db.session, user),
            "last_login": user.last_login.replace(tzinfo=dt.UTC).isoformat() if user.last_login else None}


class StaffTeamApi(Api):
    """A tenant's staff, for its Owners and Admins (others: 403; the operator: 404)."""

    resource_name = "team"
    base_permissions = ["can_get", "can_post", "can_put"]
    method_permission_name = {"list_team": "get", "invite": "post", "change": "put"}
    openapi_spec_component_schemas = (InviteSchema, MemberChangeSchema, MemberSchema)

    def _me(self) -> MPanelUser:
        if g.user.tenant_id is None:
            raise FieldError("request", "staff belong to a tenant: call the tenant's host", status=404)
        if not staff.is_manager(g.user):
            raise FieldError("request", "only a tenant's Owners and Admins manage its staff", status=403)
        return db.session.get(MPanelUser, g.user.id)

    @expose("/", methods=["GET"])
    @documented(response=page_of(MemberSchema), filters={"active": bool})
    @protect()
    @safe
    @paging.paged
    def list_team(self):
        """The tenant's staff, with their role, second factor and last sign-in."""
        self._me()
        count, rows = paging.page(staff.team_query(), MPanelUser, {"active": (MPanelUser.active, bool)},
                                  ("id", "email", "last_login"))
        return self.response(200, count=count, result=[member_json(user) for user in rows])

    @expose("/", methods=["POST"])
    @documented(request=InviteSchema, response=MessageSchema, status=202)
    @protect()
    @safe
    @transaction
    def invite(self):
        """Invite a staff member with a role (only an Owner grants Owner)."""
        me = self._me()
        data = json_body(InviteSchema())
        staff.invite(db.session, me, data["email"], data["role"], data["first_name"], data["last_name"],
                     request.host_url, g.tenant.name, request.remote_addr)
        return self.response(202, message="An invitation is on its way.")

    @expose("/<int:pk>", methods=["PUT"])
    @documented(request=MemberChangeSchema, response=result(MemberSchema))
    @protect()
    @safe
    @transaction
    def change(self, pk):
        """Change a member's role and/or deactivate (``active: false``) or reactivate them."""
        me = self._me()
        data = json_body(MemberChangeSchema())
        target = staff.member(db.session, pk)
        if target is None:
            return self.response_404()
        if not data:
            raise FieldError("body", "send role and/or active")
        if "role" in data:
            staff.change_role(db.session, me, target, data["role"], appbuilder.sm.find_role)
        if "active" in data:
            staff.set_active(db.session, me, target, data["active"])
        db.session.flush()
        return self.response(200, result=member_json(target))


def throttle(app, limiter) -> None:
    """The sign-up page's limits (per IP, per address) on the REST sign-up too."""
    from mpanel.modules.accounts.signup_views import _address_key, _ip_key

    bp = app.blueprints[SignupApi.__name__]
    not_signing_up = lambda: request.endpoint != f"{SignupApi.__name__}.sign_up"  # noqa: E731
    limiter.limit(lambda: current_app.config["SIGNUP_RATE_LIMIT"], key_func=_ip_key, methods=["POST"])(bp)
    limiter.limit(lambda: current_app.config["SIGNUP_ACCOUNT_RATE_LIMIT"], key_func=_address_key,
                  methods=["POST"], exempt_when=not_signing_up)(bp)
