"""A customer's whole way through the client area in a real browser (Debian chromium):
the menu, a product with its live price, the cart, the order, the invoice with its
bank details, and the payment page."""

import re

import pytest
from mpanel_billing.models import Invoice, Service
from mpanel_billing.testing import D, make_plans
from playwright.sync_api import expect
from sqlalchemy import select

from mpanel.core.plugins.engine import set_active
from mpanel.testing.pytest_plugin import PASSWORD, needs_chromium

pytestmark = [pytest.mark.browser, needs_chromium]


def sign_in(page, base, email):
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit]")


def test_a_customer_finds_a_product_orders_it_and_reaches_the_payment(live_server, browser, billing):
    make_plans(billing)
    customer_id = billing.customer()
    base = f"http://{billing.tenant.slug}.localhost:{live_server}"
    page = browser.new_page()
    sign_in(page, base, billing.tenant.contact(customer_id))

    page.goto(f"{base}/client/")
    menu = page.inner_text("#client-nav")
    for label in ("Your account", "Products", "Invoices", "Services", "Order", "Credit", "Domains"):
        assert label in menu
    page.click("#client-nav >> text=Products")
    with page.expect_navigation(wait_until="load"):  # catalog.js listens from then on
        page.click("text=Small")
    expect(page.locator("#catalog-total")).to_contain_text("15.00")  # 10.00 a month + 5.00 setup
    page.select_option("#cycle", "annually")
    expect(page.locator("#catalog-total")).to_contain_text("105.00")  # the live price, asked by catalog.js

    with page.expect_navigation():
        page.click("#catalog-order-button")  # the billing cart, product and cycle carried over
    assert "/client/billing/cart" in page.url
    assert page.input_value("#cycle") == "annually"
    assert "105.00" in page.inner_text("#cart-total")
    page.click("#place-order")

    page.wait_for_selector("#pay-now")
    assert re.search(r"INV-\d{4}-\d{5}", page.inner_text("h2"))
    total = billing.run(lambda s: s.scalars(select(Invoice.total).where(Invoice.customer_id == customer_id)).one())
    assert total == D("124.95")  # (100.00 a year + 5.00 setup) + 19 % VAT
    assert "124.95" in page.inner_text("#content, body")
    assert "DE89" in page.inner_text("#bank-details")  # the tenant's IBAN, with the payment reference
    page.click("#pay-now")
    assert page.url.startswith(f"{base}/client/billing/payments/pay")
    page.click("#client-nav >> text=Services")
    assert "Small" in page.inner_text("body") and "pending" in page.inner_text("body")
    page.close()
    assert billing.run(lambda s: s.scalars(select(Service.status).where(Service.customer_id == customer_id)).all()) \
        == ["pending"]


def test_the_menu_shows_only_what_the_tenant_runs_and_the_contact_may_see(live_server, browser, billing):
    for name in ("registrar_demo", "registrar_epp", "import_whmcs", "domains"):  # these require domains
        billing.run(lambda s: set_active(s, name, False))
    customer_id = billing.customer()
    base = f"http://{billing.tenant.slug}.localhost:{live_server}"
    page = browser.new_page()
    sign_in(page, base, billing.tenant.contact(customer_id, permissions=("technical",)))
    page.goto(f"{base}/client/")
    menu = page.inner_text("#client-nav")
    page.close()
    assert "Products" in menu
    assert "Domains" not in menu  # not active for this tenant
    assert "Invoices" not in menu  # the contact has no billing permission
