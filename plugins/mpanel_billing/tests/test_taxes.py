"""Tax rules, EU VAT, rounding policies and invoice amounts (pure functions)."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mpanel_billing.calc import LineData, compute
from mpanel_billing.tax import vat
from mpanel_billing.tax.eu import MEMBER_STATES, STANDARD_RATES
from mpanel_billing.tax.rules import NOTES, OUTSIDE_EU, Buyer, Rule, decide

from mpanel.core.money import quantize

D = Decimal
EU = [Rule(f"VAT {c}", c, None, "standard", D(r)) for c, r in STANDARD_RATES.items()]
RULES = [*EU, Rule("USt ermäßigt", "DE", None, "reduced", D(7)),
         Rule("GST", "CA", None, "standard", D(5)), Rule("QST", "CA", "QC", "standard", D("9.975"), level=2),
         Rule("HST", "CA", "ON", "standard", D(13)),
         Rule("Sales tax NY", "US", "NY", "standard", D(4)), Rule("Compound", "XK", None, "standard", D(10)),
         Rule("Compound 2", "XK", None, "standard", D(5), level=2, compound=True)]


def test_the_seeded_data_covers_the_27_member_states():
    assert len(MEMBER_STATES) == 27 and STANDARD_RATES["DE"] == "19" and STANDARD_RATES["HU"] == "27"


@pytest.mark.parametrize(("buyer", "tax_class", "oss", "expected"), [
    (Buyer("DE"), "standard", False, ("S", D(19), "VAT DE")),
    (Buyer("DE"), "reduced", False, ("S", D(7), "USt ermäßigt")),
    (Buyer("AT"), "reduced", False, ("S", D(7), "USt ermäßigt")),  # no OSS: the seller's country
    (Buyer("AT"), "reduced", True, ("S", D(20), "VAT AT")),  # OSS, no reduced rule for AT: standard
    (Buyer("FR"), "standard", False, ("S", D(19), "VAT DE")),
    (Buyer("FR"), "standard", True, ("S", D(20), "VAT FR")),  # OSS: the customer's country rate
    (Buyer("FR", vat_id_valid=True), "standard", True, ("AE", D(0), NOTES["AE"])),  # B2B: reverse charge
    (Buyer("DE", vat_id_valid=True), "standard", False, ("S", D(19), "VAT DE")),  # domestic B2B: VAT
    (Buyer("FR", tax_exempt=True), "standard", False, ("E", D(0), NOTES["E"])),
    (Buyer("US", "NY"), "standard", False, ("S", D(4), "Sales tax NY")),
    (Buyer("US", "CA"), "standard", False, ("O", D(0), OUTSIDE_EU)),  # EU seller, services abroad: outside scope
    (Buyer("NO", vat_id_valid=True), "standard", False, ("O", D(0), OUTSIDE_EU)),
    (Buyer("CH"), "zero", False, ("Z", D(0), NOTES["Z"])),
])
def test_decide(buyer, tax_class, oss, expected):
    decision = decide(RULES, "DE", buyer, tax_class, oss)
    assert (decision.category, decision.rate, decision.name) == expected
    if decision.category in ("AE", "E", "O"):
        assert decision.note  # EN 16931 needs the exemption reason


def test_regions_and_second_level_taxes():
    quebec = decide(RULES, "CA", Buyer("CA", "qc"))
    assert (quebec.rate, quebec.tax2_name, quebec.tax2_rate, quebec.tax2_compound) == (D(5), "QST", D("9.975"), False)
    ontario = decide(RULES, "CA", Buyer("CA", "ON"))
    assert (ontario.name, ontario.rate, ontario.tax2_rate) == ("HST", D(13), None)
    assert decide(RULES, "CA", Buyer("MX")).category == "O"  # a seller outside the EU, no rule


def test_tax_inclusive_prices_come_from_the_rule_and_are_taken_out_for_reverse_charge():
    rules = [Rule("VAT DE", "DE", None, "standard", D(19), prices_include_tax=True),
             Rule("VAT FR", "FR", None, "standard", D(20), prices_include_tax=True)]
    assert decide(rules, "DE", Buyer("DE")).price_tax_rate == D(19)
    assert decide(rules, "DE", Buyer("FR"), oss=True).price_tax_rate == D(20)
    reverse = decide(rules, "DE", Buyer("FR", vat_id_valid=True))
    assert (reverse.category, reverse.price_tax_rate) == ("AE", D(19))


def test_vat_ids_check_digits_and_country():
    assert vat.is_valid_for("DE 123456788", "DE")
    assert not vat.is_valid_for("DE123456789", "DE")  # check digit
    assert not vat.is_valid_for("DE123456788", "FR")  # another state's id
    assert not vat.is_valid_for(None, "DE")


def line(price, quantity="1", rate="19", gross=False, **fields):
    return LineData("Item", D(quantity), D(price), tax_rate=D(rate), prices_include_tax=gross,
                    price_tax_rate=D(rate) if gross else None, **fields)


def test_99_99_gross_at_19_percent():
    strict = compute([line("99.99", gross=True)], "EUR")
    # EN 16931: net 84.03 (99.99 / 1.19), VAT round(84.03 x 19 %) = 15.97.
    assert (strict.net_total, strict.tax_total, strict.total) == (D("84.03"), D("15.97"), D("100.00"))
    kept = compute([line("99.99", gross=True)], "EUR", "keep_gross")
    assert (kept.net_total, kept.tax_total, kept.total) == (D("84.03"), D("15.96"), D("99.99"))
    assert kept.gross_amounts == (D("99.99"),)
    three = compute([line("99.99", quantity="3", gross=True)], "EUR", "keep_gross")
    assert (three.net_total, three.total) == (D("252.08"), D("299.97"))


def test_net_prices_discounts_and_surcharges():
    amounts = compute([line("10.00", quantity="3", discount=D("5.00")),
                       line("20.00", rate="7", discount=D("-2.50"), discount_reason="Express")], "EUR")
    assert amounts.totals.line_nets == (D("25.00"), D("22.50"))
    assert [(g.rate, g.taxable, g.tax) for g in amounts.totals.breakdown] == [
        (D(19), D("25.00"), D("4.75")), (D(7), D("22.50"), D("1.58"))]
    assert amounts.total == D("53.83")


def test_second_level_and_compound_taxes():
    plain = compute([line("100.00", rate="5", tax2_name="QST", tax2_rate=D("9.975"))], "CAD")
    assert [(t.taxable, t.tax) for t in plain.second_level] == [(D("100.00"), D("9.98"))]
    assert plain.total == D("114.98")
    compound = compute([line("100.00", rate="10", tax2_name="C", tax2_rate=D(5), tax2_compound=True)], "EUR")
    assert [(t.taxable, t.tax) for t in compound.second_level] == [(D("110.00"), D("5.50"))]
    assert compound.total == D("115.50")


def test_keep_gross_falls_back_to_en16931_beyond_the_tolerance():
    many = [line("0.03", gross=True) for _ in range(400)]  # each line's VAT rounds the same way
    amounts = compute(many, "EUR", "keep_gross")
    group = amounts.totals.breakdown[0]
    assert abs(group.tax - quantize(group.taxable * group.rate / 100, "EUR")) < 1
    assert amounts.rounding == "en16931"


RATES = st.sampled_from(["0", "7", "19", "20", "25.5", "27"])


@st.composite
def lines(draw):
    currency = draw(st.sampled_from(["EUR", "JPY", "SEK"]))
    places = 0 if currency == "JPY" else 2
    items = []
    for _ in range(draw(st.integers(1, 12))):
        rate = D(draw(RATES))
        price = draw(st.decimals(min_value=0, max_value=5000, places=places + 2))
        quantity = draw(st.decimals(min_value="0.01", max_value=500, places=2))
        discount = draw(st.decimals(min_value=-50, max_value=50, places=places))
        gross = draw(st.booleans()) and rate > 0
        extra = draw(st.sampled_from([None, (D("9.975"), False), (D(5), True)])) if rate else None
        items.append(LineData("Item", quantity, price, tax_category="S" if rate else "Z", tax_rate=rate,
                              discount=discount, prices_include_tax=gross, price_tax_rate=rate if gross else None,
                              tax2_name="T2" if extra else None, tax2_rate=extra[0] if extra else None,
                              tax2_compound=bool(extra and extra[1])))
    return currency, items, draw(st.sampled_from(["en16931", "keep_gross"]))


@settings(max_examples=200, deadline=None)
@given(lines())
def test_totals_equal_the_sum_of_lines_and_of_the_tax_breakdown(case):
    currency, items, rounding = case
    amounts = compute(items, currency, rounding)
    totals = amounts.totals
    assert amounts.net_total == sum(totals.line_nets) == sum(g.taxable for g in totals.breakdown)
    assert amounts.tax_total == sum(g.tax for g in totals.breakdown) + sum(t.tax for t in amounts.second_level)
    assert amounts.total == amounts.net_total + amounts.tax_total
    for value in (amounts.net_total, amounts.tax_total, amounts.total, *totals.line_nets):
        assert value == quantize(value, currency)
    for group in totals.breakdown:
        exact = quantize(group.taxable * group.rate / 100, currency)
        assert abs(group.tax - exact) < 1  # BR-S-09 / BR-CO-17 tolerance
        if amounts.rounding == "en16931":
            assert group.tax == exact
    if amounts.rounding == "keep_gross":  # the customer pays exactly the gross prices of kept lines
        for item, net, gross in zip(items, totals.line_nets, amounts.gross_amounts, strict=True):
            if gross is not None:
                assert gross == quantize(item.quantity * item.unit_price, currency) - quantize(item.discount, currency)
                assert net == quantize(gross * 100 / (100 + item.tax_rate), currency)
