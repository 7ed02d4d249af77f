"""UBL 2.1 rendering, checked with the official CEN/TC 434 EN 16931 validator."""

from datetime import date
from decimal import Decimal
from itertools import combinations
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from mpanel_billing.documents import (
    Document,
    DocumentAllowanceCharge,
    DocumentLine,
    Party,
    PaymentMeans,
)
from mpanel_billing.totals import compute_totals
from mpanel_billing.ubl import render_ubl

from mpanel.core.money import exponent
from mpanel.testing.validators import validator as shared_validator
from mpanel.testing.validators import validators_dir

D = Decimal
VALIDATORS = validators_dir()
EXAMPLES = [*(VALIDATORS / "en16931" / "examples").iterdir(),
            *(VALIDATORS / "en16931" / "testfiles").iterdir()]
NS = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}

SELLER = Party(name="MPanel Hosting GmbH", street="Torstrasse 1", city="Berlin",
               postcode="10119", country="DE", vat_id="DE123456789",
               company_id="HRB 123456", email="billing@mpanel.example")
BUYER_DE = Party(name="Kunde AG", street="Marktplatz 2", city="Hamburg", postcode="20095",
                 country="DE", vat_id="DE987654321")
BUYER_FR = Party(name="Client SARL", street="12 rue de la Paix", city="Paris",
                 postcode="75002", country="FR", vat_id="FR40123456789")
BUYER_US = Party(name="Customer Inc.", street="1 Main St", city="Springfield",
                 postcode="62701", country="US")
SEPA = PaymentMeans(code="58", iban="DE89370400440532013000", bic="COBADEFFXXX",
                    account_name="MPanel Hosting GmbH", payment_reference="RE-2024-0042")
JANUARY = {"period_start": date(2024, 1, 1), "period_end": date(2024, 1, 31)}
REASONS = {
    "AE": "Reverse charge: VAT due by the recipient (Art. 196 Directive 2006/112/EC)",
    "E": "Exempt under Section 4 No. 8 UStG",
    "K": "Intra-community supply (Art. 138 Directive 2006/112/EC)",
    "G": "Export outside the EU (Art. 146 Directive 2006/112/EC)",
    "O": "Not subject to VAT",
}


INVOICE = {
    "kind": "invoice", "number": "RE-2024-0042", "issue_date": date(2024, 2, 1),
    "due_date": date(2024, 2, 15), "currency": "EUR", "seller": SELLER, "buyer": BUYER_DE,
    "exemption_reasons": REASONS, "payment_means": SEPA,
}


def invoice(lines, **fields):
    return Document(**{**INVOICE, "lines": lines, **fields})


def hosting(id, price, category="S", rate="19", quantity="1", **fields):
    return DocumentLine(id=id, description=f"Hosting plan {id}", quantity=D(quantity),
                        unit_price=D(price), tax_category=category, tax_rate=D(rate),
                        unit_code="MON", **fields)


DOCUMENTS = {
    "single_rate": invoice(
        [hosting("1", "9.99", quantity="3", **JANUARY), hosting("2", "0.35", quantity="7")],
        buyer_reference="PO-4711", note="Thank you for your business."),
    "several_rates": invoice([
        hosting("1", "24.99"), hosting("2", "12.50", rate="7", quantity="3"),
        hosting("3", "4.20", category="Z", rate="0"),
        hosting("4", "0.333", rate="19", quantity="10"),
    ]),
    "reverse_charge": invoice(
        [hosting("1", "149.00", category="AE", rate="0", **JANUARY),
         hosting("2", "19.90", category="AE", rate="0", quantity="2")],
        buyer=BUYER_FR),
    "exempt": invoice([hosting("1", "80.00", category="E", rate="0")]),
    "allowances_charges": invoice(
        [hosting("1", "29.99", quantity="12", allowance=D("35.99"),
                 allowance_reason="Annual prepayment discount", **JANUARY),
         hosting("2", "5.00", rate="7", charge=D("2.50"), charge_reason="Express setup"),
         DocumentLine(id="3", description="Traffic", quantity=D("1234.5"), unit_code="GB",
                      unit_price=D("0.0125"), base_quantity=D("10"), tax_category="S",
                      tax_rate=D("19"))],
        allowances_charges=[
            DocumentAllowanceCharge(is_charge=False, amount=D("10.00"), reason="Loyalty",
                                    tax_category="S", tax_rate=D("19")),
            DocumentAllowanceCharge(is_charge=True, amount=D("4.90"), reason="Paper invoice",
                                    tax_category="S", tax_rate=D("19")),
            DocumentAllowanceCharge(is_charge=False, amount=D("0.50"), reason="Rounding goodwill",
                                    tax_category="S", tax_rate=D("7")),
        ],
        prepaid_amount=D("100.00")),
    "credit_note": invoice(
        [hosting("1", "9.99", quantity="2", **JANUARY)],
        kind="credit_note", number="GS-2024-0007", preceding_invoice_number="RE-2024-0042",
        preceding_invoice_date=date(2024, 2, 1), note="Refund for the outage in January"),
    "intra_community": invoice(
        [hosting("1", "499.00", category="K", rate="0", **JANUARY)], buyer=BUYER_FR),
    "export": invoice([hosting("1", "49.00", category="G", rate="0")], buyer=BUYER_US),
    "outside_scope": invoice(
        [hosting("1", "15.00", category="O", rate="0")],
        # BR-O-02: no VAT identifiers at all on a "not subject to VAT" invoice.
        seller=Party(name="MPanel Hosting GmbH", street="Torstrasse 1", city="Berlin",
                     postcode="10119", country="DE", company_id="HRB 123456"),
        buyer=BUYER_US),
    "yen": invoice([hosting("1", "1980", rate="10", quantity="3"), hosting("2", "333.5", rate="8")],
                   currency="JPY"),
}


@pytest.fixture(scope="module")
def validator():
    return shared_validator()


def assert_valid(validator, xml: bytes, directory: Path):
    path = directory / "document.xml"
    path.write_bytes(xml)
    failures, warnings = validator.validate_en16931(path)
    assert failures == []
    assert warnings == []


def amount(element, path, currency):
    node = element.find(path, NS)
    assert node.get("currencyID") == currency
    # Exactly the currency's exponent: "10.00" for EUR, "1980" for JPY.
    assert len(node.text.partition(".")[2]) == exponent(currency)
    return D(node.text)


def assert_xml_matches_totals(document: Document, xml: bytes):
    root = etree.fromstring(xml)
    totals, currency = compute_totals(document), document.currency
    money = root.find("cac:LegalMonetaryTotal", NS)
    for name, value in [("LineExtensionAmount", totals.line_total),
                        ("TaxExclusiveAmount", totals.tax_exclusive),
                        ("TaxInclusiveAmount", totals.tax_inclusive),
                        ("PayableAmount", totals.payable)]:
        assert amount(money, f"cbc:{name}", currency) == value
    for name, value in [("AllowanceTotalAmount", totals.allowance_total),
                        ("ChargeTotalAmount", totals.charge_total),
                        ("PrepaidAmount", totals.prepaid)]:
        if money.find(f"cbc:{name}", NS) is None:
            assert value == 0
        else:
            assert amount(money, f"cbc:{name}", currency) == value
    assert amount(root, "cac:TaxTotal/cbc:TaxAmount", currency) == totals.tax_total
    subtotals = root.findall("cac:TaxTotal/cac:TaxSubtotal", NS)
    assert [(s.findtext("cac:TaxCategory/cbc:ID", namespaces=NS),
             D(s.findtext("cac:TaxCategory/cbc:Percent", "0", namespaces=NS)),
             amount(s, "cbc:TaxableAmount", currency),
             amount(s, "cbc:TaxAmount", currency)) for s in subtotals] == [
        (g.category, g.rate, g.taxable, g.tax) for g in totals.breakdown]
    line_tag = "cac:CreditNoteLine" if document.kind == "credit_note" else "cac:InvoiceLine"
    nets = tuple(amount(line, "cbc:LineExtensionAmount", currency)
                 for line in root.findall(line_tag, NS))
    assert nets == totals.line_nets


@pytest.mark.parametrize("name", DOCUMENTS)
def test_official_validator_accepts(name, validator, tmp_path):
    document = DOCUMENTS[name]
    xml = render_ubl(document)
    assert_valid(validator, xml, tmp_path)
    assert_xml_matches_totals(document, xml)


def test_header_of_credit_note_and_reverse_charge():
    credit = etree.fromstring(render_ubl(DOCUMENTS["credit_note"]))
    assert credit.tag == "{urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2}CreditNote"
    assert credit.findtext("cbc:CustomizationID", namespaces=NS) == "urn:cen.eu:en16931:2017"
    assert credit.findtext("cbc:CreditNoteTypeCode", namespaces=NS) == "381"
    reference = credit.find("cac:BillingReference/cac:InvoiceDocumentReference", NS)
    assert reference.findtext("cbc:ID", namespaces=NS) == "RE-2024-0042"
    assert reference.findtext("cbc:IssueDate", namespaces=NS) == "2024-02-01"
    assert credit.findtext("cac:PaymentMeans/cbc:PaymentDueDate", namespaces=NS) == "2024-02-15"
    assert credit.find("cbc:DueDate", NS) is None

    reverse = etree.fromstring(render_ubl(DOCUMENTS["reverse_charge"]))
    assert reverse.findtext("cbc:InvoiceTypeCode", namespaces=NS) == "380"
    vat_ids = reverse.xpath("//cac:PartyTaxScheme/cbc:CompanyID/text()", namespaces=NS)
    assert vat_ids == ["DE123456789", "FR40123456789"]
    reason = reverse.findtext("cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:TaxExemptionReason",
                              namespaces=NS)
    assert reason == REASONS["AE"]


def test_unit_price_keeps_its_precision():
    xml = etree.fromstring(render_ubl(DOCUMENTS["allowances_charges"]))
    prices = xml.xpath("//cac:Price/cbc:PriceAmount/text()", namespaces=NS)
    assert prices == ["29.99", "5.00", "0.0125"]


def test_three_decimal_currencies_are_refused():
    with pytest.raises(ValueError, match="KWD"):
        render_ubl(invoice([hosting("1", "1.500")], currency="KWD"))


def _precedences(root):
    """(parent, a, b) for every two sibling names where a comes before b."""
    pairs = set()
    for element in root.iter(etree.Element):
        names = [etree.QName(child).localname for child in element.iterchildren(etree.Element)]
        parent = etree.QName(element).localname
        pairs.update((parent, a, b) for a, b in combinations(names, 2) if a != b)
    return pairs


def test_element_order_agrees_with_the_official_examples():
    # The validator does not check the XSD, so compare sibling order with the
    # official (schema-valid) examples: no pair may appear the other way round.
    seen = set().union(*(_precedences(etree.parse(str(path)).getroot()) for path in EXAMPLES))
    for name, document in DOCUMENTS.items():
        ours = _precedences(etree.fromstring(render_ubl(document)))
        contradictions = {(p, a, b) for p, a, b in ours if (p, b, a) in seen}
        assert not contradictions, name


CATEGORIES = [("S", "19"), ("S", "7"), ("Z", "0"), ("E", "0"), ("AE", "0"), ("G", "0")]


@st.composite
def random_documents(draw):
    currency = draw(st.sampled_from(["EUR", "JPY"]))
    places = exponent(currency)
    money = st.decimals(min_value=0, max_value=500, places=places)

    def line(number, quantity, price, base, allowance, charge, tax):
        return DocumentLine(
            id=str(number), description="Service", quantity=quantity, unit_price=price,
            base_quantity=base, tax_category=tax[0], tax_rate=D(tax[1]),
            allowance=allowance, allowance_reason="Discount", charge=charge,
            charge_reason="Fee")

    lines = draw(st.lists(st.tuples(
        st.decimals(min_value=-20, max_value=200, places=2),
        st.decimals(min_value=0, max_value=1000, places=4),
        st.sampled_from([D(1), D(12)]), money, money, st.sampled_from(CATEGORIES),
    ), min_size=1, max_size=5))
    items = draw(st.lists(st.tuples(st.booleans(), money, st.sampled_from(CATEGORIES)),
                          max_size=3))
    return invoice(
        [line(number, *values) for number, values in enumerate(lines, 1)],
        kind=draw(st.sampled_from(["invoice", "credit_note"])), currency=currency,
        buyer=BUYER_FR, preceding_invoice_number="RE-1",
        allowances_charges=[
            DocumentAllowanceCharge(is_charge=charge, amount=value, reason="Adjustment",
                                    tax_category=tax[0], tax_rate=D(tax[1]))
            for charge, value, tax in items],
        prepaid_amount=draw(money))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_documents())
def test_official_validator_accepts_random_documents(validator, tmp_path_factory, document):
    xml = render_ubl(document)
    assert_valid(validator, xml, tmp_path_factory.mktemp("ubl"))
    assert_xml_matches_totals(document, xml)
