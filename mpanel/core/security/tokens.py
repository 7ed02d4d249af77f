"""JWT issue and refresh-token rotation.

Every refresh token is recorded; using one marks it used and issues a new pair
in the same family. Presenting a used or revoked token again revokes the whole
family (it was stolen or replayed) and is refused.
"""

from __future__ import annotations

import datetime as dt
import uuid

from flask import current_app, g, request
from flask_jwt_extended import create_access_token, create_refresh_token, decode_token
from sqlalchemy import update

from mpanel.core.security import clock
from mpanel.core.security.models import RefreshToken


def _claims(user) -> dict:
    # "issued": iat to the microsecond, so a reset refuses tokens of the same second.
    return {"tid": user.tenant_id, "cid": user.customer_id, "issued": clock.now().timestamp()}


def issue_tokens(session, user, with_refresh: bool, family: str | None = None) -> dict:
    tokens = {"access_token": create_access_token(identity=str(user.id), fresh=family is None,
                                                  additional_claims=_claims(user))}
    if with_refresh:
        jti = uuid.uuid4().hex
        tokens["refresh_token"] = create_refresh_token(
            identity=str(user.id), additional_claims={**_claims(user), "jti": jti})
        expires = dt.datetime.now(dt.UTC) + current_app.config["JWT_REFRESH_TOKEN_EXPIRES"]
        session.add(RefreshToken(jti=jti, family=family or jti, user_id=user.id, expires_at=expires,
                                 ip=request.remote_addr, user_agent=(request.user_agent.string or "")[:300]))
    return tokens


def rotate(session, jwt_data: dict, user) -> dict | None:
    """Exchange a refresh token for a new pair, or None if it may not be used."""
    token = session.get(RefreshToken, jwt_data["jti"], with_for_update=True)
    if token is None or token.user_id != user.id:
        return None
    if token.used_at is not None or token.revoked_at is not None:
        revoke_family(session, token.family)
        return None
    token.used_at = dt.datetime.now(dt.UTC)
    return issue_tokens(session, user, with_refresh=True, family=token.family)


def revoke_family(session, family: str) -> None:
    session.execute(update(RefreshToken).where(RefreshToken.family == family, RefreshToken.revoked_at.is_(None))
                    .values(revoked_at=dt.datetime.now(dt.UTC)))


def revoke_user(session, user_id: int) -> None:
    """Sign a user out of every API session (password reset, "sign out everywhere")."""
    session.execute(update(RefreshToken).where(RefreshToken.user_id == user_id, RefreshToken.revoked_at.is_(None))
                    .values(revoked_at=dt.datetime.now(dt.UTC)))


def bearer_claims() -> dict | None:
    """The claims of the request's Bearer JWT, verified (signature, expiry) once per
    request; None without one or when it does not verify (an API key is no JWT)."""
    if "mpanel_bearer_claims" not in g:
        header = request.headers.get("Authorization", "")
        claims = None
        if header.startswith("Bearer "):
            try:
                claims = decode_token(header[7:].strip())
            except Exception:
                claims = None
        g.mpanel_bearer_claims = claims
    return g.mpanel_bearer_claims


def scope_from_bearer() -> tuple[int | None, int | None] | None:
    """(tenant, customer) claimed by a valid Bearer JWT, or None if there is none.

    The user itself is loaded later by FAB, inside the scope set from these claims.
    """
    claims = bearer_claims()
    if claims is None:
        return None
    return claims.get("tid"), claims.get("cid")
