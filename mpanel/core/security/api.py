"""``/api/v1/security``: login (tenant from the host) with a second step for
two-factor accounts, refresh with rotation."""

from __future__ import annotations

from flask_appbuilder.security.api import SecurityApi
from flask_appbuilder.views import expose
from flask_jwt_extended import get_jwt, jwt_required
from marshmallow import Schema, fields, validate

from mpanel.api.base import Dialect, safe
from mpanel.api.body import json_body
from mpanel.api.openapi import NoBody, documented
from mpanel.core.security import signin, tokens
from mpanel.extensions import db


class LoginSchema(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=320))
    password = fields.String(required=True, validate=validate.Length(min=1, max=1024))
    provider = fields.String(load_default="db", validate=validate.OneOf(["db"]))
    refresh = fields.Boolean(load_default=False)


class SecondStepSchema(Schema):
    mfa_token = fields.String(required=True, validate=validate.Length(min=1, max=200))
    code = fields.String(required=True, validate=validate.Length(min=1, max=32))
    refresh = fields.Boolean(load_default=False)


class TokensOut(Schema):
    access_token = fields.String(metadata={"description": "absent when mfa_required"})
    refresh_token = fields.String(metadata={"description": "when refresh was asked for"})
    mfa_required = fields.Boolean(metadata={"description": "two-factor sign-in: send mfa_token and a code "
                                                           "to /login/mfa"})
    mfa_token = fields.String()


class MPanelSecurityApi(Dialect, SecurityApi):
    @expose("/login", methods=["POST"])
    @documented(request=LoginSchema, response=TokensOut)
    @safe
    def login(self):
        """Log in with username (or e-mail) and password of the host's tenant."""
        payload = json_body(LoginSchema())
        user = self.appbuilder.sm.auth_user_db(payload["username"], payload["password"])
        if not user:
            db.session.commit()  # keep the failed-login audit row and count
            return self.response_401()
        step = signin.next_step(db.session, user)
        if step == "enrol":
            db.session.commit()
            return self.response(403, message={
                "mfa": ["Two-factor sign-in is required: set it up by signing in on the web"]})
        if step == "mfa":
            token = signin.begin_step(db.session, user, step)
            db.session.commit()
            return self.response(200, mfa_required=True, mfa_token=token)
        return self._signed_in(user, payload["refresh"])

    @expose("/login/mfa", methods=["POST"])
    @documented(request=SecondStepSchema, response=TokensOut)
    @safe
    def login_mfa(self):
        """Second sign-in step: the ``mfa_token`` from ``/login`` and a TOTP or recovery code."""
        payload = json_body(SecondStepSchema())
        token, user = signin.pending(db.session, payload["mfa_token"], "mfa")
        if token is None:
            return self.response_401()
        if not signin.second_factor(db.session, token, user, payload["code"]):
            db.session.commit()
            return self.response_401()
        return self._signed_in(user, payload["refresh"])

    def _signed_in(self, user, refresh: bool):
        signin.complete(db.session, user, web=False)
        result = tokens.issue_tokens(db.session, user, with_refresh=refresh)
        db.session.commit()
        return self.response(200, **result)

    @expose("/refresh", methods=["POST"])
    @documented(request=NoBody, response=TokensOut, body_required=False, security=[{"jwt": []}])
    @jwt_required(refresh=True)
    @safe
    def refresh(self):
        """Exchange a refresh token for a new access and refresh token."""
        from flask import g

        json_body(NoBody())
        result = tokens.rotate(db.session, get_jwt(), g.user)
        db.session.commit()
        if result is None:
            return self.response_401()
        return self.response(200, **result)
