"""The price calculator on a real catalogue: lines, reasons, options, add-ons, discounts, errors."""

import datetime as dt
from decimal import Decimal as D

import pytest
from mpanel_catalog.calculator import quote_bundle, quote_product
from mpanel_catalog.models import Bundle, BundleItem, Option, Product
from mpanel_catalog.testing import customer

from mpanel.core.errors import FieldError
from mpanel.core.settings import set_settings


def amounts(quote):
    return [(line.kind, line.amount) for line in quote.lines]


def test_a_full_order_has_one_line_per_charge_and_the_total_is_their_sum(shop, scope):
    ids, cid = shop.ids, shop.tenant.customer()
    with scope(shop.tenant) as session:
        quote = quote_product(session, ids.web, "monthly", customer=customer(session, cid), quantity=2,
                              options={ids.disk: ids.disk_big, ids.backups: True, ids.ips: 2}, addons=[ids.ssl])
    assert amounts(quote) == [
        ("price", D("20.00")), ("setup", D("10.00")), ("option", D("5.00")), ("option_setup", D("2.00")),
        ("option", D("2.00")), ("option", D("12.00")), ("addon", D("8.00"))]
    assert quote.total == D("59.00") == sum(line.amount for line in quote.lines)
    assert quote.currency == "EUR" and quote.cycle == "monthly" and quote.quantity == 2
    assert [line.recurring for line in quote.lines] == [True, False, True, False, True, True, True]
    assert quote.lines[0].reason == "€10.00 × 2" and quote.lines[5].reason == "€3.00 × 4"
    assert quote.lines[0].tax_class == "standard" and quote.lines[-1].tax_class is None
    data = quote.to_dict()
    assert data["total"] == "59.00" and data["lines"][0]["amount"] == "20.00"  # money as strings


def test_options_left_out_take_their_defaults(shop, scope):
    with scope(shop.tenant) as session:
        quote = quote_product(session, shop.ids.web, "monthly")
    assert [line.description for line in quote.lines] == ["Web S (monthly)", "Setup: Web S", "Disk: 10 GB"]
    assert quote.total == D("15.00")


def test_a_renewal_has_no_setup_fees_and_accepts_what_is_no_longer_offered(shop, scope):
    ids = shop.ids
    with scope(shop.tenant) as session:
        quote = quote_product(session, ids.web, "annually", options={ids.disk: ids.disk_big, ids.legacy: "yes"},
                              addons={ids.ssl: "annually"}, renewal=1)
        # Legacy (order 0) has no annual price: listed at 0.00; Disk (order 1) costs 25.00 a year.
        assert amounts(quote) == [("price", D("100.00")), ("option", D("0.00")), ("option", D("25.00")),
                                  ("addon", D("40.00"))]
        assert quote_product(session, ids.old, "monthly", renewal=3).total == D("5.00")
        with pytest.raises(FieldError) as error:
            quote_product(session, ids.old, "monthly")
        assert error.value.field == "product"


@pytest.mark.parametrize(("currency", "expected"), [("JPY", D("1200")), ("KWD", D("3.124")), ("USD", D("11.00"))])
def test_amounts_are_rounded_to_the_currency_exponent(shop, scope, currency, expected):
    cid = shop.tenant.customer(currency=currency)
    with scope(shop.tenant) as session:
        quote = quote_product(session, shop.ids.web, "monthly", customer=customer(session, cid))
    assert quote.lines[0].amount == expected
    assert quote.lines[0].amount.as_tuple().exponent == expected.as_tuple().exponent
    assert quote.total.as_tuple().exponent == expected.as_tuple().exponent


@pytest.mark.parametrize(("cycle", "field"), [("quarterly", "cycle"), ("weekly", "cycle")])
def test_a_cycle_without_a_price_is_not_offered(shop, scope, cycle, field):
    with scope(shop.tenant) as session, pytest.raises(FieldError) as error:
        quote_product(session, shop.ids.web, cycle)
    assert error.value.field == field


def test_an_unknown_currency_names_the_field(shop, scope):
    with scope(shop.tenant) as session, pytest.raises(FieldError) as error:
        quote_product(session, shop.ids.web, "monthly", currency="XYZ")
    assert error.value.field == "currency"


@pytest.mark.parametrize("options", [
    {999999: 1},  # not an option of the product
    {"disk": 1},  # not an id
    "disk",  # not a mapping
])
def test_options_must_belong_to_the_product(shop, scope, options):
    with scope(shop.tenant) as session, pytest.raises(FieldError) as error:
        quote_product(session, shop.ids.web, "monthly", options=options)
    assert error.value.field == "options"


def test_option_values_are_checked(shop, scope):
    ids = shop.ids
    bad = [{ids.disk: ids.ip}, {ids.disk: "x"}, {ids.backups: "maybe"}, {ids.ips: 5}, {ids.ips: -1}, {ids.ips: "2.5"},
           {ids.legacy: True}]  # a choice of another option, ..., a hidden option on a new order
    with scope(shop.tenant) as session:
        for options in bad:
            with pytest.raises(FieldError) as error:
                quote_product(session, ids.web, "monthly", options=options)
            assert error.value.field == "options", options
        assert quote_product(session, ids.web, "monthly", options={ids.ips: "4"}).lines[-1].amount == D("12.00")


def test_option_steps(shop, scope):
    ids = shop.ids
    shop.run(lambda s: setattr(s.get(Option, ids.ips), "step", 2))
    with scope(shop.tenant) as session:
        assert quote_product(session, ids.web, "monthly", options={ids.ips: 2}).lines[-1].amount == D("6.00")
        with pytest.raises(FieldError):
            quote_product(session, ids.web, "monthly", options={ids.ips: 3})


def test_addons_must_be_attached_and_priced(shop, scope):
    ids = shop.ids
    with scope(shop.tenant) as session:
        for addons in ([ids.loose_addon], [999999], {ids.ssl: "quarterly"}, {ids.ssl: "fortnightly"}, ["ssl"]):
            with pytest.raises(FieldError) as error:
                quote_product(session, ids.web, "monthly", addons=addons)
            assert error.value.field == "addons", addons
        quote = quote_product(session, ids.web, "monthly", addons={ids.ssl: "annually"})
    assert amounts(quote)[-2:] == [("addon", D("40.00")), ("addon_setup", D("2.00"))]
    assert quote.lines[-2].recurring and not quote.lines[-1].recurring


def test_quantity_stock_and_single_products(shop, scope):
    ids = shop.ids
    with scope(shop.tenant) as session:
        assert quote_product(session, ids.vps, "monthly", quantity=2).total == D("40.00")
        for product, quantity in ((ids.vps, 3), (ids.secret, 2), (ids.web, 0)):
            with pytest.raises(FieldError) as error:
                quote_product(session, product, "monthly", quantity=quantity)
            assert error.value.field == "quantity"
        # Hidden products are not listed but can be ordered by link.
        assert quote_product(session, ids.secret, "monthly").total == D("6.00")
        with pytest.raises(FieldError) as error:
            quote_product(session, 999999, "monthly")
        assert error.value.field == "product"


def test_the_customer_group_discount_is_a_line_per_charge(shop, scope):
    ids, cid = shop.ids, shop.tenant.customer()
    shop.member(cid, ids.resellers)
    with scope(shop.tenant) as session:
        quote = quote_product(session, ids.web, "monthly", customer=customer(session, cid),
                              options={ids.disk: ids.disk_big}, addons=[ids.ssl])
    discounts = [line for line in quote.lines if line.kind == "group_discount"]
    assert [(d.target, d.amount) for d in discounts] == [(0, D("-1.00")), (1, D("-0.50")), (2, D("-0.25")),
                                                         (3, D("-0.10")), (4, D("-0.40"))]
    assert discounts[0].reason == "Customer group Resellers: 10 % off"
    assert quote.total == D("20.25")  # 22.50 less 10 %


def test_tax_flags_are_reported_not_applied(shop, scope, app):
    exempt = shop.tenant.customer(tax_exempt=True)
    with scope(shop.tenant) as session:
        quote = quote_product(session, shop.ids.web, "monthly", customer=customer(session, exempt))
        assert quote.prices_include_tax is False and quote.tax_exempt is True
    shop.run(lambda s: set_settings(s, "catalog", {"prices_include_tax": "Yes"}))
    with scope(shop.tenant) as session:
        quote = quote_product(session, shop.ids.web, "monthly")
    assert quote.prices_include_tax is True and quote.total == D("15.00")


def test_product_names_follow_the_locale(shop, scope):
    with scope(shop.tenant) as session:
        assert quote_product(session, shop.ids.web, "monthly", locale="de").lines[0].description == \
            "Web Klein (monthly)"
        assert quote_product(session, shop.ids.web, "monthly", locale="fr").lines[0].description == "Web S (monthly)"


def test_trial_days_are_reported_on_new_orders(shop, scope):
    shop.run(lambda s: setattr(s.get(Product, shop.ids.web), "trial_days", 14))
    with scope(shop.tenant) as session:
        assert quote_product(session, shop.ids.web, "monthly").trial_days == 14
        assert quote_product(session, shop.ids.web, "monthly", renewal=1).trial_days is None


class TestCoupons:
    def quote(self, shop, scope, coupons, **kwargs):
        ids = shop.ids
        kwargs.setdefault("options", {ids.disk: ids.disk_big})
        with scope(shop.tenant) as session:
            return quote_product(session, ids.web, kwargs.pop("cycle", "monthly"), coupons=coupons, **kwargs)

    def coupon_lines(self, quote):
        return [(line.target, line.amount) for line in quote.lines if line.kind == "coupon"]

    def test_percent_reduces_the_price_and_option_lines(self, shop, scope):
        shop.coupon("TWENTY", kind="percent", value=D("20"))
        quote = self.quote(shop, scope, ["twenty"], quantity=2)
        # price 20.00, setup 10.00, option 5.00, option setup 2.00
        assert self.coupon_lines(quote) == [(0, D("-4.00")), (2, D("-1.00"))]
        assert quote.coupons == ("TWENTY",) and quote.total == D("32.00")
        assert quote.lines[-1].reason == "20 % off" and quote.lines[-1].coupon == "TWENTY"

    def test_fixed_amount_is_per_unit_and_spills_over_to_options(self, shop, scope):
        shop.coupon("MINUS11", kind="fixed", value=D("11"), currency="EUR")
        quote = self.quote(shop, scope, ["MINUS11"], quantity=2)
        assert self.coupon_lines(quote) == [(0, D("-20.00")), (2, D("-2.00"))]
        assert quote.total == D("15.00")  # setup fees stay

    def test_override_sets_the_product_price(self, shop, scope):
        shop.coupon("SEVEN", kind="override", value=D("7"), currency="EUR")
        assert self.coupon_lines(self.quote(shop, scope, ["SEVEN"], quantity=2)) == [(0, D("-6.00"))]
        shop.coupon("FIFTY", kind="override", value=D("50"), currency="EUR")  # never raises a price
        assert self.coupon_lines(self.quote(shop, scope, ["FIFTY"])) == []

    def test_free_setup_removes_setup_fees_only(self, shop, scope):
        shop.coupon("NOSETUP", kind="free_setup")
        quote = self.quote(shop, scope, ["NOSETUP"])
        assert self.coupon_lines(quote) == [(1, D("-5.00")), (3, D("-1.00"))]
        assert quote.total == D("12.50")

    def test_a_fixed_coupon_needs_the_quotes_currency(self, shop, scope):
        shop.coupon("FIVE", kind="fixed", value=D("5"), currency="USD")
        with pytest.raises(FieldError) as error:
            self.quote(shop, scope, ["FIVE"])
        assert error.value.field == "coupon"

    def test_duration_decides_which_periods_are_reduced(self, shop, scope):
        shop.coupon("ONCE", kind="percent", value=D("10"), duration="once")
        shop.coupon("TWICE", kind="percent", value=D("10"), duration="repeating", duration_cycles=2)
        shop.coupon("ALWAYS", kind="percent", value=D("10"), duration="forever")
        # code: (reduced in the order and renewals 1, 2), (discount line recurs in the next period)
        expectations = {"ONCE": ([True, False, False], [False]), "TWICE": ([True, True, False], [True, False]),
                        "ALWAYS": ([True, True, True], [True, True, True])}
        for code, (applies, recurs) in expectations.items():
            quotes = [self.quote(shop, scope, [code], renewal=renewal, options={}) for renewal in range(3)]
            assert [bool(self.coupon_lines(q)) for q in quotes] == applies, code
            assert [q.lines[-1].recurring for q in quotes if self.coupon_lines(q)] == recurs, code

    def test_scope_products_and_cycles(self, shop, scope):
        ids = shop.ids
        shop.coupon("VPSONLY", kind="percent", value=D("5"), products=[ids.vps])
        shop.coupon("YEARLY", kind="percent", value=D("5"), cycles="annually, biennially")
        for code, cycle in (("VPSONLY", "monthly"), ("YEARLY", "monthly")):
            with pytest.raises(FieldError) as error:
                self.quote(shop, scope, [code], cycle=cycle, options={})
            assert error.value.field == "coupon"
        assert self.coupon_lines(self.quote(shop, scope, ["YEARLY"], cycle="annually", options={})) == \
            [(0, D("-5.00"))]

    def test_a_renewal_drops_coupons_that_no_longer_cover_the_service(self, shop, scope):
        shop.coupon("VPSFOREVER", kind="percent", value=D("10"), duration="forever", products=[shop.ids.vps])
        quote = self.quote(shop, scope, ["VPSFOREVER"], renewal=2, options={})  # upgraded to Web S meanwhile
        assert self.coupon_lines(quote) == [] and quote.coupons == ()

    def test_stacking(self, shop, scope):
        shop.coupon("A", kind="percent", value=D("10"), stackable=True)
        shop.coupon("B", kind="percent", value=D("50"), stackable=True)
        shop.coupon("SOLO", kind="percent", value=D("10"))
        quote = self.quote(shop, scope, ["A", "B"], options={})
        assert self.coupon_lines(quote) == [(0, D("-1.00")), (0, D("-4.50"))]  # 10 %, then 50 % of what is left
        for codes in (["A", "SOLO"], ["A", "a"]):
            with pytest.raises(FieldError) as error:
                self.quote(shop, scope, codes)
            assert error.value.field == "coupon"

    def test_dates_are_checked_on_new_orders_only(self, shop, scope):
        past = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
        shop.coupon("OLD", kind="percent", value=D("10"), duration="forever", expires_at=past)
        with pytest.raises(FieldError) as error:
            self.quote(shop, scope, ["OLD"])
        assert "expired" in error.value.message
        assert self.coupon_lines(self.quote(shop, scope, ["OLD"], renewal=1, options={})) == [(0, D("-1.00"))]


def test_a_bundle_replaces_its_products_prices(shop, scope):
    ids = shop.ids
    bundle = shop.add(Bundle, name="Starter", slug="starter")
    shop.add(BundleItem, bundle_id=bundle, product_id=ids.web, cycle="annually")
    shop.add(BundleItem, bundle_id=bundle, product_id=ids.vps, cycle="annually", quantity=2)
    shop.price("150.00", "10.00", cycle="annually", bundle_id=bundle)
    shop.coupon("ALL10", kind="percent", value=D("10"))
    shop.coupon("WEBONLY", kind="percent", value=D("10"), products=[ids.web])
    with scope(shop.tenant) as session:
        quote = quote_bundle(session, bundle, "annually", coupons=["ALL10"])
        assert amounts(quote) == [("bundle", D("150.00")), ("bundle_setup", D("10.00")), ("coupon", D("-15.00"))]
        assert quote.details["items"] == [{"product": ids.web, "cycle": "annually", "quantity": 1},
                                          {"product": ids.vps, "cycle": "annually", "quantity": 2}]
        for call in (lambda: quote_bundle(session, bundle, "annually", coupons=["WEBONLY"]),
                     lambda: quote_bundle(session, bundle, "monthly")):
            with pytest.raises(FieldError):
                call()
