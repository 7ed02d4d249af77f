"""Second factor: TOTP (RFC 6238) with single-use recovery codes, and the
tenant's policy of who must use it."""

from __future__ import annotations

import hmac
import secrets

import pyotp
import segno
from flask import current_app, g
from sqlalchemy import delete, select, update

from mpanel.core import crypto
from mpanel.core.security import clock
from mpanel.core.security.hashing import digest
from mpanel.core.security.models import Device, RecoveryCode, SecurityAccount
from mpanel.core.settings import get_settings

STEP = 30
RECOVERY_CODES = 10
_CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i
POLICY_NAMESPACE = "security"
POLICY_DEFAULTS = {"require_2fa_all_staff": False, "require_2fa_roles": []}


def required(session, user) -> bool:
    """Operators always; customers' contacts never by policy (they may opt in);
    tenant staff when the tenant requires it for everyone or for one of their roles."""
    if user.is_operator:
        return True
    if user.is_contact:
        return False
    policy = get_settings(session, POLICY_NAMESPACE, POLICY_DEFAULTS)
    return bool(policy["require_2fa_all_staff"]) or any(r.name in policy["require_2fa_roles"] for r in user.roles)


def enabled(session, user) -> bool:
    account = SecurityAccount.of(session, user.id)
    return account is not None and account.mfa_enabled


def pending_secret(session, user) -> str:
    """The secret being enrolled (made on first call); confirm it with a code."""
    account = SecurityAccount.of(session, user.id, create=True)
    if account.mfa_enabled:
        raise ValueError("two-factor sign-in is already on")
    if account.totp_secret is None:
        account.totp_secret = crypto.encrypt(pyotp.random_base32())
    return crypto.decrypt(account.totp_secret)


def provisioning(user, secret: str) -> tuple[str, str]:
    """(otpauth URI, QR code of it as inline SVG) for an authenticator app."""
    tenant = g.get("tenant")
    issuer = tenant.name if tenant else current_app.config["APP_NAME"]
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=issuer)
    return uri, segno.make(uri, error="m").svg_inline(scale=5, omitsize=True)


def confirm(session, user, code: str) -> list[str] | None:
    """Turn TOTP on if ``code`` matches the pending secret; returns new recovery codes."""
    account = SecurityAccount.of(session, user.id)
    if account is None or account.totp_secret is None or account.mfa_enabled or not _totp_ok(account, code):
        return None
    account.totp_confirmed_at = clock.now()
    return renew_recovery_codes(session, user)


def verify(session, user, code: str) -> str | None:
    """"totp" or "recovery" if ``code`` is a valid second factor (a recovery code
    is used up), else None."""
    account = SecurityAccount.of(session, user.id)
    if account is None or not account.mfa_enabled:
        return None
    if _totp_ok(account, code):
        return "totp"
    used = session.execute(
        update(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.code_hash == _code_hash(user.id, code),
               RecoveryCode.used_at.is_(None))
        .values(used_at=clock.now())
        .returning(RecoveryCode.id)
    ).first()
    return "recovery" if used else None


def disable(session, user) -> None:
    """TOTP off, recovery codes gone, no device skips the second factor any more."""
    account = SecurityAccount.of(session, user.id)
    if account is not None:
        account.totp_secret = account.totp_confirmed_at = account.totp_last_step = None
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    session.execute(update(Device).where(Device.user_id == user.id).values(trusted_until=None))


def renew_recovery_codes(session, user) -> list[str]:
    """Ten fresh codes (shown once; only their hashes are kept), replacing the old ones."""
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
        session.add(RecoveryCode(user_id=user.id, code_hash=_code_hash(user.id, raw)))
    return codes


def unused_recovery_codes(session, user) -> int:
    return len(session.scalars(select(RecoveryCode.id).where(RecoveryCode.user_id == user.id,
                                                             RecoveryCode.used_at.is_(None))).all())


def _totp_ok(account: SecurityAccount, code: str) -> bool:
    """Accept the current step or one either side (clock drift), each step once."""
    code = "".join(code.split())
    if len(code) != 6 or not code.isdigit():
        return False
    totp = pyotp.TOTP(crypto.decrypt(account.totp_secret))
    current = int(clock.now().timestamp() // STEP)
    for step in (current - 1, current, current + 1):
        if account.totp_last_step is not None and step <= account.totp_last_step:
            continue
        if hmac.compare_digest(totp.generate_otp(step), code):
            account.totp_last_step = step
            return True
    return False


def _code_hash(user_id: int, code: str) -> str:
    return digest(f"{user_id}:{''.join(code.lower().replace('-', '').split())}")
