"""The plugin's per-tenant settings, typed.

The marketplace stores what staff type (strings), so each value is parsed
here; a value that does not parse falls back to its default.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from mpanel.core.settings import get_settings

log = logging.getLogger(__name__)

NAMESPACE = "domains"
DEFAULTS = {
    # TLD -> registrar plugin, used for TLDs the catalogue does not map: "com=registrar_epp, de=registrar_epp"
    "tld_registrars": "",
    "renewal_days_before": "30",  # auto-renewal falls due this many days before expiry
    "reminder_days": "30,14,7",  # expiry reminders, days before
    "sync_batch_size": "100",
    "sync_max_per_run": "1000",
}


@dataclass(frozen=True)
class DomainSettings:
    tld_registrars: dict[str, str]
    renewal_days_before: int
    reminder_days: tuple[int, ...]
    sync_batch_size: int
    sync_max_per_run: int


def parse_mapping(value) -> dict[str, str]:
    """``"com=registrar_epp, .de = registrar_epp"`` (or a dict) -> {tld: plugin}."""
    if isinstance(value, dict):
        pairs = value.items()
    else:
        pairs = [item.split("=", 1) for item in str(value or "").replace(";", ",").split(",") if "=" in item]
    return {tld.strip().lower().lstrip("."): plugin.strip() for tld, plugin in pairs if tld.strip() and plugin.strip()}


def _int(value) -> int | None:
    try:
        return int(str(value).strip())
    except ValueError:
        return None


def _number(key: str, value, low: int, high: int) -> int:
    number = _int(value)
    if number is None or not low <= number <= high:
        log.warning("domains setting %s=%r is not %s..%s; using %s", key, value, low, high, DEFAULTS[key])
        return int(DEFAULTS[key])
    return number


def load(session) -> DomainSettings:
    """The settings of the tenant in scope."""
    values = get_settings(session, NAMESPACE, DEFAULTS)
    raw_days = values["reminder_days"]
    days = raw_days if isinstance(raw_days, list) else str(raw_days).replace(";", ",").split(",")
    reminder_days = tuple(sorted({d for d in map(_int, days) if d is not None and 0 <= d <= 365}, reverse=True))
    return DomainSettings(
        tld_registrars=parse_mapping(values["tld_registrars"]),
        renewal_days_before=_number("renewal_days_before", values["renewal_days_before"], 0, 365),
        reminder_days=reminder_days,
        sync_batch_size=_number("sync_batch_size", values["sync_batch_size"], 1, 1000),
        sync_max_per_run=_number("sync_max_per_run", values["sync_max_per_run"], 1, 100000),
    )
