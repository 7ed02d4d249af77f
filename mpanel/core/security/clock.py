"""The one clock of account security (TOTP steps, token expiry, locks, session
timeouts), so tests can move time by replacing :func:`now`."""

from __future__ import annotations

import datetime as dt


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
