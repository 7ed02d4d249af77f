"""Staff run their day in a real browser (Debian chromium): a manual invoice made,
issued, paid in part by cheque and credited in part, with only the actions its
state allows on the page."""

from decimal import Decimal

import pytest
from mpanel_billing.models import Invoice, Payment
from playwright.sync_api import expect
from sqlalchemy import select

from mpanel.testing.pytest_plugin import PASSWORD, needs_chromium

pytestmark = [pytest.mark.browser, needs_chromium]
D = Decimal


def sign_in(page, base, email):
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit], button[type=submit]")


def test_staff_make_a_manual_invoice_issue_it_record_a_cheque_and_credit_part(live_server, browser, billing,
                                                                              tmp_path):
    customer_id = billing.customer(company="Browser Kunde GmbH")
    base = f"http://{billing.tenant.slug}.localhost:{live_server}"
    page = browser.new_page()
    sign_in(page, base, billing.tenant.staff("Billing"))

    page.goto(f"{base}/invoiceview/list/")
    page.click("a[href*='/invoiceview/add']")  # the list's "add" button
    page.select_option("select[name=customer]", str(customer_id))
    page.click("#new-invoice button[type=submit]")
    expect(page.locator("#invoice-status")).to_contain_text("draft")

    page.fill("#add-line input[name=description]", "Migration")
    page.fill("#add-line input[name=quantity]", "3")
    page.fill("#add-line input[name=unit_price]", "abc")
    page.click("#add-line button[type=submit]")
    expect(page.locator("#add-line")).to_contain_text("Enter a number")  # a form error, nothing saved
    page.fill("#add-line input[name=unit_price]", "40.00")
    page.click("#add-line button[type=submit]")
    expect(page.locator("#invoice-total")).to_contain_text("142.80")  # 3 × 40.00 + 19 % VAT
    page.click("#issue-button")
    expect(page.locator("#invoice-status")).to_contain_text("unpaid")
    expect(page.locator("#issue-button")).to_have_count(0)  # no "Issue" on an issued invoice
    assert page.locator("#download-pdf").count() == 1 and page.locator("#download-ubl").count() == 1

    form = page.locator("#record-payment")
    form.locator("select[name=method]").select_option("cheque")
    form.locator("input[name=amount]").fill("42.80")
    form.locator("input[name=received_on]").fill("2025-03-03")
    form.locator("input[name=reference]").fill("CHQ 0042")
    form.locator("button[type=submit]").click()
    expect(page.locator("#invoice-status")).to_contain_text("partially_paid")
    expect(page.locator("#invoice-due")).to_contain_text("100.00")

    page.fill("#invoice-lines input[name^=quantity-]", "1")
    page.fill("#credit-reason", "One day less")
    page.click("#credit-note-form button[type=submit]")
    expect(page.locator("#credit-notes")).to_contain_text("47.60")
    expect(page.locator("#invoice-due")).to_contain_text("52.40")
    page.screenshot(path=str(tmp_path / "invoice.png"))

    invoice_id = int(page.url.rsplit("/", 1)[1])
    assert billing.load(invoice_id, lambda i: (i.status, i.amount_paid, i.amount_credited)) == (
        "partially_paid", D("42.80"), D("47.60"))
    cheque = billing.run(lambda s: s.execute(select(Payment.provider, Payment.provider_txn_id, Payment.received_on)
                                             .where(Payment.invoice_id == invoice_id)).one())
    assert (cheque[0], cheque[1], str(cheque[2])) == ("cheque", "CHQ 0042", "2025-03-03")
    assert billing.run(lambda s: s.scalars(select(Invoice.number).where(Invoice.credited_invoice_id == invoice_id))
                       .one()).startswith("CN")
    page.close()


def test_staff_open_a_customer_from_the_list_note_something_and_order_for_them(live_server, browser, billing):
    from mpanel_billing.testing import make_plans

    plans = make_plans(billing)
    customer_id = billing.customer(company="Seite Kunde AG")
    invoice_id = billing.invoice(customer_id, [("Hosting", "1", "10.00")])
    number = billing.load(invoice_id, lambda i: i.number)
    base = f"http://{billing.tenant.slug}.localhost:{live_server}"
    page = browser.new_page()
    sign_in(page, base, billing.tenant.staff("Billing"))

    page.goto(f"{base}/customerview/list/")
    page.click(f"a[href='/customers/{customer_id}']")
    expect(page.locator("#customer-name")).to_contain_text("Seite Kunde AG")
    expect(page.locator("#customer-invoices")).to_contain_text(number)
    expect(page.locator("#customer-balance")).to_contain_text("11.90")  # open: 10.00 + 19 % VAT
    page.fill("#note-form textarea[name=body]", "Prefers invoices by post")
    page.click("#note-form button[type=submit]")
    expect(page.locator("#note-list")).to_contain_text("Prefers invoices by post")

    page.click("#customer-new-order")
    assert page.input_value("select[name=customer]") == str(customer_id)
    page.select_option("select[name=product]", str(plans["large"]))
    page.select_option("select[name=cycle]", "monthly")
    page.click("#place-order")
    expect(page.locator("#invoice-total")).to_contain_text("36.89")  # 31.00 + 19 % VAT, the client checkout
    expect(page.locator("#invoice-status")).to_contain_text("unpaid")
    page.click("#invoice-customer a")
    expect(page.locator("#customer-services")).to_contain_text("Large")
    page.close()
