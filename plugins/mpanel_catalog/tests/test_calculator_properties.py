"""Properties of the price calculator (hypothesis).

For any prices, quantities, group discounts and coupons: the total is the
sum of the lines, every amount carries exactly the currency's exponent (JPY 0,
KWD 3, ...), charges are never negative and no discount takes a line below zero.
"""

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mpanel_catalog.calculator.context import Buyer, apply_coupons, apply_group_discount
from mpanel_catalog.calculator.lines import LineBuilder
from mpanel_catalog.calculator.products import quote_product
from mpanel_catalog.models import Coupon, CustomerGroup, Price
from mpanel_catalog.tld import price_point
from sqlalchemy import delete

from mpanel.core.money import exponent
from mpanel.modules.customers.models import Customer

CURRENCIES = ["EUR", "USD", "JPY", "KWD", "BHD", "CLF", "KRW"]
amounts = st.decimals(min_value=0, max_value=Decimal("99999.9999"), places=4)
percents = st.decimals(min_value=0, max_value=100, places=4)


@st.composite
def coupons(draw, currency):
    kind = draw(st.sampled_from(["percent", "fixed", "override", "free_setup"]))
    value = draw(percents if kind == "percent" else amounts)
    return Coupon(code=f"C{draw(st.integers(0, 10**6))}", kind=kind, value=value, currency=currency,
                  duration="forever", stackable=True)


def check_invariants(lines, total, currency):
    places = Decimal(1).scaleb(-exponent(currency)).as_tuple().exponent
    assert total == sum((line.amount for line in lines), Decimal(0))
    assert total.as_tuple().exponent == places
    for index, line in enumerate(lines):
        assert line.amount.as_tuple().exponent == places, line
        if line.is_discount:
            assert line.amount < 0 and not lines[line.target].is_discount
        else:
            assert line.amount >= 0
            left = line.amount + sum(d.amount for d in lines if d.target == index)
            assert left >= 0, (line, left)
    assert total >= 0


@given(data=st.data(), currency=st.sampled_from(CURRENCIES))
@settings(max_examples=300, deadline=None)
def test_lines_discounts_and_total(data, currency):
    lines = LineBuilder(currency)
    units = data.draw(st.integers(1, 50))
    charges = data.draw(st.lists(st.tuples(amounts, st.booleans()), min_size=1, max_size=6))
    prices, setups = [], []
    for unit, is_setup in charges:
        index = lines.charge("setup" if is_setup else "price", "x", unit, units, "r", not is_setup)
        (setups if is_setup else prices).append(index)
    if not prices:
        prices.append(lines.charge("price", "x", data.draw(amounts), units, "r", True))
    group = CustomerGroup(name="G", discount_percent=data.draw(percents))
    apply_group_discount(lines, Buyer(None, currency, group, False, False))
    apply_coupons(lines, data.draw(st.lists(coupons(currency), max_size=3)), prices, setups, units, 0)
    total = sum((line.amount for line in lines.lines), Decimal(0).quantize(Decimal(1).scaleb(-exponent(currency))))
    check_invariants(lines.lines, total, currency)


@given(amount=amounts, ending=st.decimals(min_value=0, max_value=Decimal("0.99"), places=2))
def test_price_points_round_up_to_the_ending(amount, ending):
    result = price_point(amount, ending)
    assert amount <= result < amount + 1
    assert result - int(result) == ending


@pytest.fixture
def quoting(shop, scope):
    """A tenant scope in which examples write prices and roll them back; a customer in a discount group."""
    buyer = shop.tenant.customer()
    shop.member(buyer, shop.ids.resellers)
    with scope(shop.tenant) as session:
        yield shop.ids, session, session.get(Customer, buyer)


@given(data=st.data(), currency=st.sampled_from(CURRENCIES))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_quotes_from_the_database(quoting, data, currency):
    ids, session, buyer = quoting
    try:
        cycle = data.draw(st.sampled_from(["monthly", "annually", "onetime"]))
        for owner in ({"product_id": ids.web}, {"option_choice_id": ids.disk_big}, {"option_choice_id": ids.ip},
                      {"option_choice_id": ids.backups_yes}, {"addon_id": ids.ssl}):
            session.execute(delete(Price).filter_by(currency=currency, cycle=cycle, **owner))
            session.add(Price(currency=currency, cycle=cycle, price=data.draw(amounts), setup_fee=data.draw(amounts),
                              **owner))
        session.get(CustomerGroup, ids.resellers).discount_percent = data.draw(percents)
        drawn = data.draw(st.lists(coupons(currency), max_size=2, unique_by=lambda c: c.code))
        session.add_all(drawn)
        session.flush()
        quote = quote_product(
            session, ids.web, cycle, customer=buyer, currency=currency, quantity=data.draw(st.integers(1, 20)),
            options={ids.disk: ids.disk_big, ids.ips: data.draw(st.integers(0, 4)),
                     ids.backups: data.draw(st.booleans())},
            addons=[ids.ssl] if data.draw(st.booleans()) else [], coupons=[c.code for c in drawn])
        check_invariants(quote.lines, quote.total, currency)
        assert quote.currency == currency
    finally:
        session.rollback()
