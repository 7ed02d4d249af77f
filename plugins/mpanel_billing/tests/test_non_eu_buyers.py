"""VAT ids outside the EU (Norway, Switzerland, the UK) are accepted, checked per
country with python-stdnum, and their holders taxed by the export rules: services
to buyers outside the EU are outside the scope of EU VAT (O), with the VATEX
reason code and text on the UBL and the PDF."""

import io
import sys

import pytest
from lxml import etree
from mpanel_billing.einvoice import ubl_for
from mpanel_billing.models import Invoice
from mpanel_billing.pdf import stored_pdf
from mpanel_billing.tax.vat import is_valid_for
from pypdf import PdfReader

from mpanel.modules.customers.validation import check_vat_id
from mpanel.testing.validators import validators_dir

VALIDATORS = validators_dir()
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"


@pytest.mark.parametrize(("written", "stored", "country"), [
    ("NO 995 525 828 MVA", "NO995525828MVA", "NO"), ("CHE-116.281.710 MWST", "CHE116281710MWST", "CH"),
    ("GB 980 7806 84", "GB980780684", "GB"), ("DE 123456788", "DE123456788", "DE")])
def test_vat_ids_of_norway_switzerland_and_the_uk_are_accepted(written, stored, country):
    assert check_vat_id(written) == stored
    assert is_valid_for(stored, country) and not is_valid_for(stored, "FR")


@pytest.mark.parametrize("wrong", ["NO 995 525 829 MVA", "CHE-113.553.840 MWST", "GB 980 7806 85", "US12345"])
def test_wrong_check_digits_are_refused(wrong):
    with pytest.raises(ValueError):
        check_vat_id(wrong)


def test_a_norwegian_business_is_outside_the_scope_with_the_vatex_code(billing, tmp_path):
    customer = billing.customer(country="NO", vat_id="NO995525828MVA", company="Kunde AS", city="Oslo",
                                postcode="0150", currency="EUR")
    invoice_id = billing.invoice(customer, [("Hosting", "1", "49.00")])
    assert billing.load(invoice_id, lambda i: (i.lines[0].tax_category, i.tax_total, i.total)) == ("O", 0, 49)
    xml = billing.load(invoice_id, ubl_for)
    root = etree.fromstring(xml)
    assert root.findtext(f".//{{{CBC}}}TaxExemptionReasonCode") == "VATEX-EU-O"
    assert "Art. 44 and 58" in root.findtext(f".//{{{CBC}}}TaxExemptionReason")
    sys.path.insert(0, str(VALIDATORS))
    import validate

    path = tmp_path / "no.xml"
    path.write_bytes(xml)
    assert validate.validate_en16931(path)[0] == []
    content = billing.run(lambda s: stored_pdf(s, s.get(Invoice, invoice_id)).content)
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    assert "VATEX-EU-O" in text and "Council Directive 2006/112/EC" in text
