"""Billing-cycle arithmetic: calendar months, the day clamped to the month's end."""

from __future__ import annotations

import calendar
import datetime as dt

MONTHS = {"monthly": 1, "quarterly": 3, "semiannually": 6, "annually": 12, "biennially": 24, "triennially": 36}


def add_cycles(anchor: dt.date, cycle: str, count: int = 1) -> dt.date:
    """``anchor`` plus ``count`` cycles; 31 Jan + 1 month is 28/29 Feb, + 2 months 31 Mar."""
    months = anchor.month - 1 + MONTHS[cycle] * count
    year, month = anchor.year + months // 12, months % 12 + 1
    return anchor.replace(year=year, month=month, day=min(anchor.day, calendar.monthrange(year, month)[1]))


def period(anchor: dt.date, cycle: str, index: int) -> tuple[dt.date, dt.date]:
    """Period ``index`` (0: the first) of a service whose periods count from ``anchor``:
    (first day, last day). Counting from the anchor keeps a 31st a 31st after short months."""
    return add_cycles(anchor, cycle, index), add_cycles(anchor, cycle, index + 1) - dt.timedelta(days=1)
