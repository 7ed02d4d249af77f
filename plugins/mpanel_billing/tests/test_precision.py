"""One invoice, one set of figures: input more precise than the database keeps
is refused naming the field, and the ledger, the PDF and the UBL of an issued
invoice all carry the stored totals."""

import io

import pytest
from lxml import etree
from mpanel_billing import credit, ledger
from mpanel_billing.models import Invoice, InvoiceLine
from mpanel_billing.models.ledger import LedgerEntry
from mpanel_billing.pdf import stored_pdf
from mpanel_billing.testing import D
from mpanel_billing.ubl import CBC
from pypdf import PdfReader
from sqlalchemy import func, select

from mpanel.core.errors import FieldError
from mpanel.testing.pytest_plugin import bearer


@pytest.fixture
def owner(client, billing):
    return bearer(billing.tenant.api_token(client, billing.tenant.staff("Owner")))


def post(client, billing, headers, path, body):
    return client.post(f"/api/v1/{path}", base_url=billing.host, headers=headers, json=body)


@pytest.mark.parametrize(("field", "value"), [("quantity", "2.00005"), ("unit_price", "1.000000001"),
                                              ("discount", "0.00001")])
def test_more_decimals_than_stored_are_refused_naming_the_field(client, billing, owner, field, value):
    customer = billing.customer()
    line = {"description": "Hosting", "quantity": "2", "unit_price": "1016.83", field: value}
    before = billing.run(lambda s: s.scalar(select(func.count(InvoiceLine.id))))
    response = post(client, billing, owner, "invoices/", {"customer_id": customer, "lines": [line], "issue": True})
    assert response.status_code == 400, response.get_json()
    assert field in response.get_json()["message"]["lines"]["0"]
    assert billing.run(lambda s: s.scalar(select(func.count(InvoiceLine.id)))) == before


def test_a_credited_quantity_more_precise_than_stored_is_refused(billing):
    invoice_id = billing.invoice(billing.customer(), [("Hosting", "3", "10.00")])

    def refund(session):
        invoice = session.get(Invoice, invoice_id)
        credit.credit_note(session, invoice, [{"line_id": invoice.lines[0].id, "quantity": D("1.00005")}])

    with pytest.raises(FieldError) as error:
        billing.run(refund)
    assert "lines.0.quantity" in error.value.as_messages()


def test_ledger_pdf_and_ubl_carry_the_stored_totals(client, billing, owner):
    customer = billing.customer()
    response = post(client, billing, owner, "invoices/", {"customer_id": customer, "issue": True, "lines": [
        {"description": "Hosting", "quantity": "2.0001", "unit_price": "1016.83"}]})
    assert response.status_code == 201, response.get_json()
    invoice_id = response.get_json()["result"]["id"]
    stored = billing.load(invoice_id, lambda i: (i.net_total, i.tax_total, i.total))
    assert stored == (D("2033.76"), D("386.41"), D("2420.17"))  # 2.0001 x 1016.83 = 2033.761683
    posted = billing.run(lambda s: s.scalar(select(func.sum(LedgerEntry.amount)).where(
        LedgerEntry.invoice_id == invoice_id)))
    assert posted == stored[2]
    ubl = etree.fromstring(client.get(f"/api/v1/invoices/{invoice_id}/ubl", base_url=billing.host,
                                      headers=owner).data)
    amounts = {name: D(ubl.find(f".//{{{CBC}}}{name}").text)
               for name in ("TaxExclusiveAmount", "TaxInclusiveAmount", "PayableAmount")}
    assert amounts == {"TaxExclusiveAmount": stored[0], "TaxInclusiveAmount": stored[2], "PayableAmount": stored[2]}
    assert D(ubl.find(f"./{{*}}TaxTotal/{{{CBC}}}TaxAmount").text) == stored[1]
    content = billing.run(lambda s: stored_pdf(s, s.get(Invoice, invoice_id)).content)
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    for amount in ("2,033.76", "386.41", "2,420.17"):
        assert amount in text
    assert billing.run(ledger.reconcile) == []
