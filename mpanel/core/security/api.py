"""``/api/v1/security``: login (tenant from the host) with a second step for
two-factor accounts, refresh with rotation."""

from __future__ import annotations

from flask_appbuilder.security.api import SecurityApi
from flask_appbuilder.views import expose
from flask_jwt_extended import get_jwt, jwt_required
from marshmallow import Schema, fields, validate

from mpanel.api.base import Dialect, safe
from mpanel.api.body import json_body
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


class MPanelSecurityApi(Dialect, SecurityApi):
    @expose("/login", methods=["POST"])
    @safe
    def login(self):
        """Log in with username (or e-mail) and password of the host's tenant.
        ---
        post:
          description: Returns a JWT access token and, if asked, a refresh token.
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  type: object
                  properties:
                    username: {type: string}
                    password: {type: string}
                    refresh: {type: boolean}
          responses:
            200:
              description: >-
                Tokens; or, for an account with two-factor sign-in,
                ``{"mfa_required": true, "mfa_token": ...}`` to send to ``/login/mfa`` with a code
            400:
              $ref: '#/components/responses/400'
            401:
              $ref: '#/components/responses/401'
            403:
              description: Two-factor sign-in is required but not set up yet (set it up on the web)
            429:
              description: Too many attempts
        """
        payload = json_body(LoginSchema())
        user = self.appbuilder.sm.auth_user_db(payload["username"], payload["password"])
        if not user:
            db.session.commit()  # keep the failed-login audit row and count
            return self.response_401()
        step = signin.next_step(db.session, user)
        if step == "enrol":
            db.session.commit()
            return self.response(403, message="Two-factor sign-in is required: set it up by signing in on the web")
        if step == "mfa":
            token = signin.begin_step(db.session, user, step)
            db.session.commit()
            return self.response(200, mfa_required=True, mfa_token=token)
        return self._signed_in(user, payload["refresh"])

    @expose("/login/mfa", methods=["POST"])
    @safe
    def login_mfa(self):
        """Second sign-in step: the ``mfa_token`` from ``/login`` and a TOTP or recovery code.
        ---
        post:
          description: The token works once and for five minutes; five wrong codes use it up.
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  type: object
                  properties:
                    mfa_token: {type: string}
                    code: {type: string}
                    refresh: {type: boolean}
          responses:
            200:
              description: Tokens
            400:
              $ref: '#/components/responses/400'
            401:
              $ref: '#/components/responses/401'
            429:
              description: Too many attempts
        """
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
    @jwt_required(refresh=True)
    @safe
    def refresh(self):
        """Exchange a refresh token for a new access and refresh token.
        ---
        post:
          description: The presented refresh token is used up; presenting it again revokes its family.
          responses:
            200:
              description: New tokens
            401:
              $ref: '#/components/responses/401'
          security:
            - jwt_refresh: []
        """
        from flask import g

        result = tokens.rotate(db.session, get_jwt(), g.user)
        db.session.commit()
        if result is None:
            return self.response_401()
        return self.response(200, **result)
