"""A tenant's account settings: whether customers may sign up (open, closed,
or open with staff approval), and the terms and privacy texts they accept,
each with a version stored with every acceptance."""

from __future__ import annotations

from mpanel.core.settings import get_settings, set_settings

NAMESPACE = "accounts"
SIGNUP_MODES = ("open", "approval", "closed")
DEFAULTS = {
    "signup": "open",
    "terms_text": "",
    "terms_version": "1",
    "privacy_text": "",
    "privacy_version": "1",
    "impersonation_write": False,  # staff logged in as a client may submit client-area forms
}


def get(session) -> dict:
    return get_settings(session, NAMESPACE, DEFAULTS)


def signup_mode(session) -> str:
    mode = get(session)["signup"]
    return mode if mode in SIGNUP_MODES else "closed"


def save(session, values: dict) -> None:
    if values.get("signup", "open") not in SIGNUP_MODES:
        raise ValueError(f"signup must be one of {', '.join(SIGNUP_MODES)}")
    set_settings(session, NAMESPACE, {k: v for k, v in values.items() if k in DEFAULTS})
