"""EN 16931 totals: official CEN/TC 434 examples, properties and edge cases.

Lines, allowances, charges and rates of the examples were copied by hand from
the XML files in shared/validators/en16931/, and the expected amounts from the
same files (also tabulated in shared/validators/README.md).
"""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from mpanel_billing.documents import (
    Document,
    DocumentAllowanceCharge,
    DocumentLine,
    Party,
)
from mpanel_billing.totals import compute_totals, line_net, net_from_gross

from mpanel.core.money import TaxedAmount, exponent, quantize

D = Decimal
PARTY = Party(name="Party", street="Street 1", city="City", postcode="1000", country="BE")
REASONS = {code: f"{code} exemption" for code in ("E", "AE", "K", "G", "O")}


def line(qty, price, category="S", rate=25, *, base=1, allowance=0, charge=0):
    return DocumentLine(
        id="1", description="item", quantity=D(qty), unit_price=D(price),
        tax_category=category, tax_rate=D(rate), base_quantity=D(base),
        allowance=D(allowance), allowance_reason="allowance" if allowance else None,
        charge=D(charge), charge_reason="charge" if charge else None,
    )


def doc_ac(is_charge, amount, category="S", rate=25):
    return DocumentAllowanceCharge(
        is_charge=is_charge, amount=D(amount), reason="reason",
        tax_category=category, tax_rate=D(rate),
    )


def document(currency, lines, allowances_charges=(), prepaid=0, kind="invoice"):
    return Document(
        kind=kind, number="1", issue_date=date(2024, 1, 1), currency=currency,
        seller=PARTY, buyer=PARTY, lines=lines, allowances_charges=allowances_charges,
        exemption_reasons=REASONS, prepaid_amount=D(prepaid),
    )


def assert_totals(totals, *, line_nets, line_total, tax_exclusive, breakdown, tax_total,
                  tax_inclusive, payable, allowance_total=0, charge_total=0, prepaid=0):
    assert totals.line_nets == tuple(D(n) for n in line_nets)
    assert totals.line_total == D(line_total)
    assert totals.allowance_total == D(allowance_total)
    assert totals.charge_total == D(charge_total)
    assert totals.tax_exclusive == D(tax_exclusive)
    assert [(g.category, g.rate, g.taxable, g.tax) for g in totals.breakdown] == [
        (category, D(rate), D(taxable), D(tax)) for category, rate, taxable, tax in breakdown
    ]
    assert totals.tax_total == D(tax_total)
    assert totals.tax_inclusive == D(tax_inclusive)
    assert totals.prepaid == D(prepaid)
    assert totals.payable == D(payable)


# --- official examples, reproduced unchanged --------------------------------


def test_tc434_example5_two_rates_line_and_document_allowances_charges_prepaid():
    totals = compute_totals(document("DKK", [
        line(1000, "1.00", "S", 25, allowance="100.00", charge="100.00"),
        line(100, "5.00", "S", 25),
        line(500, "5.00", "S", 12),
    ], [doc_ac(False, "150.00"), doc_ac(True, "150.00")], prepaid="2337.50"))
    assert_totals(
        totals, line_nets=["1000.00", "500.00", "2500.00"], line_total="4000.00",
        allowance_total="150.00", charge_total="150.00", tax_exclusive="4000.00",
        breakdown=[("S", 25, "1500.00", "375.00"), ("S", 12, "2500.00", "300.00")],
        tax_total="675.00", tax_inclusive="4675.00", prepaid="2337.50", payable="2337.50",
    )


def test_tc434_example8_base_quantities_and_precise_unit_prices():
    totals = compute_totals(document("EUR", [
        line(16000, "0.00880", "S", 21),  # kWh
        line(16000, "0.00101", "S", 21),
        line(132, "15.24", "S", 21, base=12),
        line(58, "1.53", "S", 21),
        line(1, "441.00", "S", 21, base=12),
        line(1, "678.00", "S", 21, base=12),
        line(1, "83.34", "S", 21),
        line(1, "190.31", "S", 21),
        line(1, "64.21", "S", 21),
        line(1, "64.46", "S", 21),
    ]))
    assert_totals(
        totals,
        line_nets=["140.80", "16.16", "167.64", "88.74", "36.75", "56.50", "83.34", "190.31",
                   "64.21", "64.46"],
        line_total="908.91", tax_exclusive="908.91",
        breakdown=[("S", 21, "908.91", "190.87")],  # 190.8711
        tax_total="190.87", tax_inclusive="1099.78", payable="1099.78",
    )


def test_bis_rabatter_och_avgifter_six_line_and_three_document_allowances_charges():
    # Each line has two allowances and one charge; DocumentLine carries one
    # allowance and one charge, so the two allowances are entered as their sum.
    totals = compute_totals(document("SEK", [
        line(100, "2000", base=1, allowance=12000 + 40000, charge=24000),
        line(5, "5000", base=5, allowance=1000 + 1000, charge=1500),
    ], [doc_ac(False, 450), doc_ac(True, 3530), doc_ac(True, 100)], prepaid=0))
    assert_totals(
        totals, line_nets=["172000", "4500"], line_total="176500",
        allowance_total="450", charge_total="3630", tax_exclusive="179680",
        breakdown=[("S", 25, "179680", "44920")],
        tax_total="44920", tax_inclusive="224600", payable="224600",
    )


def test_issue116_three_rates_and_exempt_group_made_only_of_document_allowances_charges():
    totals = compute_totals(document("SEK", [
        line(1, 100, "S", 6),
        line(1, 50, "S", 12),
        line(1, 150, "S", 12),
        line(1, 400, "S", 25),
    ], [doc_ac(False, 0, "S", 6), doc_ac(False, 1, "E", 0),
        doc_ac(True, 1, "E", 0), doc_ac(True, 0, "E", 0)]))
    assert_totals(
        totals, line_nets=["100", "50", "150", "400"], line_total="700",
        allowance_total="1", charge_total="1", tax_exclusive="700",
        # The file lists the groups as S6, S25, S12, E; the order is not significant.
        breakdown=[("S", 6, "100", "6"), ("S", 12, "200", "24"), ("S", 25, "400", "100"),
                   ("E", 0, "0", "0")],
        tax_total="130", tax_inclusive="830", payable="830",
    )


def test_bis_omvand_skattskyldighet_reverse_charge():
    totals = compute_totals(document("SEK", [line(28, 4500, "AE", 0), line(28, 500, "AE", 0)]))
    assert_totals(
        totals, line_nets=["126000", "14000"], line_total="140000", tax_exclusive="140000",
        breakdown=[("AE", 0, "140000", "0")],
        tax_total="0", tax_inclusive="140000", payable="140000",
    )


def test_tc434_creditnote1_exempt():
    totals = compute_totals(document("EUR", [line("1.00", "100.11", "E", "0.00")],
                                     kind="credit_note"))
    assert_totals(
        totals, line_nets=["100.11"], line_total="100.11", tax_exclusive="100.11",
        breakdown=[("E", 0, "100.11", "0.00")],
        tax_total="0.00", tax_inclusive="100.11", payable="100.11",
    )


def test_tc434_example7_outside_scope():
    totals = compute_totals(document("SEK", [line(1, "2500.00", "O", 0),
                                             line(1, "700.00", "O", 0)]))
    assert_totals(
        totals, line_nets=["2500.00", "700.00"], line_total="3200.00", tax_exclusive="3200.00",
        breakdown=[("O", 0, "3200.00", "0.00")],
        tax_total="0.00", tax_inclusive="3200.00", payable="3200.00",
    )


def test_bis3_invoice_negativ_rounds_half_away_from_zero():
    totals = compute_totals(document("DKK", [line(-1, "625743.54", "S", 25)]))
    assert_totals(
        totals, line_nets=["-625743.54"], line_total="-625743.54", tax_exclusive="-625743.54",
        breakdown=[("S", 25, "-625743.54", "-156435.89")],  # -156435.885
        tax_total="-156435.89", tax_inclusive="-782179.43", payable="-782179.43",
    )


# --- official examples whose lines contradict their own quantity x price ----
# Their document-level arithmetic is reproduced below with ONE line changed,
# as stated in each test; the unchanged files cannot be reproduced because the
# file's LineExtensionAmount (BT-131) is not quantity x price (EN 16931 itself
# has no rule checking BT-131, so the files are still valid).


def test_tc434_example1_with_the_return_line_as_quantity_minus_6():
    # Line 20 "FRITUUR VET 10 KG RETOUR": file says quantity 6, price 18.33 and
    # net -109.98; 6 x 18.33 = 109.98, so the return is entered as -6.
    s6 = [(2, "9.95"), (1, "9.85"), (1, "8.29"), (2, "7.23"), (1, "35.00"), (1, "35.00"),
          (1, "10.65"), (1, "1.55"), (3, "4.79"), (1, "8.29"), (2, "8.29"), (1, "9.95"),
          (2, "1.65")]
    lines = [line(q, p, "S", 6) for q, p in s6]
    lines += [line(1, "10.80", "S", 21), line(1, "3.90", "S", 6), line(2, "3.80", "S", 21),
              line(2, "4.67", "S", 21), line(1, "18.63", "S", 21), line(6, "17.02", "S", 6),
              line(-6, "18.33", "S", 6)]
    totals = compute_totals(document("EUR", lines))
    assert totals.line_nets[-1] == D("-109.98")
    assert_totals(
        totals,
        line_nets=["19.90", "9.85", "8.29", "14.46", "35.00", "35.00", "10.65", "1.55", "14.37",
                   "8.29", "16.58", "9.95", "3.30", "10.80", "3.90", "7.60", "9.34", "18.63",
                   "102.12", "-109.98"],
        line_total="229.60", tax_exclusive="229.60",
        breakdown=[("S", 6, "183.23", "10.99"), ("S", 21, "46.37", "9.74")],  # 10.9938, 9.7377
        tax_total="20.73", tax_inclusive="250.33", payable="250.33",
    )


def test_tc434_example2_with_line_1_as_quantity_1():
    # Line 1 "Laptop computer": file says quantity 2, price 1273.00, allowance
    # 12.00, charge 12.00 and net 1273.00; qty x price would be 2546.00.
    totals = compute_totals(document("NOK", [
        line(1, "1273.00", "S", 25, allowance="12.00", charge="12.00"),
        line(-1, "3.96", "S", 15),
        line(2, "2.48", "S", 15),
        line(-1, "25.00", "E", 0),
        line(250, "0.75", "S", 25),
    ], [doc_ac(False, "100.00"), doc_ac(True, "100.00")], prepaid="1000.00"))
    assert_totals(
        totals, line_nets=["1273.00", "-3.96", "4.96", "-25.00", "187.50"],
        line_total="1436.50", allowance_total="100.00", charge_total="100.00",
        tax_exclusive="1436.50",
        breakdown=[("S", 25, "1460.50", "365.13"), ("S", 15, "1.00", "0.15"),  # 365.125
                   ("E", 0, "-25.00", "0.00")],
        tax_total="365.28", tax_inclusive="1801.78", prepaid="1000.00", payable="801.78",
    )


# --- gross prices, other exponents, input checks -----------------------------


def test_gross_price_99_99_at_19_percent():
    net = net_from_gross(D("99.99"), 19, "EUR")
    assert net == D("84.03")  # 84.0252...
    assert D("99.99") - net == D("15.96")
    # On the invoice, BR-S-09 recomputes VAT from the net: round(84.03 x 19 %)
    # = 15.97, so the document total is 100.00, one cent above the gross price.
    totals = compute_totals(document("EUR", [line(1, net, "S", 19)]))
    assert (totals.tax_total, totals.tax_inclusive) == (D("15.97"), D("100.00"))


@given(st.decimals(min_value=0, max_value=100000, places=2), st.sampled_from(["19", "7", "5.5"]))
def test_net_from_gross_agrees_with_kernel(gross, rate):
    assert net_from_gross(gross, rate, "EUR") == TaxedAmount.from_gross(gross, rate, "EUR").net


def test_line_net_rounds_half_up_to_each_exponent():
    assert line_net(line(3, "333.5", "S", 10), "JPY") == D("1001")  # 1000.5
    assert line_net(line(1, "1.0005", "S", 10), "KWD") == D("1.001")
    assert line_net(line(3, "0.335", "S", 10), "EUR") == D("1.01")  # 1.005


def test_documents_refuse_bad_input():
    with pytest.raises(TypeError):
        DocumentLine(id="1", description="x", quantity=1, unit_price=9.99, tax_category="S",
                     tax_rate=19)  # float money
    with pytest.raises(ValueError):
        line(1, "9.99", "S", 0)  # BR-S-05
    with pytest.raises(ValueError):
        line(1, "9.99", "E", 19)  # BR-E-05
    with pytest.raises(ValueError):
        DocumentLine(id="1", description="x", quantity=D(1), unit_price=D(1), tax_category="S",
                     tax_rate=D(19), allowance=D(1))  # BR-41: allowance without reason
    with pytest.raises(ValueError, match="exemption reason"):
        Document(kind="invoice", number="1", issue_date=date(2024, 1, 1), currency="EUR",
                 seller=PARTY, buyer=PARTY, lines=[line(1, 1, "AE", 0)])


# --- properties ---------------------------------------------------------------

CATEGORIES = [("S", "19"), ("S", "7"), ("S", "5.5"), ("Z", "0"), ("E", "0"), ("AE", "0"),
              ("O", "0")]


def money(places, max_value=1000):
    return st.decimals(min_value=0, max_value=max_value, places=places)


@st.composite
def documents(draw):
    currency = draw(st.sampled_from(["EUR", "JPY", "KWD"]))
    places = exponent(currency)

    lines = draw(st.lists(st.builds(
        lambda qty, price, base, allowance, charge, tax: line(
            qty, price, *tax, base=base, allowance=allowance, charge=charge),
        st.decimals(min_value=-50, max_value=500, places=3),
        st.decimals(min_value=0, max_value=5000, places=5),
        st.sampled_from([1, 12, 100]),
        money(places), money(places), st.sampled_from(CATEGORIES),
    ), min_size=1, max_size=8))
    items = draw(st.lists(st.builds(
        lambda is_charge, amount, tax: doc_ac(is_charge, amount, *tax),
        st.booleans(), money(places), st.sampled_from(CATEGORIES),
    ), max_size=4))
    return document(currency, lines, items, prepaid=draw(money(places, 10000)))


@given(documents())
def test_totals_identities(doc):
    totals = compute_totals(doc)
    items = doc.allowances_charges
    allowances = [quantize(i.amount, doc.currency) for i in items if not i.is_charge]
    charges = [quantize(i.amount, doc.currency) for i in items if i.is_charge]
    assert totals.line_total == sum(totals.line_nets)  # BR-CO-10
    assert totals.allowance_total == sum(allowances)  # BR-CO-11
    assert totals.charge_total == sum(charges)  # BR-CO-12
    # BR-CO-13
    assert totals.tax_exclusive == sum(totals.line_nets) - sum(allowances) + sum(charges)
    assert sum(g.taxable for g in totals.breakdown) == totals.tax_exclusive
    assert totals.tax_total == sum(g.tax for g in totals.breakdown)  # BR-CO-14
    assert totals.tax_inclusive == totals.tax_exclusive + totals.tax_total  # BR-CO-15
    assert totals.payable == totals.tax_inclusive - totals.prepaid  # BR-CO-16
    for group in totals.breakdown:
        expected = group.taxable * group.rate / 100 if group.category == "S" else 0
        assert group.tax == quantize(expected, doc.currency)  # BR-S-09, BR-*-09
    assert len({(g.category, g.rate) for g in totals.breakdown}) == len(totals.breakdown)


@given(documents())
def test_every_amount_has_the_currency_exponent(doc):
    totals = compute_totals(doc)
    amounts = [*totals.line_nets, totals.line_total, totals.allowance_total,
               totals.charge_total, totals.tax_exclusive, totals.tax_total,
               totals.tax_inclusive, totals.prepaid, totals.payable]
    amounts += [a for g in totals.breakdown for a in (g.taxable, g.tax)]
    assert {a.as_tuple().exponent for a in amounts} == {-exponent(doc.currency)}
