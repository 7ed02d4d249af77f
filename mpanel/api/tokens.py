"""Token refusals in the dialect's shape: every missing, malformed, expired or revoked
JWT is a 401 with ``{"message": {"request": [text]}}``, like every other refusal
(flask-jwt-extended answers ``{"msg": ...}``, and 422 for a malformed token, by default)."""

from __future__ import annotations

from flask import jsonify

from .base import REQUEST


def _refuse(text: str):
    return jsonify(message={REQUEST: [text]}), 401


def install(app) -> None:
    jwt = app.extensions.get("flask-jwt-extended")
    if jwt is None:
        return
    jwt.unauthorized_loader(lambda reason: _refuse("sign in or send a token"))
    jwt.invalid_token_loader(lambda reason: _refuse("the token is invalid"))
    jwt.expired_token_loader(lambda header, payload: _refuse("the token has expired"))
    jwt.revoked_token_loader(lambda header, payload: _refuse("the token has been revoked"))
    jwt.needs_fresh_token_loader(lambda header, payload: _refuse("sign in again for this action"))
    jwt.user_lookup_error_loader(lambda header, payload: _refuse("the token's account no longer exists"))
    jwt.token_verification_failed_loader(lambda header, payload: _refuse("the token is invalid"))
