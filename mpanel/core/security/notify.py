"""Security events: an audit row each (the tenant's security feed shows them)
and, for what the user must hear about, a mail through the outbox."""

from __future__ import annotations

import logging

from mpanel.core import audit, mail
from mpanel.core.tenancy import current_tenant_id

log = logging.getLogger(__name__)

# Audit actions shown in the security feed.
SECURITY_ACTIONS = (
    "login", "login_failed", "login_refused_locked", "account_locked", "mfa_failed", "mfa_enabled",
    "mfa_disabled", "recovery_codes_renewed", "recovery_code_used", "new_device_login", "device_forgotten",
    "password_changed", "password_reset_requested", "password_reset", "sessions_revoked", "session_revoked",
    "api_key_created", "api_key_revoked", "api_key_refused", "privilege_changed", "security_policy_changed",
    "mfa_reset", "staff_activated", "staff_deactivated", "invitation_sent", "invitation_accepted", "client_login",
)


def event(session, action: str, user, summary: dict | None = None, by_user: bool = False) -> None:
    """Audit ``action`` on ``user``; ``by_user``: the user acted (while signing in,
    before anyone is signed in), else whoever is signed in."""
    actor = {"actor_id": user.id, "actor": user.username} if by_user else {}
    audit.record(session, action, "User", user.id, summary, **actor)


def tell(session, user, subject: str, text: str, dedupe_key: str) -> None:
    """Mail the user. Platform operators have no tenant and so no outbox: their
    events stay in the audit log only."""
    if current_tenant_id() is None:
        log.info("security mail to operator %s not sent (no outbox for the platform): %s", user.id, subject)
        return
    mail.enqueue(session, user.email, subject, text, dedupe_key=dedupe_key)
