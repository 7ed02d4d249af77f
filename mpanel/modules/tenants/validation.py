"""Field rules for tenants."""

import re
from zoneinfo import available_timezones

SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")


def check_slug(value: str) -> str:
    if not value or not SLUG.match(value):
        raise ValueError(f"{value!r} is not a valid slug (lower-case letters, digits, hyphens)")
    return value


def check_timezone(value: str) -> str:
    if value not in available_timezones():
        raise ValueError(f"{value!r} is not an IANA time zone")
    return value
