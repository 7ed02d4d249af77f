"""Proration by days: the unused part of a period, credited, and the new price for it, charged."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from mpanel.core.money import quantize


def day_fraction(period_start: dt.date, period_end: dt.date, on: dt.date) -> tuple[int, int]:
    """(days left from ``on`` to the period's last day, both included; days in the period)."""
    total = (period_end - period_start).days + 1
    return min(max((period_end - on).days + 1, 0), total), total


def prorate(old_price: Decimal, new_price: Decimal, period_start: dt.date, period_end: dt.date, on: dt.date,
            currency: str) -> tuple[Decimal, Decimal]:
    """(credit for the old price, charge for the new one) for the rest of the period from ``on``."""
    left, total = day_fraction(period_start, period_end, on)
    return quantize(old_price * left / total, currency), quantize(new_price * left / total, currency)
