"""Proration by days (property test) and plan changes through the core."""

import datetime as dt
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st
from mpanel_billing.proration import day_fraction, prorate
from mpanel_billing.services.cycles import add_cycles, period

from mpanel.core.money import quantize

prices = st.decimals(min_value=0, max_value=100000, places=2)


@given(prices, prices, st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2090, 1, 1)),
       st.sampled_from(["monthly", "quarterly", "annually"]), st.integers(min_value=-5, max_value=400),
       st.sampled_from(["EUR", "JPY", "KWD"]))
def test_proration_is_the_day_fraction_and_never_exceeds_the_full_prices(old, new, start, cycle, offset, currency):
    first, last = period(start, cycle, 0)
    on = first + dt.timedelta(days=offset)
    credit, charge = prorate(old, new, first, last, on, currency)
    left, total = day_fraction(first, last, on)
    assert credit == quantize(old * Decimal(left) / Decimal(total), currency)
    assert charge == quantize(new * Decimal(left) / Decimal(total), currency)
    assert 0 <= charge <= quantize(new, currency) and 0 <= credit <= quantize(old, currency)
    assert charge - credit <= quantize(new, currency)


def test_cycles_keep_the_anchor_day():
    anchor = dt.date(2025, 1, 31)
    assert [add_cycles(anchor, "monthly", n) for n in range(4)] == [
        anchor, dt.date(2025, 2, 28), dt.date(2025, 3, 31), dt.date(2025, 4, 30)]
    assert period(anchor, "monthly", 1) == (dt.date(2025, 2, 28), dt.date(2025, 3, 30))
