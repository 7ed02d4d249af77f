"""The plugin's per-tenant settings, typed.

Each setting declares its type and range (the marketplace form refuses a bad
value); a value stored before, that does not parse, falls back to its default.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from mpanel.core.settings import Setting, get_settings

log = logging.getLogger(__name__)

NAMESPACE = "domains"
DEFAULTS = {
    # TLD -> registrar plugin, used for TLDs the catalogue does not map: "com=registrar_epp, de=registrar_epp"
    "tld_registrars": "",
    # Auto-renewal falls due this many days before expiry.
    "renewal_days_before": Setting(30, "int", minimum=0, maximum=365),
    "reminder_days": Setting("30,14,7", help="expiry reminders, days before, e.g. 30,14,7"),
    "sync_batch_size": Setting(100, "int", minimum=1, maximum=1000),
    "sync_max_per_run": Setting(1000, "int", minimum=1, maximum=100000),
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
        default = DEFAULTS[key].default
        log.warning("domains setting %s=%r is not %s..%s; using %s", key, value, low, high, default)
        return default
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
