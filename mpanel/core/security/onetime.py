"""Short-lived single-use tokens: the pending second sign-in step ("mfa", or
"enrol" when the policy demands a second factor the user has not set up) and
password reset links ("reset"). Only their hashes are stored."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update

from mpanel.core.security import clock
from mpanel.core.security.hashing import digest, new_token
from mpanel.core.security.models import OneTimeToken

MAX_ATTEMPTS = 5  # wrong codes before a sign-in step must start again


def issue(session, user_id: int, purpose: str, lifetime: dt.timedelta, ip: str | None) -> str:
    raw = new_token()
    now = clock.now()
    session.add(OneTimeToken(user_id=user_id, purpose=purpose, token_hash=digest(raw), created_at=now,
                             expires_at=now + lifetime, attempts=0, ip=ip))
    return raw


def find(session, raw: str | None, purpose: str) -> OneTimeToken | None:
    """The usable token: right purpose, not used, not expired, attempts left."""
    if not raw:
        return None
    token = session.scalar(select(OneTimeToken).where(OneTimeToken.token_hash == digest(raw),
                                                      OneTimeToken.purpose == purpose))
    if token is None or token.used_at is not None or token.expires_at <= clock.now():
        return None
    return token if token.attempts < MAX_ATTEMPTS else None


def use(session, token: OneTimeToken) -> bool:
    """Mark used; False if a concurrent request used it first."""
    result = session.execute(update(OneTimeToken).where(OneTimeToken.id == token.id, OneTimeToken.used_at.is_(None))
                             .values(used_at=clock.now()))
    return result.rowcount == 1


def use_all(session, user_id: int, purpose: str) -> None:
    session.execute(update(OneTimeToken).where(OneTimeToken.user_id == user_id, OneTimeToken.purpose == purpose,
                                               OneTimeToken.used_at.is_(None)).values(used_at=clock.now()))
