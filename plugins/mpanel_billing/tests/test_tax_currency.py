"""A foreign-currency invoice of an EU seller states its VAT in the member state's
currency too (art. 230; UBL TaxCurrencyCode BT-6 and BT-111, and the PDF), at the
rate the tenant records on the invoice; without a rate it is not issued."""

import io
import sys
from decimal import Decimal

import pytest
from lxml import etree
from mpanel_billing.models import Invoice
from mpanel_billing.pdf import stored_pdf
from pypdf import PdfReader

from mpanel.testing.pytest_plugin import bearer
from mpanel.testing.validators import validators_dir

VALIDATORS = validators_dir()
NS = {"cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
      "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"}


@pytest.fixture
def owner(client, billing):
    return bearer(billing.tenant.api_token(client, billing.tenant.staff("Owner")))


def create(client, billing, owner, **fields):
    body = {"customer_id": billing.customer(currency="USD"), "issue": True, "currency": "USD",
            "lines": [{"description": "Hosting", "quantity": "1", "unit_price": "100.00"}], **fields}
    return client.post("/api/v1/invoices/", base_url=billing.host, headers=owner, json=body)


def test_a_usd_invoice_of_a_german_seller_states_the_vat_in_eur(client, billing, owner, tmp_path):
    response = create(client, billing, owner, tax_exchange_rate="0.9234")
    assert response.status_code == 201, response.get_json()
    result = response.get_json()["result"]
    assert (result["tax_total"], result["tax_currency"], result["tax_total_in_tax_currency"]) == (
        "19.00", "EUR", "17.54")  # 19.00 x 0.9234 = 17.5446
    xml = client.get(f"/api/v1/invoices/{result['id']}/ubl", base_url=billing.host, headers=owner).data
    root = etree.fromstring(xml)
    assert root.findtext("cbc:TaxCurrencyCode", namespaces=NS) == "EUR"
    amounts = {(a.get("currencyID"), a.text) for a in root.findall("cac:TaxTotal/cbc:TaxAmount", NS)}
    assert amounts == {("USD", "19.00"), ("EUR", "17.54")}
    sys.path.insert(0, str(VALIDATORS))
    import validate

    (tmp_path / "usd.xml").write_bytes(xml)
    assert validate.validate_en16931(tmp_path / "usd.xml")[0] == []
    content = billing.run(lambda s: stored_pdf(s, s.get(Invoice, result["id"])).content)
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    assert "VAT in EUR at 0.9234" in text and "€17.54" in text


def test_without_a_rate_the_invoice_is_not_issued(client, billing, owner):
    response = create(client, billing, owner)
    assert response.status_code == 409 and "tax_exchange_rate" in response.get_json()["message"]
    billing.configure(tax_exchange_rates="USD=0.9, CHF=1.07")  # the tenant's rate for orders and renewals
    recorded = create(client, billing, owner)
    assert recorded.status_code == 201 and recorded.get_json()["result"]["tax_total_in_tax_currency"] == "17.10"
    same = create(client, billing, owner, currency="EUR")
    assert same.status_code == 201 and same.get_json()["result"]["tax_currency"] is None
    assert Decimal(same.get_json()["result"]["tax_total"]) == Decimal("19.00")
