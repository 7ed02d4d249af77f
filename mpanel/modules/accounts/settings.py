"""A tenant's account settings: whether customers may sign up (open, closed,
or open with staff approval), and the terms and privacy texts they accept,
each with a version stored with every acceptance."""

from __future__ import annotations

import re

from mpanel.core.settings import Setting, get_settings, parse_settings, set_settings

NAMESPACE = "accounts"
SIGNUP_MODES = ("open", "approval", "closed")
TEXT_LIMIT, VERSION_LIMIT = 50_000, 20


def _length(limit: int, required: bool = False):
    def check(value: str) -> None:
        if required and not value.strip():
            raise ValueError("must not be empty")
        if len(value) > limit:
            raise ValueError(f"at most {limit} characters")

    return check


def _colour(value: str) -> None:
    if not re.fullmatch(r"#[0-9a-fA-F]{6}", value):
        raise ValueError("must be a colour such as #174a7a")


def _logo_url(value: str) -> None:
    # The page's Content-Security-Policy loads images from our own origin only.
    if value and not (value.startswith("/") and not value.startswith("//")) and not value.startswith("data:image/"):
        raise ValueError("must be a path on this host (/static/...) or a data:image URL")
    if len(value) > 200_000:
        raise ValueError("at most 200000 characters")


DEFAULTS = {
    "signup": Setting("open", "choice", choices=SIGNUP_MODES),
    "terms_text": Setting("", "textarea", check=_length(TEXT_LIMIT)),
    "terms_version": Setting("1", check=_length(VERSION_LIMIT, required=True)),
    "privacy_text": Setting("", "textarea", check=_length(TEXT_LIMIT)),
    "privacy_version": Setting("1", check=_length(VERSION_LIMIT, required=True)),
    "impersonation_write": Setting(False, "bool"),  # staff logged in as a client may submit client-area forms
    # The client area's and storefront's brand (empty: the tenant's name, no logo, the default colour).
    "brand_name": Setting("", check=_length(100)),
    "brand_logo_url": Setting("", check=_logo_url),
    "brand_color": Setting("#174a7a", check=_colour),
    "brand_footer": Setting("", "textarea", check=_length(2000)),
}


def get(session) -> dict:
    return get_settings(session, NAMESPACE, DEFAULTS)


def signup_mode(session) -> str:
    mode = get(session)["signup"]
    return mode if mode in SIGNUP_MODES else "closed"


def parse(raw) -> tuple[dict, dict[str, str]]:
    """Typed values of a settings form (or JSON) and ``{field: why refused}``."""
    return parse_settings(DEFAULTS, raw)


def save(session, values: dict) -> None:
    """Store ``values`` (some or all settings); a bad one raises ValueError naming it."""
    parsed = {}
    for key, value in values.items():
        if key in DEFAULTS:
            try:
                parsed[key] = DEFAULTS[key].parse(value)
            except ValueError as exc:
                raise ValueError(f"{key}: {exc}") from exc
    set_settings(session, NAMESPACE, parsed)
