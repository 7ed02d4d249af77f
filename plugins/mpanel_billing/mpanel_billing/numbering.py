"""Gapless document numbers per tenant and series.

A number is taken at issue, in the issuing transaction, from the series'
counter row locked ``FOR NO KEY UPDATE``: concurrent issues queue on that row, and a
rolled-back issue gives its number back, so numbers have no gaps and no
duplicates, and follow the issue dates.

Formats are literal text with placeholders: ``{YYYY}``, ``{YY}``, ``{MM}``,
``{DD}`` (the issue date) and ``{seq}`` or ``{seq:05}`` (the counter, padded).
They are expanded by a regular expression, never by ``str.format``.
"""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert

from mpanel.core.errors import Conflict
from mpanel.core.tenancy import require_tenant_id

from .models.numbering import DEFAULT_FORMATS, NumberSeries

_TOKEN = re.compile(r"\{(YYYY|YY|MM|DD|seq(?::0(\d))?)\}")
_BRACES = re.compile(r"[{}]")


def check_format(fmt: str, reset_yearly: bool = False) -> str:
    """Return the format, or raise ValueError naming what is wrong with it."""
    if not fmt or len(fmt) > 40:
        raise ValueError("a number format needs 1 to 40 characters")
    tokens = _TOKEN.findall(fmt)
    if _BRACES.search(_TOKEN.sub("", fmt)):
        raise ValueError("unknown placeholder: use {YYYY}, {YY}, {MM}, {DD}, {seq} or {seq:05}")
    if sum(token.startswith("seq") for token, _ in tokens) != 1:
        raise ValueError("a number format needs exactly one {seq}")
    if reset_yearly and not any(token in ("YYYY", "YY") for token, _ in tokens):
        raise ValueError("a series that restarts every year needs {YYYY} or {YY} in its format")
    return fmt


def format_number(fmt: str, seq: int, date: dt.date) -> str:
    def expand(match):
        token, width = match.groups()
        if token.startswith("seq"):
            return str(seq).zfill(int(width or 0))
        return {"YYYY": f"{date.year:04}", "YY": f"{date.year % 100:02}", "MM": f"{date.month:02}",
                "DD": f"{date.day:02}"}[token]

    return _TOKEN.sub(expand, fmt)


def _locked_series(session, series: str) -> NumberSeries:
    query = (select(NumberSeries).where(NumberSeries.series == series).with_for_update(key_share=True)
             .execution_options(populate_existing=True))
    row = session.scalars(query).one_or_none()
    if row is None:
        # First use: creators queue on an advisory lock, because two speculative
        # inserts of one key followed by the counter update can deadlock.
        tenant_id = require_tenant_id()
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext('billing_number_series'), :tenant)"),
                        {"tenant": tenant_id})
        session.execute(insert(NumberSeries).values(tenant_id=tenant_id, series=series, format=DEFAULT_FORMATS[series],
                                                    reset_yearly=True, last_seq=0)
                        .on_conflict_do_nothing(index_elements=["tenant_id", "series"]))
        row = session.scalars(query).one()
    return row


def next_number(session, series: str, date: dt.date) -> tuple[int, str]:
    """Take the next number of ``series`` for a document issued on ``date``."""
    return take_numbers(session, series, date, 1)[0]


def take_numbers(session, series: str, date: dt.date, count: int) -> list[tuple[int, str]]:
    """Take ``count`` consecutive numbers of ``series`` under one lock of its row."""
    row = _locked_series(session, series)
    if row.last_date is not None and date < row.last_date:
        raise Conflict("issue_date", f"numbers are chronological: the {series} series is at {row.last_date}")
    if row.reset_yearly and row.year != date.year:
        row.year, row.last_seq = date.year, 0
    first = row.last_seq + 1
    row.last_seq += count
    row.last_date = date
    return [(seq, format_number(row.format, seq, date)) for seq in range(first, row.last_seq + 1)]
