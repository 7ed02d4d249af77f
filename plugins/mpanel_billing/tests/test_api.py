"""REST, admin views and the client area: roles, money as strings, input
errors naming the field, and 404 for another tenant's (or customer's) invoices."""

import pytest
from mpanel_billing import ledger
from mpanel_billing.models import Invoice, InvoiceLine
from mpanel_billing.testing import D
from sqlalchemy import func, select

from mpanel.testing.pytest_plugin import bearer


@pytest.fixture
def owner(client, billing):
    return bearer(billing.tenant.api_token(client, billing.tenant.staff("Owner")))


def api(client, billing, method, path, headers, **kwargs):
    return getattr(client, method)(f"/api/v1/{path}", base_url=billing.host, headers=headers, **kwargs)


def test_create_issue_and_read_an_invoice_with_money_as_strings(client, billing, owner):
    customer = billing.customer()
    created = api(client, billing, "post", "invoices/", owner, json={
        "customer_id": customer, "lines": [
            {"description": "Hosting", "quantity": "2", "unit_price": "9.99", "period_start": "2026-01-01",
             "period_end": "2026-01-31"},
            {"description": "Domain", "quantity": 1, "unit_price": "12.00", "discount": "2.00"}]})
    assert created.status_code == 201, created.get_json()
    draft = created.get_json()["result"]
    assert (draft["status"], draft["number"], draft["total"], draft["tax_total"]) == ("draft", None, "35.68", "5.70")
    assert draft["lines"][0]["net_amount"] == "19.98" and draft["lines"][1]["discount"] == "2.00"
    issued = api(client, billing, "post", f"invoices/{draft['id']}/issue", owner).get_json()["result"]
    assert issued["status"] == "unpaid" and issued["number"].startswith("INV-")
    again = api(client, billing, "post", f"invoices/{draft['id']}/issue", owner)
    assert again.status_code == 409 and "status" in again.get_json()["message"]
    shown = api(client, billing, "get", f"invoices/{draft['id']}", owner).get_json()["result"]
    assert shown["taxes"] == [{"level": 1, "name": "VAT DE", "category": "S", "rate": "19", "taxable": "29.98",
                               "tax": "5.70"}]
    listing = api(client, billing, "get", "invoices/?status=unpaid", owner).get_json()
    assert listing["count"] == 1 and listing["result"][0]["amount_due"] == "35.68"
    pdf = api(client, billing, "get", f"invoices/{draft['id']}/pdf", owner)
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")


def test_payments_credit_notes_and_credit_through_the_api(client, billing, owner):
    customer = billing.customer()
    invoice_id = billing.invoice(customer, [("Hosting", "1", "100.00"), ("Domain", "1", "10.00")])  # 130.90
    body = {"amount": "140.90", "currency": "EUR", "reference": "bank-2026-001"}
    first = api(client, billing, "post", f"invoices/{invoice_id}/payments", owner, json=body).get_json()
    assert (first["applied"], first["credited"], first["duplicate"]) == ("130.90", "10.00", False)
    second = api(client, billing, "post", f"invoices/{invoice_id}/payments", owner, json=body).get_json()
    assert second["duplicate"] is True and second["result"]["amount_paid"] == "130.90"
    line = billing.load(invoice_id, lambda i: i.lines[1].id)
    note = api(client, billing, "post", f"invoices/{invoice_id}/credit", owner,
               json={"lines": [{"line_id": line}], "reason": "Domain not renewed"})
    assert note.status_code == 201 and note.get_json()["result"]["total"] == "11.90"
    assert billing.run(lambda s: ledger.credit_balance(s, customer, "EUR")) == D("21.90")
    other = billing.invoice(customer, [("Setup", "1", "50.00")])  # 59.50, 21.90 applied at issue
    assert billing.load(other, lambda i: i.amount_due) == D("37.60")
    billing.run(lambda s: ledger.record_payment(s, s.get(Invoice, other), "40.00", "EUR", "bank", "b2"))
    applied = api(client, billing, "post", f"invoices/{invoice_id}/apply-credit", owner)
    assert applied.status_code == 200 and applied.get_json()["applied"] == "0.00"  # nothing due there
    cancelled = api(client, billing, "post", f"invoices/{invoice_id}/cancel", owner, json={"reason": "Test"})
    assert cancelled.status_code == 200 and cancelled.get_json()["result"]["total"] == "119.00"
    assert billing.load(invoice_id, lambda i: i.status) == "refunded"  # paid, then credited in full
    assert billing.run(ledger.reconcile) == []


def counts(session):
    return session.scalar(select(func.count(Invoice.id))), session.scalar(select(func.count(InvoiceLine.id)))


@pytest.mark.parametrize(("body", "field"), [
    ({"lines": [{"description": "x", "quantity": "1", "unit_price": "1"}]}, "customer_id"),
    ({"customer_id": "CUSTOMER", "lines": []}, "lines"),
    ({"customer_id": "CUSTOMER", "lines": [{"description": "x", "quantity": 1.5, "unit_price": "1"}]}, "quantity"),
    ({"customer_id": "CUSTOMER", "lines": [{"description": "x", "quantity": "0", "unit_price": "1"}]}, "quantity"),
    ({"customer_id": "CUSTOMER", "lines": [{"description": "", "quantity": "1", "unit_price": "1"}]}, "description"),
    ({"customer_id": "CUSTOMER", "lines": [{"description": "x", "quantity": "1", "unit_price": "-1"}]}, "unit_price"),
    ({"customer_id": "CUSTOMER", "lines": [{"description": "x", "quantity": "1", "unit_price": "1",
                                            "tax_class": "luxury"}]}, "tax_class"),
    ({"customer_id": "CUSTOMER", "currency": "XYZ", "lines": [{"description": "x", "quantity": "1",
                                                               "unit_price": "1"}]}, "currency"),
    ({"customer_id": "CUSTOMER", "lines": [{"description": "x", "quantity": "1", "unit_price": "1",
                                            "period_start": "2026-02-01", "period_end": "2026-01-01"}]}, "period_end"),
])
def test_bad_input_is_a_4xx_naming_the_field_and_saves_nothing(client, billing, owner, body, field):
    customer = billing.customer()
    body = {k: customer if v == "CUSTOMER" else v for k, v in body.items()}
    before = billing.run(counts)
    response = api(client, billing, "post", "invoices/", owner, json=body)
    assert 400 <= response.status_code < 500
    assert field in str(response.get_json()["message"])
    assert billing.run(counts) == before


def test_payment_and_credit_input_errors(client, billing, owner):
    invoice_id = billing.invoice(billing.customer())
    bad = api(client, billing, "post", f"invoices/{invoice_id}/payments", owner,
              json={"amount": "1.00", "currency": "USD", "reference": "r"})
    assert bad.status_code == 400 and "currency" in bad.get_json()["message"]
    bad = api(client, billing, "post", f"invoices/{invoice_id}/payments", owner, json={"amount": 1.0})
    assert bad.status_code == 400 and {"amount", "currency", "reference"} <= set(bad.get_json()["message"])
    bad = api(client, billing, "post", f"invoices/{invoice_id}/credit", owner, json={"lines": [{"line_id": 999999}]})
    assert bad.status_code == 400 and "lines.0.line_id" in bad.get_json()["message"]
    listing = api(client, billing, "get", "invoices/?status=lost&page_size=1000", owner)
    assert listing.status_code == 400 and {"status", "page_size"} <= set(listing.get_json()["message"])


ENDPOINTS = [("get", "invoices/{}"), ("get", "invoices/{}/pdf"), ("get", "invoices/{}/ubl"),
             ("post", "invoices/{}/issue"), ("post", "invoices/{}/cancel"), ("post", "invoices/{}/credit"),
             ("post", "invoices/{}/apply-credit"), ("post", "invoices/{}/payments")]


def test_another_tenants_invoice_is_not_found_on_every_endpoint(client, billing, make_billing):
    other = make_billing()
    foreign = other.invoice(other.customer())
    foreign_draft = other.invoice(other.customer(), issue=False)
    token = bearer(billing.tenant.api_token(client, billing.tenant.staff("Owner")))
    for method, path in ENDPOINTS:
        for pk in (foreign, foreign_draft):
            kwargs = {"json": {"amount": "1.00", "currency": "EUR", "reference": "x"}} if "payments" in path else {}
            response = api(client, billing, method, path.format(pk), token, **kwargs)
            assert response.status_code == 404, (method, path, response.get_json())
    create = api(client, billing, "post", "invoices/", token, json={
        "customer_id": other.customer(), "lines": [{"description": "x", "quantity": "1", "unit_price": "1"}]})
    assert create.status_code == 404 and "customer_id" in create.get_json()["message"]
    assert api(client, billing, "get", "invoices/", token).get_json()["count"] == 0
    assert other.load(foreign, lambda i: (i.status, i.amount_paid)) == ("unpaid", 0)


def test_roles(client, billing):
    invoice_id = billing.invoice(billing.customer())
    for role, can_write in (("Admin", True), ("Billing", True), ("Support", False), ("Read-only", False)):
        token = bearer(billing.tenant.api_token(client, billing.tenant.staff(role)))
        assert api(client, billing, "get", f"invoices/{invoice_id}", token).status_code == 200, role
        assert api(client, billing, "get", "ledger/", token).status_code == 200, role
        write = api(client, billing, "post", f"invoices/{invoice_id}/payments", token,
                    json={"amount": "1.00", "currency": "EUR", "reference": f"r-{role}"})
        assert (write.status_code == 200) == can_write, (role, write.status_code)
    contact = bearer(billing.tenant.api_token(client, billing.tenant.contact(billing.customer())))
    assert api(client, billing, "get", f"invoices/{invoice_id}", contact).status_code in (401, 403)


def test_tax_rules_and_ledger_rest(client, billing, owner):
    bad = api(client, billing, "post", "tax_rules/", owner, json={"name": "X", "country": "XX", "category": "standard",
                                                                 "rate": "19"})
    assert bad.status_code == 400 and "country" in bad.get_json()["message"]
    bad = api(client, billing, "post", "tax_rules/", owner, json={"name": "X", "category": "standard", "rate": "5",
                                                                 "compound": True})
    assert bad.status_code == 400 and "compound" in bad.get_json()["message"]
    good = api(client, billing, "post", "tax_rules/", owner, json={"name": "QST", "country": "ca", "region": "QC",
                                                                  "category": "standard", "rate": "9.975",
                                                                  "level": 2})
    assert good.status_code == 201, good.get_json()
    assert good.get_json()["result"]["country"] == "CA"
    billing.invoice(billing.customer())
    entries = api(client, billing, "get", "ledger/", owner).get_json()["result"]
    assert [(e["kind"], e["amount"], e["currency"]) for e in entries] == [("invoice", "11.90", "EUR")]


def test_admin_lists_show_totals_and_support_cannot_issue(client, billing):
    billing.invoice(billing.customer(), [("Hosting", "1", "100.00")])
    billing.invoice(billing.customer(), [("Hosting", "1", "50.00")])
    billing.tenant.web_login(client, billing.tenant.staff("Owner"))
    page = client.get("/invoiceview/list/", base_url=billing.host)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'id="billing-totals"' in html and "178.50" in html
    assert client.get("/creditnoteview/list/", base_url=billing.host).status_code == 200
    assert client.get("/taxruleview/list/", base_url=billing.host).status_code == 200
    assert client.get("/ledgerview/list/", base_url=billing.host).status_code == 200
    client.get("/logout/", base_url=billing.host)
    billing.tenant.web_login(client, billing.tenant.staff("Support"))
    assert client.get("/invoiceview/list/", base_url=billing.host).status_code == 200
    assert client.get("/taxruleview/add", base_url=billing.host).status_code in (302, 403)


def test_client_area_shows_only_the_customers_own_invoices(client, billing):
    mine, other = billing.customer(), billing.customer()
    own = billing.invoice(mine, [("Hosting", "1", "100.00")])
    theirs = billing.invoice(other)
    draft = billing.invoice(mine, issue=False)
    billing.run(lambda s: ledger.record_payment(s, s.get(Invoice, own), "130.00", "EUR", "bank", "c1"))  # 11 credit
    billing.tenant.web_login(client, billing.tenant.contact(mine))
    page = client.get("/client/billing/", base_url=billing.host)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    number, their_number = billing.load(own, lambda i: i.number), billing.load(theirs, lambda i: i.number)
    assert number in html and their_number not in html and "11.00" in html
    assert client.get(f"/client/billing/{own}", base_url=billing.host).status_code == 200
    pdf = client.get(f"/client/billing/{own}/pdf", base_url=billing.host)
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    for pk in (theirs, draft):
        assert client.get(f"/client/billing/{pk}", base_url=billing.host).status_code == 404
        assert client.get(f"/client/billing/{pk}/pdf", base_url=billing.host).status_code == 404


def test_client_area_needs_the_billing_permission(client, billing):
    customer = billing.customer()
    billing.tenant.web_login(client, billing.tenant.contact(customer, permissions=("technical",)))
    assert client.get("/client/billing/", base_url=billing.host).status_code == 403


def test_the_endpoints_are_in_the_openapi_document(client, billing, owner):
    spec = api(client, billing, "get", "_openapi", owner)
    assert spec.status_code == 200
    paths = spec.get_json()["paths"]
    for path in ("/invoices/", "/invoices/{pk}", "/invoices/{pk}/ubl", "/invoices/{pk}/credit", "/tax_rules/",
                 "/ledger/"):
        assert f"/api/v1{path}" in paths, path


def test_the_invoice_list_has_a_fixed_query_budget(app, client, billing, owner):
    from sqlalchemy import event

    from mpanel.extensions import db

    def queries_for_list():
        seen = []

        def count(*args):
            seen.append(args[2])

        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", count)
        try:
            assert api(client, billing, "get", "invoices/", owner).status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return len(seen)

    billing.invoice(billing.customer())
    few = queries_for_list()
    for _ in range(10):
        billing.invoice(billing.customer())
    assert queries_for_list() == few


@pytest.mark.parametrize("resource", ["invoices", "orders", "services", "transactions", "payment_methods",
                                      "ledger", "tax_rules", "customers", "bank/lines"])
def test_every_list_names_its_bad_parameters(client, billing, owner, resource):
    billing.invoice(billing.customer())
    url = f"/api/v1/{resource}/" if "/" not in resource else f"/api/v1/{resource}"
    everything = client.get(url, base_url=billing.host, headers=owner)
    assert everything.status_code == 200
    bad = client.get(f"{url}?page=-1&page_size=500&sort=nope", base_url=billing.host, headers=owner)
    assert bad.status_code == 400 and set(bad.get_json()["message"]) == {"page", "page_size", "sort"}
    count = everything.get_json()["count"]
    past_the_end = client.get(f"{url}?page={count}&page_size=1", base_url=billing.host, headers=owner).get_json()
    assert (past_the_end["count"], past_the_end["result"]) == (count, [])
    oldest = client.get(f"{url}?sort=id&page_size=1", base_url=billing.host, headers=owner).get_json()["result"]
    newest = client.get(f"{url}?page_size=1", base_url=billing.host, headers=owner).get_json()["result"]
    assert count < 2 or oldest[0]["id"] < newest[0]["id"]


def test_a_form_encoded_cancel_is_refused_and_changes_nothing(client, billing, owner):
    invoice_id = billing.invoice(billing.customer())
    before = billing.run(counts)
    for action in ("cancel", "apply-credit", "credit", "issue"):
        refused = api(client, billing, "post", f"invoices/{invoice_id}/{action}", owner, data={"a": "1"})
        assert refused.status_code == 415 and "body" in refused.get_json()["message"], action
    assert billing.load(invoice_id, lambda i: i.status) == "unpaid"
    assert billing.run(counts) == before  # no credit note written


@pytest.mark.parametrize(("body", "field"), [
    ({"name": "X", "country": False, "category": "standard", "rate": "19"}, "country"),
    ({"name": "X", "category": "standard", "rate": "5", "level": 1.0}, "level"),
    ({"name": "X", "category": "standard", "rate": "5", "compound": "yes"}, "compound"),
    ({"name": "X", "category": "standard", "rate": 5.5}, "rate"),
])
def test_tax_rules_refuse_wrong_json_types(client, billing, owner, body, field):
    before = api(client, billing, "get", "tax_rules/", owner).get_json()["count"]
    bad = api(client, billing, "post", "tax_rules/", owner, json=body)
    assert bad.status_code == 400 and field in bad.get_json()["message"], bad.get_json()
    assert api(client, billing, "get", "tax_rules/", owner).get_json()["count"] == before
