"""Bank transfer on the documents and in the client area: the tenant's bank details
and the structured (RF, ISO 11649) reference a bank gateway makes are printed on
the PDF, carried in the UBL's PaymentMeans (code 58, PaymentID, payee account) and
shown on the client's invoice pages with a "Pay now" link; without a bank gateway
the documents fall back to the invoice number."""

import io
import re

import pytest
from lxml import etree
from mpanel_billing import ledger
from mpanel_billing.models import Invoice
from mpanel_billing.pdf import stored_pdf
from mpanel_billing.testing import D
from pypdf import PdfReader

from mpanel.core.plugins.engine import loaded_plugins, set_active
from mpanel.core.settings import set_settings
from mpanel.testing.pytest_plugin import bearer
from mpanel.testing.validators import validator as shared_validator
from mpanel.testing.validators import validators_dir

VALIDATORS = validators_dir()
NS = {"cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
      "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"}
IBAN, IBAN_PRINTED, BIC = "DE89370400440532013000", "DE89 3704 0044 0532 0130 00", "COBADEFFXXX"


def iso11649_valid(reference: str) -> bool:
    """The standard's check, written out here (not the plugin's code): move "RFxx" to
    the end, letters to numbers (A=10 ... Z=35), the number mod 97 must be 1."""
    if not re.fullmatch(r"RF\d{2}[A-Z0-9]{1,21}", reference):
        return False
    rearranged = reference[4:] + reference[:4]
    return int("".join(str(int(c, 36)) for c in rearranged)) % 97 == 1


def rf(number: str) -> str:
    """The RF reference of an invoice number, by the standard's recipe."""
    body = re.sub(r"[^A-Z0-9]", "", number.upper())
    check = 98 - int("".join(str(int(c, 36)) for c in body + "RF00")) % 97
    return f"RF{check:02d}{body}"


def grouped(reference: str) -> str:
    return " ".join(reference[i:i + 4] for i in range(0, len(reference), 4))


@pytest.fixture
def bank(app, billing):
    with app.app_context():
        if "gateway_bank" not in loaded_plugins():
            pytest.skip("needs the gateway_bank plugin (MPANEL_ENABLED_PLUGINS)")
    return billing


@pytest.fixture(scope="module")
def validator():
    return shared_validator()


def pdf_text(billing, invoice_id) -> str:
    content = billing.run(lambda s: stored_pdf(s, s.get(Invoice, invoice_id)).content)
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def ubl(client, billing, invoice_id) -> bytes:
    token = billing.tenant.api_token(client, billing.tenant.staff("Billing"))
    response = client.get(f"/api/v1/invoices/{invoice_id}/ubl", base_url=billing.host, headers=bearer(token))
    assert response.status_code == 200, response.get_json()
    return response.data


def assert_valid(validator, xml: bytes, tmp_path):
    path = tmp_path / "invoice.xml"
    path.write_bytes(xml)
    failures, warnings = validator.validate_en16931(path)
    assert failures == [] and warnings == []


def test_invoice_carries_bank_details_and_rf_reference_in_pdf_and_ubl(bank, client, validator, tmp_path):
    invoice_id = bank.invoice(bank.customer(), [("Hosting", "1", "100.00")])
    number = bank.load(invoice_id, lambda i: i.number)
    body = re.sub(r"[^A-Z0-9]", "", number.upper())

    xml = ubl(client, bank, invoice_id)
    assert_valid(validator, xml, tmp_path)  # zero fatal (and zero warnings) from the official rules
    means = etree.fromstring(xml).find("cac:PaymentMeans", NS)
    assert means.findtext("cbc:PaymentMeansCode", namespaces=NS) == "58"  # SEPA credit transfer
    reference = means.findtext("cbc:PaymentID", namespaces=NS)
    assert reference == rf(number) and reference.endswith(body) and iso11649_valid(reference)
    assert means.findtext("cac:PayeeFinancialAccount/cbc:ID", namespaces=NS) == IBAN
    assert means.findtext("cac:PayeeFinancialAccount/cac:FinancialInstitutionBranch/cbc:ID", namespaces=NS) == BIC
    assert means.findtext("cac:PayeeFinancialAccount/cbc:Name", namespaces=NS) == "Acme Hosting GmbH"

    text = pdf_text(bank, invoice_id)
    assert grouped(reference) in text  # printed for people: groups of four
    assert IBAN in text and BIC in text and "Account holder" in text


def test_without_a_bank_gateway_the_reference_is_the_number(bank, client, validator, tmp_path):
    bank.run(lambda s: set_active(s, "gateway_bank", False))
    invoice_id = bank.invoice(bank.customer(), [("Hosting", "1", "100.00")])
    number = bank.load(invoice_id, lambda i: i.number)
    xml = ubl(client, bank, invoice_id)
    assert_valid(validator, xml, tmp_path)
    assert etree.fromstring(xml).findtext("cac:PaymentMeans/cbc:PaymentID", namespaces=NS) == number
    text = pdf_text(bank, invoice_id)
    assert f"Reference: {number}" in text and "RF" not in text.replace(number, "")


def test_reference_format_number_and_credit_notes(bank, client, validator, tmp_path):
    bank.run(lambda s: set_settings(s, "gateway_bank", {"reference_format": "number"}))
    invoice_id = bank.invoice(bank.customer(), [("Hosting", "1", "100.00")])
    number = bank.load(invoice_id, lambda i: i.number)
    xml = ubl(client, bank, invoice_id)
    assert etree.fromstring(xml).findtext("cac:PaymentMeans/cbc:PaymentID", namespaces=NS) == number

    from mpanel_billing import credit

    note = bank.run(lambda s: credit.credit_note(s, s.get(Invoice, invoice_id)).id)
    note_text = pdf_text(bank, note)
    assert "Account holder" not in note_text  # a credit note asks for no transfer
    assert_valid(validator, ubl(client, bank, note), tmp_path)


def test_client_invoice_pages_offer_pay_now_and_the_bank_details(bank, client):
    customer = bank.customer()
    invoice_id = bank.invoice(customer, [("Hosting", "1", "100.00")])
    paid_id = bank.invoice(customer, [("Domain", "1", "10.00")])
    bank.run(lambda s: ledger.record_payment(s, s.get(Invoice, paid_id), "11.90", "EUR", "gateway_bank", "T-1"))
    number = bank.load(invoice_id, lambda i: i.number)
    reference = grouped(rf(number))
    bank.tenant.web_login(client, bank.tenant.contact(customer))

    page = client.get(f"/client/billing/{invoice_id}", base_url=bank.host)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f'href="/client/billing/payments/pay?invoice={invoice_id}"' in html and "Pay now" in html
    assert 'id="bank-details"' in html and IBAN_PRINTED in html and BIC in html and reference in html
    assert "119.00" in html

    paid = client.get(f"/client/billing/{paid_id}", base_url=bank.host).get_data(as_text=True)
    assert "Pay now" not in paid and 'id="bank-details"' not in paid

    listing = client.get("/client/billing/", base_url=bank.host).get_data(as_text=True)
    assert f"/client/billing/payments/pay?invoice={invoice_id}" in listing
    assert f"/client/billing/payments/pay?invoice={paid_id}" not in listing
    assert 'id="pay-open"' in listing
    pay = client.get(f"/client/billing/payments/pay?invoice={invoice_id}", base_url=bank.host)
    assert pay.status_code == 200 and reference in pay.get_data(as_text=True)

    bank.run(lambda s: set_active(s, "gateway_bank", False))
    html = client.get(f"/client/billing/{invoice_id}", base_url=bank.host).get_data(as_text=True)
    assert "Pay now" in html and 'id="bank-details"' not in html and IBAN_PRINTED not in html
    assert bank.load(invoice_id, lambda i: i.amount_due) == D("119.00")
