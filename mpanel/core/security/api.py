"""``/api/v1/security``: login (tenant from the host), refresh with rotation."""

from __future__ import annotations

from flask import request
from flask_appbuilder.api import safe
from flask_appbuilder.security.api import SecurityApi
from flask_appbuilder.views import expose
from flask_jwt_extended import get_jwt, jwt_required
from marshmallow import Schema, ValidationError, fields, validate

from mpanel.core.security import tokens
from mpanel.extensions import db


class LoginSchema(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=320))
    password = fields.String(required=True, validate=validate.Length(min=1, max=1024))
    provider = fields.String(load_default="db", validate=validate.OneOf(["db"]))
    refresh = fields.Boolean(load_default=False)


class MPanelSecurityApi(SecurityApi):
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
              description: Tokens
            400:
              $ref: '#/components/responses/400'
            401:
              $ref: '#/components/responses/401'
            429:
              description: Too many attempts
        """
        if not request.is_json:
            return self.response_400(message="Request body must be JSON")
        try:
            payload = LoginSchema().load(request.get_json(silent=True) or {})
        except ValidationError as error:
            return self.response_400(message=error.messages)
        user = self.appbuilder.sm.auth_user_db(payload["username"], payload["password"])
        if not user:
            db.session.commit()  # keep the failed-login audit row
            return self.response_401()
        result = tokens.issue_tokens(db.session, user, with_refresh=payload["refresh"])
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
