"""The staff invoice desk through its pages (with CSRF): a manual draft with lines,
issued; only the actions its state allows; payments, credit, credit notes, cancel and
mail through the billing services; bad input is a form error that writes nothing."""

import re
from decimal import Decimal

from mpanel_billing.models import Invoice, Payment
from mpanel_billing.models.ledger import LedgerEntry
from sqlalchemy import func, select

from mpanel.core import outbox
from mpanel.core.outbox import OutboxMessage
from mpanel.testing.pytest_plugin import csrf_token

D = Decimal


def post(client, billing, path, data, page=None, language="en"):
    token = csrf_token(client.get(page or path, base_url=billing.host).get_data(as_text=True))
    return client.post(f"{path}?_l_={language}", base_url=billing.host, data={**data, "csrf_token": token})


def test_a_manual_draft_is_made_edited_and_issued_on_its_page(client, billing):
    customer_id = billing.customer(company="Desk GmbH")
    billing.tenant.web_login(client, billing.tenant.staff("Billing"))
    form = client.get("/invoiceview/add", base_url=billing.host)
    assert form.status_code == 200 and "Desk GmbH" in form.get_data(as_text=True)
    created = post(client, billing, "/invoiceview/add", {"customer": str(customer_id), "notes": "by hand"})
    assert created.status_code == 302
    pk = int(re.search(r"/invoiceview/show/(\d+)", created.headers["Location"]).group(1))
    show = f"/invoiceview/show/{pk}"
    page = client.get(show, base_url=billing.host).get_data(as_text=True)
    assert "Add a line" in page and "Issue" in page and "Record a payment" not in page

    bad = post(client, billing, f"/invoiceview/lines/{pk}", {"description": "Setup", "quantity": "1",
                                                             "unit_price": "abc"}, show)
    assert bad.status_code == 400 and "Enter a number" in bad.get_data(as_text=True)
    assert billing.load(pk, lambda i: len(i.lines)) == 0
    for description, price in (("Setup", "100,00"), ("Support", "50,00")):
        added = post(client, billing, f"/invoiceview/lines/{pk}", {"description": description, "quantity": "2",
                                                                   "unit_price": price, "tax_class": "standard"},
                     show, "de")
        assert added.status_code == 302
    lines = billing.load(pk, lambda i: [(line.id, line.description, line.net_amount) for line in i.lines])
    assert [(d, n) for _, d, n in lines] == [("Setup", D("200.00")), ("Support", D("100.00"))]
    edited = post(client, billing, f"/invoiceview/lines/{pk}/{lines[0][0]}", {
        "description": "Setup fee", "quantity": "1", "unit_price": "100.00", "tax_class": "standard"}, show)
    assert edited.status_code == 302
    removed = post(client, billing, f"/invoiceview/lines/{pk}/{lines[1][0]}", {"remove": "1"}, show)
    assert removed.status_code == 302
    assert billing.load(pk, lambda i: ([(line.description, line.position) for line in i.lines], i.total)) == (
        [("Setup fee", 1)], D("119.00"))

    issued = post(client, billing, f"/invoiceview/issue/{pk}", {}, show)
    assert issued.status_code == 302 and billing.load(pk, lambda i: i.status) == "unpaid"
    page = client.get(show, base_url=billing.host).get_data(as_text=True)
    assert 'id="issue-button"' not in page and "Add a line" not in page  # no "Issue" on an issued invoice
    assert "Record a payment" in page and "Issue credit note" in page and "Download PDF" in page
    again = post(client, billing, f"/invoiceview/issue/{pk}", {}, show)
    assert again.status_code == 400 and "not a draft" in again.get_data(as_text=True)


def test_payment_credit_note_and_cancel_through_the_ledger(client, billing):
    customer_id = billing.customer()
    pk = billing.invoice(customer_id, [("Hosting", "2", "50.00")])  # 119.00 gross
    billing.tenant.web_login(client, billing.tenant.staff("Billing"))
    show = f"/invoiceview/show/{pk}"
    bad = post(client, billing, f"/invoiceview/payment/{pk}", {"method": "cheque", "amount": "-5",
                                                               "received_on": "2025-03-02", "reference": "CHQ 1"}, show)
    assert bad.status_code == 400 and "amount" in bad.get_data(as_text=True)
    assert billing.run(lambda s: s.scalar(select(func.count()).select_from(Payment))) == 0
    paid = post(client, billing, f"/invoiceview/payment/{pk}", {"method": "cheque", "amount": "19.00",
                                                                "received_on": "2025-03-02", "reference": "CHQ 1"},
                show)
    assert paid.status_code == 302
    payment = billing.run(lambda s: (lambda p: (p.provider, p.provider_txn_id, str(p.received_on), p.amount))(
        s.scalars(select(Payment)).one()))
    assert payment == ("cheque", "CHQ 1", "2025-03-02", D("19.00"))
    assert billing.load(pk, lambda i: (i.status, i.amount_due)) == ("partially_paid", D("100.00"))
    duplicate = post(client, billing, f"/invoiceview/payment/{pk}", {
        "method": "cheque", "amount": "19.00", "received_on": "2025-03-02", "reference": "CHQ 1"}, show)
    assert duplicate.status_code == 400 and "recorded already" in duplicate.get_data(as_text=True)

    line_id = billing.load(pk, lambda i: i.lines[0].id)
    too_much = post(client, billing, f"/invoiceview/credit-note/{pk}", {f"quantity-{line_id}": "3"}, show)
    assert too_much.status_code == 400 and "not credited yet" in too_much.get_data(as_text=True)
    partial = post(client, billing, f"/invoiceview/credit-note/{pk}", {f"quantity-{line_id}": "1",
                                                                       "reason": "Goodwill"}, show)
    assert partial.status_code == 302
    assert billing.load(pk, lambda i: (i.amount_credited, i.amount_due)) == (D("59.50"), D("40.50"))
    cancelled = post(client, billing, f"/invoiceview/cancel/{pk}", {"reason": "Gone"}, show)
    assert cancelled.status_code == 302
    # The rest credited in full: what was paid beyond the invoice is now the customer's credit.
    assert billing.load(pk, lambda i: (i.amount_due, i.amount_credited)) == (D("0.00"), D("100.00"))
    notes = billing.run(lambda s: s.scalars(select(Invoice.total).where(Invoice.credited_invoice_id == pk)
                                            .order_by(Invoice.id)).all())
    assert notes == [D("59.50"), D("59.50")]
    from mpanel_billing import ledger

    assert billing.run(ledger.reconcile) == []
    assert billing.run(lambda s: ledger.credit_balance(s, customer_id, "EUR")) == D("19.00")
    page = client.get(show, base_url=billing.host).get_data(as_text=True)
    assert "Record a payment" not in page and "Cancel invoice" not in page and "Issue credit note" not in page


def test_credit_is_applied_and_the_invoice_mail_is_sent_again(client, billing, smtp):
    customer_id = billing.customer()
    # An overpayment of one invoice becomes credit that staff apply to the next.
    pk = billing.invoice(customer_id, [("Hosting", "1", "10.00")])
    other = billing.invoice(customer_id, [("Domain", "1", "10.00")])
    billing.tenant.web_login(client, billing.tenant.staff("Billing"))
    post(client, billing, f"/invoiceview/payment/{pk}", {"method": "bank", "amount": "30.00",
                                                         "received_on": "2025-03-02", "reference": "TX-9"},
         f"/invoiceview/show/{pk}")
    page = client.get(f"/invoiceview/show/{other}", base_url=billing.host).get_data(as_text=True)
    assert "Apply credit" in page
    applied = post(client, billing, f"/invoiceview/apply-credit/{other}", {}, f"/invoiceview/show/{other}")
    assert applied.status_code == 302 and billing.load(other, lambda i: i.status) == "paid"

    def sends(session):
        return session.scalar(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.dedupe_key.like(f"billing-document:{other}:%resend%")))

    number = billing.load(other, lambda i: i.number)
    billing.run(outbox.process_pending)

    def mails():
        return [m for m in smtp.messages if number in m["Subject"]
                and any(part.get_filename() for part in m.iter_attachments())]

    before = len(mails())
    for _ in range(2):
        sent = post(client, billing, f"/invoiceview/send/{other}", {}, f"/invoiceview/show/{other}")
        assert sent.status_code == 302
    billing.run(outbox.process_pending)
    assert billing.run(sends) == 2 and len(mails()) == before + 2  # each send is a mail of its own, with the PDF
    assert billing.run(lambda s: s.scalar(select(func.count()).select_from(LedgerEntry)
                                          .where(LedgerEntry.kind == "credit_applied"))) == 2


def test_support_staff_see_the_invoice_but_change_nothing(client, billing):
    pk = billing.invoice(billing.customer(), issue=False)
    billing.tenant.web_login(client, billing.tenant.staff("Support"))
    assert client.get(f"/invoiceview/show/{pk}", base_url=billing.host).status_code == 200
    assert client.get("/invoiceview/add", base_url=billing.host).status_code in (302, 403)
    token = csrf_token(client.get(f"/invoiceview/show/{pk}", base_url=billing.host).get_data(as_text=True))
    refused = client.post(f"/invoiceview/issue/{pk}", base_url=billing.host, data={"csrf_token": token})
    assert refused.status_code in (302, 403) and billing.load(pk, lambda i: i.status) == "draft"
