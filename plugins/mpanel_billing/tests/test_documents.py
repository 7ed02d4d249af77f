"""PDF documents (stored once, read back, no file or network access from
templates, escaped data) and UBL 2.1 checked by the official EN 16931 validator."""

import base64
import http.server
import io
import threading

import pytest
from lxml import etree
from mpanel_billing import credit, ledger
from mpanel_billing.models import Invoice, StoredDocument, TaxRule
from mpanel_billing.pdf import PdfError, link_callback, render_pdf, stored_pdf
from mpanel_billing.testing import D, free_port
from pypdf import PdfReader
from sqlalchemy import func, select

from mpanel.testing.pytest_plugin import bearer
from mpanel.testing.validators import validator as shared_validator
from mpanel.testing.validators import validators_dir

VALIDATORS = validators_dir()
# A 1x1 PNG.
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQ"
                       "AAAABJRU5ErkJggg==")
PNG_URI = "data:image/png;base64," + base64.b64encode(PNG).decode()


def pdf_of(billing, invoice_id):
    return billing.run(lambda s: stored_pdf(s, s.get(Invoice, invoice_id)).content)


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def images_in(pdf: bytes) -> int:
    return sum(len(page.images) for page in PdfReader(io.BytesIO(pdf)).pages)


def test_the_pdf_shows_number_lines_and_totals_and_is_stored_once(billing):
    customer = billing.customer(company="Kunde AG")
    invoice_id = billing.invoice(customer, [("Webhosting Pro", "2", "49.50"), ("Domain example.org", "1", "12.00")])
    pdf = pdf_of(billing, invoice_id)
    text = text_of(pdf)
    number = billing.load(invoice_id, lambda i: i.number)
    for expected in (number, "Webhosting Pro", "Domain example.org", "Kunde AG", "Acme Hosting GmbH",
                     "111.00", "21.09", "132.09", "DE89370400440532013000"):
        assert expected in text, expected
    assert pdf_of(billing, invoice_id) == pdf
    assert billing.run(lambda s: s.scalar(select(func.count(StoredDocument.id))
                                          .where(StoredDocument.invoice_id == invoice_id))) == 1


def test_credit_note_pdf_refers_to_its_invoice(billing):
    invoice_id = billing.invoice(billing.customer())
    note_id = billing.run(lambda s: credit.credit_note(s, s.get(Invoice, invoice_id)).id)
    number = billing.load(invoice_id, lambda i: i.number)
    text = text_of(pdf_of(billing, note_id))
    assert "Credit note" in text and number in text and "11.90" in text


class _Recorder(http.server.BaseHTTPRequestHandler):
    hits: list = []

    def do_GET(self):
        self.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()
        self.wfile.write(PNG)

    def log_message(self, *args):
        pass


@pytest.fixture
def web_server():
    _Recorder.hits = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", _Recorder.hits
    server.shutdown()


def test_templates_cannot_fetch_files_or_urls(billing, web_server, tmp_path):
    url, hits = web_server
    local = tmp_path / "secret.png"
    local.write_bytes(PNG)
    template = f"""<html><head>
      <link rel="stylesheet" href="{url}/style.css">
      <style>@import url("{url}/import.css"); body {{ background-image: url("{url}/bg.png"); }}</style></head>
      <body><p>{{{{ number }}}}</p>
      <img src="file:///etc/passwd"><img src="/etc/passwd"><img src="{local}"><img src="file://{local}">
      <img src="{url}/pixel.png"><img src="https://169.254.169.254/latest/meta-data/">
      <pdf:font name="x" src="{url}/font.ttf" /></body></html>"""
    billing.configure(pdf_template=template)
    pdf = pdf_of(billing, billing.invoice(billing.customer()))
    assert hits == []
    assert images_in(pdf) == 0
    assert "root:" not in text_of(pdf)


@pytest.mark.parametrize("image", ["{{ logo }}", PNG_URI])
def test_the_tenant_logo_and_inline_images_are_allowed(billing, image):
    billing.configure(logo=PNG_URI, pdf_template=f'<p>{{{{ number }}}}</p><img src="{image}">')
    assert images_in(pdf_of(billing, billing.invoice(billing.customer()))) == 1


def test_the_link_callback_refuses_everything_but_inline_images_and_assets():
    resolve = link_callback({"logo": PNG_URI})
    assert resolve("asset:logo") == PNG_URI
    assert resolve(PNG_URI) == PNG_URI
    for uri in ("file:///etc/passwd", "/etc/passwd", "http://example.com/x.png", "asset:other",
                "data:text/html;base64,PGgxPg==", "../../config.py"):
        assert resolve(uri).startswith("data:text/plain")


def test_template_data_is_escaped_and_the_template_is_sandboxed(billing, web_server):
    url, hits = web_server
    customer = billing.customer(company=f'<b>Evil</b><img src="{url}/x.png">')
    pdf = pdf_of(billing, billing.invoice(customer))
    assert hits == [] and images_in(pdf) == 0
    assert "<b>Evil</b>" in text_of(pdf)
    billing.configure(pdf_template="{{ seller.__class__.__mro__ }}")
    with pytest.raises(PdfError, match=r"SecurityError|unsafe"):
        pdf_of(billing, billing.invoice(customer))
    assert render_pdf("<p>plain</p>")[:5] == b"%PDF-"


@pytest.fixture(scope="module")
def validator():
    return shared_validator()


def ubl(client, billing, invoice_id):
    token = billing.tenant.api_token(client, billing.tenant.staff("Billing"))
    response = client.get(f"/api/v1/invoices/{invoice_id}/ubl", base_url=billing.host, headers=bearer(token))
    assert response.status_code == 200, response.get_json()
    assert response.mimetype == "application/xml"
    return response.data


def assert_valid(validator, xml: bytes, tmp_path):
    path = tmp_path / "invoice.xml"
    path.write_bytes(xml)
    failures, warnings = validator.validate_en16931(path)
    assert failures == [] and warnings == []


NS = {"cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
      "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"}


def _scenario(billing, name):
    """(invoice id, expected VAT categories) for one UBL scenario."""
    if name == "single_rate":
        return billing.invoice(billing.customer(), [("Hosting", "3", "9.99"), ("Traffic", "7", "0.35")]), ["S", "S"]
    if name == "several_rates":
        billing.run(lambda s: s.add(TaxRule(name="USt 7", country="DE", category="reduced", rate=D(7), level=1,
                                            compound=False, prices_include_tax=False, active=True)))
        return billing.invoice(billing.customer(), [("Hosting", "1", "24.99"),
                                                    ("E-book", "3", "12.50", {"tax_class": "reduced"}),
                                                    ("Export paper", "1", "4.20", {"tax_class": "zero"})]), \
            ["S", "S", "Z"]
    if name == "reverse_charge":
        customer = billing.customer(company="Client SARL", country="FR", vat_id="FR40303265045", city="Paris")
        return billing.invoice(customer, [("Server", "1", "149.00")]), ["AE"]
    if name == "exempt":
        return billing.invoice(billing.customer(tax_exempt=True), [("Course", "1", "80.00")]), ["E"]
    if name == "export":
        return billing.invoice(billing.customer(country="US", currency="USD"), [("Hosting", "1", "49.00")],
                               tax_exchange_rate="0.92"), ["O"]
    if name == "discounts_and_charges":
        return billing.invoice(billing.customer(), [
            ("Hosting yearly", "12", "29.99", {"discount": "35.99", "discount_reason": "Annual prepayment"}),
            ("Setup", "1", "5.00", {"discount": "-2.50", "discount_reason": "Express setup"})]), ["S", "S"]
    if name == "keep_gross":
        billing.run(lambda s: s.execute(TaxRule.__table__.update().where(TaxRule.country == "DE")
                                        .values(prices_include_tax=True)))
        billing.configure(tax_rounding="keep_gross")
        return billing.invoice(billing.customer(), [("Plan", "1", "99.99"), ("Plan", "3", "99.99")]), ["S", "S"]
    invoice_id = billing.invoice(billing.customer(), [("Hosting", "2", "9.99"), ("Domain", "1", "12.00")])
    lines = billing.load(invoice_id, lambda i: [line.id for line in i.lines])
    return billing.run(lambda s: credit.credit_note(s, s.get(Invoice, invoice_id),
                                                    [{"line_id": lines[0], "quantity": D(1)}], "Outage").id), ["S"]


@pytest.mark.parametrize("name", ["single_rate", "several_rates", "reverse_charge", "exempt", "export",
                                  "discounts_and_charges", "keep_gross", "credit_note"])
def test_ubl_passes_the_official_validator(client, make_billing, validator, tmp_path, name):
    billing = make_billing()
    invoice_id, categories = _scenario(billing, name)
    xml = ubl(client, billing, invoice_id)
    assert_valid(validator, xml, tmp_path)
    root = etree.fromstring(xml)
    assert root.xpath("//cac:InvoiceLine/cac:Item/cac:ClassifiedTaxCategory/cbc:ID/text()"
                      "|//cac:CreditNoteLine/cac:Item/cac:ClassifiedTaxCategory/cbc:ID/text()",
                      namespaces=NS) == categories
    total, number = billing.load(invoice_id, lambda i: (i.total, i.number))
    assert root.findtext("cbc:ID", namespaces=NS) == number
    assert D(root.findtext("cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount", namespaces=NS)) == total
    if name == "credit_note":
        assert root.findtext("cbc:CreditNoteTypeCode", namespaces=NS) == "381"
        assert root.find("cac:BillingReference", NS) is not None
    if name == "keep_gross":
        assert total == D("399.96")  # 4 x 99.99: the gross prices, exactly


def test_ubl_is_refused_for_drafts_and_second_level_taxes(client, billing):
    draft = billing.invoice(billing.customer(), issue=False)
    token = billing.tenant.api_token(client, billing.tenant.staff("Owner"))
    response = client.get(f"/api/v1/invoices/{draft}/ubl", base_url=billing.host, headers=bearer(token))
    assert response.status_code == 409 and "status" in response.get_json()["message"]
    billing.run(lambda s: s.add_all([
        TaxRule(name="GST", country="CA", category="standard", rate=D(5), level=1, compound=False,
                prices_include_tax=False, active=True),
        TaxRule(name="QST", country="CA", region="QC", category="standard", rate=D("9.975"), level=2, compound=False,
                prices_include_tax=False, active=True)]))
    quebec = billing.invoice(billing.customer(country="CA", region="QC", currency="CAD"), [("Hosting", "1", "100")],
                             tax_exchange_rate="0.68")
    assert billing.load(quebec, lambda i: i.total) == D("114.98")
    response = client.get(f"/api/v1/invoices/{quebec}/ubl", base_url=billing.host, headers=bearer(token))
    assert response.status_code == 409 and "taxes" in response.get_json()["message"]
    assert text_of(pdf_of(billing, quebec)).count("QST") == 1


def test_payments_show_on_documents_rendered_later(billing):
    invoice_id = billing.invoice(billing.customer(), issue=True)
    billing.run(lambda s: ledger.record_payment(s, s.get(Invoice, invoice_id), "11.90", "EUR", "bank", "t1"))
    assert billing.load(invoice_id, lambda i: i.status) == "paid"


@pytest.mark.parametrize(("language", "words"), [("de", ["Rechnung", "Gesamtbetrag", "119,00", "19 % (auf"]),
                                                 ("fr", ["Facture", "Total TTC", "119,00", "19 % (sur"])])
def test_documents_speak_the_customers_language(billing, language, words):
    invoice_id = billing.invoice(billing.customer(language=language), [("Hosting", "1", "100.00")])
    text = text_of(pdf_of(billing, invoice_id))
    for word in words:
        assert word in text, word
