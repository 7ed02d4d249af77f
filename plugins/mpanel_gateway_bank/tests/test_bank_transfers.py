"""Bank transfers: the reference on the invoice, transfers recorded by staff
(full, partial, too much) with an audit entry, CAMT.053 import that matches
by reference and amount and leaves the rest for staff."""

import io

import pytest
from mpanel_billing import ledger
from mpanel_billing.gateways.models import Transaction
from mpanel_billing.gateways.registry import payment_reference
from mpanel_billing.models import Invoice
from mpanel_billing.testing import D
from mpanel_gateway_bank.camt import StatementError, parse
from mpanel_gateway_bank.reference import creditor_reference, grouped, is_valid, references_in
from mpanel_gateway_bank.testing import entry, statement
from sqlalchemy import func, select

from mpanel.core.audit import AuditLog
from mpanel.core.settings import set_settings
from mpanel.testing.pytest_plugin import bearer, csrf_token


def number(billing, invoice_id) -> str:
    return billing.load(invoice_id, lambda i: i.number)


def state(billing, invoice_id) -> tuple:
    return billing.load(invoice_id, lambda i: (i.status, i.amount_paid, i.amount_due))


def staff_token(billing, client, role="Billing") -> dict:
    return bearer(billing.tenant.api_token(client, billing.tenant.staff(role)))


def test_creditor_reference_follows_iso_11649():
    assert creditor_reference("539007547034") == "RF18539007547034"  # the standard's example
    reference = creditor_reference("INV-2026-00042")
    assert is_valid(reference) and not is_valid(reference[:-1] + "3")
    assert references_in(f"Rechnung {grouped(reference)} vielen Dank") == [reference]
    assert references_in("RF00 nothing here") == []


def test_pay_page_shows_bank_details_and_reference(billing, client):
    customer = billing.customer()
    invoice = billing.invoice(customer, [("Hosting", "1", "100.00")])
    billing.tenant.web_login(client, billing.tenant.contact(customer))
    page = client.get(f"/client/billing/payments/pay?invoice={invoice}", base_url=billing.host)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "DE89 3704 0044 0532 0130 00" in html and "COBADEFFXXX" in html
    assert grouped(creditor_reference(number(billing, invoice))) in html and "119.00" in html


def test_staff_record_full_partial_and_overpayment(billing, client):
    customer = billing.customer()
    first, second = (billing.invoice(customer, [("Hosting", "1", "100.00")]) for _ in range(2))
    headers = staff_token(billing, client)

    def transfer(invoice, amount, reference):
        return client.post("/api/v1/bank/transfers", headers=headers, base_url=billing.host, json={
            "invoice_id": invoice, "amount": amount, "currency": "EUR", "reference": reference,
            "booked_on": "2026-11-20"})

    partial = transfer(first, "100.00", "BANK-1")
    assert partial.status_code == 200 and partial.get_json()["applied"] == "100.00"
    assert state(billing, first) == ("partially_paid", D("100.00"), D("19.00"))
    assert transfer(first, "100.00", "BANK-1").get_json()["duplicate"] is True  # the same transfer again
    over = transfer(first, "50.00", "BANK-2")
    assert (over.get_json()["applied"], over.get_json()["credited"]) == ("19.00", "31.00")
    assert state(billing, first)[0] == "paid"
    assert transfer(second, "119.00", "BANK-3").get_json()["applied"] == "119.00"
    assert state(billing, second)[0] == "paid"
    assert billing.run(lambda s: ledger.credit_balance(s, customer, "EUR")) == D("31.00")
    assert billing.run(lambda s: s.scalar(select(func.count(Transaction.id)).where(
        Transaction.gateway == "gateway_bank"))) == 3
    audited = billing.run(lambda s: s.scalars(select(AuditLog.summary).where(
        AuditLog.action == "bank_transfer_recorded").order_by(AuditLog.id)).all())
    assert [a["reference"] for a in audited] == ["BANK-1", "BANK-2", "BANK-3"]
    assert billing.run(ledger.reconcile) == []

    bad = transfer(first, "1.001", "BANK-4")
    assert bad.status_code == 400
    support = staff_token(billing, client, "Support")
    assert client.post("/api/v1/bank/transfers", headers=support, base_url=billing.host,
                       json={"invoice_id": first, "amount": "1.00", "currency": "EUR",
                             "reference": "X"}).status_code == 403


def test_statement_import_matches_by_reference_and_amount(billing, client):
    customer = billing.customer()
    exact, partial, by_number = (billing.invoice(customer, [("Hosting", "1", "100.00")]) for _ in range(3))
    rf = creditor_reference(number(billing, exact))
    data = statement(
        entry("119.00", "E1", structured=rf),
        entry("50.00", "E2", text=f"Teilzahlung {grouped(creditor_reference(number(billing, partial)))}"),
        entry("119.00", "E3", text=f"Invoice {number(billing, by_number)} thanks"),
        entry("70.00", "E4", text="Spende"),
        entry("500.00", "E5", credit=False, text="rent"),
        entry("10.00", "E6", details=2, text="batch"),
        entry("99.00", "E7", status="PDNG", structured=rf))
    assert len(parse(data)) == 6  # credits only, booked only, a batch split in two

    headers = staff_token(billing, client)
    imported = client.post("/api/v1/bank/statements", data=data, base_url=billing.host,
                           headers={**headers, "Content-Type": "application/xml"})
    assert imported.status_code == 200, imported.get_json()
    assert {k: imported.get_json()[k] for k in ("new", "lines", "matched")} == {"new": True, "lines": 6, "matched": 2}
    assert state(billing, exact)[0] == "paid" and state(billing, by_number)[0] == "paid"
    assert state(billing, partial)[0] == "unpaid"

    again = client.post("/api/v1/bank/statements", data=data, base_url=billing.host,
                        headers={**headers, "Content-Type": "application/xml"})
    assert again.get_json()["new"] is False
    overlapping = statement(entry("119.00", "E1", structured=rf), statement_id="STMT-2")  # the same line again
    assert client.post("/api/v1/bank/statements", data=overlapping, base_url=billing.host,
                       headers=headers).status_code == 415  # a body without its type
    assert client.post("/api/v1/bank/statements", data=overlapping, base_url=billing.host,
                       headers={**headers, "Content-Type": "application/xml"}).get_json()["lines"] == 0

    waiting = client.get("/api/v1/bank/lines?status=unmatched", headers=headers, base_url=billing.host).get_json()
    lines = {line["bank_ref"]: line for line in waiting["result"]}
    assert set(lines) == {"E2-TX", "E4-TX", "E6/1", "E6/2"}
    assert lines["E2-TX"]["invoice_id"] == partial  # suggested by its reference
    matched = client.post(f"/api/v1/bank/lines/{lines['E2-TX']['id']}/match", json={"invoice_id": partial},
                          headers=headers, base_url=billing.host)
    assert matched.status_code == 200 and matched.get_json()["result"]["status"] == "matched"
    assert state(billing, partial) == ("partially_paid", D("50.00"), D("69.00"))
    assert client.post(f"/api/v1/bank/lines/{lines['E2-TX']['id']}/match", json={"invoice_id": partial},
                       headers=headers, base_url=billing.host).status_code == 409
    ignored = client.post(f"/api/v1/bank/lines/{lines['E4-TX']['id']}/ignore", headers=headers,
                          base_url=billing.host)
    assert ignored.get_json()["result"]["status"] == "ignored"
    assert billing.run(ledger.reconcile) == []


@pytest.mark.parametrize("data", [b"", b"<not xml", b"<Document xmlns='urn:other'/>",
                                  b'<!DOCTYPE d [<!ENTITY e SYSTEM "file:///etc/passwd">]><d>&e;</d>',
                                  statement(entry("abc", "X1"))])
def test_bad_statements_are_refused(billing, client, data):
    with pytest.raises(StatementError):
        parse(data)
    answer = client.post("/api/v1/bank/statements", data=data, base_url=billing.host,
                         headers={**staff_token(billing, client), "Content-Type": "application/xml"})
    assert answer.status_code == 400


def test_staff_pages_record_and_import(billing, client):
    customer = billing.customer()
    invoice = billing.invoice(customer, [("Hosting", "1", "100.00")])
    billing.tenant.web_login(client, billing.tenant.staff("Billing"))
    form = client.get("/bank/transfer/", base_url=billing.host)
    assert '<select name="currency"' in form.get_data(as_text=True)  # ISO codes, not free text
    token = csrf_token(form.get_data(as_text=True))
    recorded = client.post("/bank/transfer/?_l_=de", base_url=billing.host, data={
        "csrf_token": token, "invoice": number(billing, invoice), "amount": "19,00", "currency": "EUR",
        "reference": "DESK-1", "booked_on": "2026-11-20"})  # typed the German way
    assert recorded.status_code == 302
    assert state(billing, invoice) == ("partially_paid", D("19.00"), D("100.00"))
    typo = client.post("/bank/transfer/", base_url=billing.host, data={
        "csrf_token": token, "invoice": number(billing, invoice), "amount": "19,0x", "currency": "EUR",
        "reference": "DESK-3"})
    assert typo.status_code == 302 and state(billing, invoice)[1] == D("19.00")  # refused, nothing recorded
    unknown = client.post("/bank/transfer/", base_url=billing.host, data={
        "csrf_token": token, "invoice": "NOPE", "amount": "1", "currency": "EUR", "reference": "DESK-2"})
    assert unknown.status_code == 302

    day = statement(entry("100.00", "W1", structured=creditor_reference(number(billing, invoice))))
    upload = client.post("/bankstatementview/import", base_url=billing.host, content_type="multipart/form-data",
                         data={"csrf_token": token, "file": (io.BytesIO(day), "day.xml")})
    assert upload.status_code == 302
    assert state(billing, invoice)[0] == "paid"


def test_documents_get_the_bank_reference(billing):
    invoice = billing.invoice(billing.customer())
    expected = creditor_reference(number(billing, invoice))
    assert billing.run(lambda s: payment_reference(s, s.get(Invoice, invoice))) == expected
    billing.run(lambda s: set_settings(s, "gateway_bank", {"reference_format": "number"}))
    assert billing.run(lambda s: payment_reference(s, s.get(Invoice, invoice))) == number(billing, invoice)
