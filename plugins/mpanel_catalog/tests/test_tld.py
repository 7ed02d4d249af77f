"""The TLD price list: domain quotes (ICANN fee as its own line) and the markup tool."""

from decimal import Decimal as D

import pytest
from mpanel_catalog.calculator import quote_domain
from mpanel_catalog.models import Tld, TldFees, TldPrice
from mpanel_catalog.testing import customer
from mpanel_catalog.tld import apply_markup
from sqlalchemy import select

from mpanel.core.errors import FieldError


@pytest.fixture
def tlds(shop):
    ids = shop.ids
    ids.com = shop.add(Tld, name="com", kind="gtld", grace_days=30, redemption_days=30)
    ids.de = shop.add(Tld, name="de", kind="cctld", epp_code_required=True)
    for action, years, cost, price in (("register", 1, "8.00", "10.00"), ("register", 2, "16.00", "20.00"),
                                       ("renew", 1, "8.50", "12.00"), ("transfer", 1, None, "9.00")):
        shop.add(TldPrice, tld_id=ids.com, currency="EUR", action=action, years=years, price=D(price),
                 cost=None if cost is None else D(cost))
    shop.add(TldPrice, tld_id=ids.com, currency="JPY", action="register", years=1, price=D("1500"), cost=D("1234"))
    shop.add(TldFees, tld_id=ids.com, currency="EUR", grace_fee=D("5"), redemption_fee=D("30"),
             id_protection=D("2"), dns_management=D("1"))
    shop.add(TldPrice, tld_id=ids.de, currency="EUR", action="register", years=1, price=D("5.00"), cost=D("3.10"))
    return shop


def lines(quote):
    return [(line.kind, line.amount) for line in quote.lines]


def test_a_gtld_carries_the_default_icann_fee_per_year(tlds, scope):
    with scope(tlds.tenant) as session:
        assert lines(quote_domain(session, "com", "register")) == [("domain", D("10.00")), ("icann_fee", D("0.20"))]
        quote = quote_domain(session, ".COM", "register", 2, id_protection=True, dns_management=True)
    assert lines(quote) == [("domain", D("20.00")), ("icann_fee", D("0.40")), ("id_protection", D("4.00")),
                            ("dns_management", D("2.00"))]
    assert quote.total == D("26.40")
    assert quote.details["epp_code_required"] is True and quote.details["tld"] == "com"


def test_a_cctld_has_no_icann_fee_and_a_tenant_may_set_its_own(tlds, scope):
    tlds.run(lambda s: setattr(s.scalar(select(TldFees)), "icann_fee", D("0.18")))
    with scope(tlds.tenant) as session:
        assert lines(quote_domain(session, "de", "register")) == [("domain", D("5.00"))]
        assert lines(quote_domain(session, "com", "renew"))[-1] == ("icann_fee", D("0.18"))


def test_the_group_discount_leaves_the_icann_fee_alone(tlds, scope):
    cid = tlds.tenant.customer()
    tlds.member(cid, tlds.ids.resellers)
    with scope(tlds.tenant) as session:
        quote = quote_domain(session, "com", "register", customer=customer(session, cid))
    assert lines(quote) == [("domain", D("10.00")), ("icann_fee", D("0.20")), ("group_discount", D("-1.00"))]


def test_late_renewal_fees(tlds, scope):
    with scope(tlds.tenant) as session:
        assert lines(quote_domain(session, "com", "renew", late="grace"))[-1] == ("grace_fee", D("5.00"))
        assert lines(quote_domain(session, "com", "renew", late="redemption"))[-1] == ("redemption_fee", D("30.00"))
        with pytest.raises(FieldError) as error:
            quote_domain(session, "com", "register", late="grace")
        assert error.value.field == "late"


@pytest.mark.parametrize(("args", "kwargs", "field"), [
    (("xyz", "register"), {}, "tld"),
    (("com", "register", 3), {}, "years"),
    (("com", "register", 11), {}, "years"),
    (("com", "park"), {}, "action"),
    (("de", "register"), {"id_protection": True}, "id_protection"),
    (("com", "register"), {"currency": "GBP"}, "years"),
    (("com", "register"), {"currency": "EURO"}, "currency"),
])
def test_bad_domain_requests_name_the_field(tlds, scope, args, kwargs, field):
    with scope(tlds.tenant) as session, pytest.raises(FieldError) as error:
        quote_domain(session, *args, **kwargs)
    assert error.value.field == field


def test_another_tenants_tld_is_not_in_the_list(tlds, scope, factory):
    other = factory.tenant()
    with scope(other) as session, pytest.raises(FieldError) as error:
        quote_domain(session, "com", "register")
    assert error.value.field == "tld"


def prices(session):
    rows = session.scalars(select(TldPrice).join(Tld).order_by(Tld.name, TldPrice.currency, TldPrice.action,
                                                               TldPrice.years))
    return {(row.tld.name, row.currency, row.action, row.years): row.price for row in rows}


def test_markup_from_cost_with_a_price_point(tlds, scope):
    with scope(tlds.tenant) as session:
        assert apply_markup(session, percent="20", fixed="0.50", ending="0.99", currency="EUR") == 4
        assert prices(session) == {
            ("com", "EUR", "register", 1): D("10.99"),  # 8.00 * 1.2 + 0.50 = 10.10 -> 10.99
            ("com", "EUR", "register", 2): D("19.99"),  # 19.70
            ("com", "EUR", "renew", 1): D("10.99"),  # 10.70
            ("com", "EUR", "transfer", 1): D("9.00"),  # no cost: untouched
            ("com", "JPY", "register", 1): D("1500"),  # other currency
            ("de", "EUR", "register", 1): D("4.99"),  # 4.22
        }
        assert apply_markup(session, percent="10", tlds=[".de"]) == 1
        assert prices(session)[("de", "EUR", "register", 1)] == D("3.41")  # rounded once, to the currency
        assert apply_markup(session, percent="15") == 5  # every currency
        assert prices(session)[("com", "JPY", "register", 1)] == D("1419")  # 1419.1


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"ending": "0.99", "currency": "JPY"}, "ending"),
    ({"ending": "1.50", "currency": "EUR"}, "ending"),
    ({"fixed": "1"}, "currency"),
    ({"percent": "-5"}, "percent"),
    ({"percent": "abc"}, "percent"),
    ({"currency": "EURO"}, "currency"),
    ({"tlds": ["com", "nope"]}, "tlds"),
    ({"actions": ["park"]}, "actions"),
])
def test_markup_refuses_bad_input_and_changes_nothing(tlds, scope, kwargs, field):
    with scope(tlds.tenant) as session:
        before = prices(session)
        with pytest.raises(FieldError) as error:
            apply_markup(session, **kwargs)
        assert error.value.field == field
        assert prices(session) == before
