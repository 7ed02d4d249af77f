"""Money is written the reader's way: the viewer's locale on pages, the document's
language in PDFs and mails, each currency with its ISO 4217 exponent."""

import io

from mpanel_billing.models import Invoice
from mpanel_billing.pdf import stored_pdf
from pypdf import PdfReader

from mpanel.core import outbox


def test_german_page_pdf_and_mail_write_euros_the_german_way(client, billing, smtp):
    # Outside the EU (no VAT) the total is the net: 2 × 617.25 = 1,234.50.
    customer_id = billing.customer(country="US", language="de", email="kunde@example.com")
    invoice_id = billing.invoice(customer_id, [("Webhosting", "2", "617.25"), ("Domains", "10", "0")])
    billing.run(lambda s: outbox.process_pending(s))

    billing.tenant.web_login(client, billing.tenant.contact(customer_id))
    page = client.get(f"/client/billing/{invoice_id}?_l_=de", base_url=billing.host).get_data(as_text=True)
    assert "1.234,50\xa0€" in page and "617,25\xa0€" not in page  # lines show their net amount
    assert "<td>10</td>" in page and "1E+1" not in page  # quantities as numbers
    english = client.get(f"/client/billing/{invoice_id}?_l_=en", base_url=billing.host).get_data(as_text=True)
    assert "€1,234.50" in english

    [message] = smtp.messages
    assert "1.234,50\xa0€" in message.get_body(("plain",)).get_content()
    [attachment] = list(message.iter_attachments())
    text = PdfReader(io.BytesIO(attachment.get_content())).pages[0].extract_text()
    assert "1.234,50" in text and "617,25" in text and "1,234.50" not in text


def test_kwd_has_three_decimals_and_jpy_none(app, billing):
    for currency, amount, german in (("KWD", "1234.5", "1.234,500\xa0KWD"), ("JPY", "1234", "1.234\xa0¥")):
        customer_id = billing.customer(country="US", currency=currency, language="de")
        invoice_id = billing.invoice(customer_id, [("Hosting", "1", amount)], tax_exchange_rate="2.9")
        client = app.test_client()
        billing.tenant.web_login(client, billing.tenant.contact(customer_id))
        page = client.get("/client/billing/?_l_=de", base_url=billing.host).get_data(as_text=True)
        assert german in page, currency
        content = billing.run(lambda s, pk=invoice_id: stored_pdf(s, s.get(Invoice, pk)).content)
        text = PdfReader(io.BytesIO(content)).pages[0].extract_text()
        assert german.replace("\xa0", " ") in text.replace("\xa0", " "), currency
