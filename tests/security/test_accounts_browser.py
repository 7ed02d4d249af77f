"""Accounts in a real browser (Debian chromium via Playwright), mail read from
a real SMTP server: sign-up with verification, then an order paid by bank
transfer, an invited billing contact, an invited Support member, and a tenant
onboarded by the operator."""

import re
import uuid

import pytest

from mpanel.testing.pytest_plugin import PASSWORD, needs_chromium
from mpanel.testing.security import code_at, enable_totp

pytestmark = [pytest.mark.browser, needs_chromium]
CHOSEN = "a browser chosen passphrase"


def _link(smtp, address, path):
    [message] = smtp.to(address)
    return re.search(rf"https?://\S+/{path}/\S+", message.get_body(("plain",)).get_content()).group(0)


def _on_port(link, port):
    return re.sub(r"^(https?://[^/:]+)(:\d+)?", rf"\1:{port}", link)


def _sign_in(page, base, email, password):
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", password)
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_load_state()


def _set_password(page, link, password=CHOSEN):
    page.goto(link)
    page.fill("input[name=password]", password)
    page.fill("input[name=confirm]", password)
    page.click("#invitation-form button[type=submit]")
    page.wait_for_load_state()


def test_a_new_customer_signs_up_verifies_orders_and_pays_by_bank_transfer(live_server, browser, billing, client,
                                                                          smtp):
    from mpanel_billing.models import Invoice
    from mpanel_billing.testing import D, make_plans
    from mpanel_gateway_bank.reference import creditor_reference, grouped
    from sqlalchemy import select

    from mpanel.modules.customers.models import Customer
    from mpanel.testing.pytest_plugin import bearer

    plans = make_plans(billing)
    base = f"http://{billing.tenant.slug}.localhost:{live_server}"
    page = browser.new_page()
    page.goto(f"{base}/")
    page.click("#signup-link")
    for name, value in {"first_name": "Nina", "last_name": "Neu", "email": "nina@example.com",
                        "password": CHOSEN, "address1": "Ring 3", "postcode": "50667", "city": "Köln"}.items():
        page.fill(f"input[name={name}]", value)
    page.select_option("select[name=country]", "DE")
    page.check("input[name=accept_terms]")
    page.check("input[name=accept_privacy]")
    page.click("#signup-form button[type=submit]")
    page.wait_for_load_state()
    assert "Check your e-mail" in page.inner_text("body")
    _sign_in(page, base, "nina@example.com", CHOSEN)
    assert page.url == f"{base}/client/" and page.is_visible("#verify-notice")
    page.goto(_on_port(_link(smtp, "nina@example.com", "signup/verify"), live_server))
    page.click("#confirm-email")
    page.wait_for_load_state()
    assert page.url == f"{base}/client/" and not page.is_visible("#verify-notice")
    assert "Invoices" in page.inner_text("#client-nav")

    # Verified, Nina orders Small (10.00 a month + 5.00 setup) and reaches its invoice.
    with page.expect_navigation():
        page.click("#client-nav >> text=Order")
    assert page.url == f"{base}/client/billing/cart"
    page.goto(f"{base}/client/billing/cart?product={plans['small']}")
    page.select_option("#cycle", "monthly")
    page.click("#place-order")
    page.wait_for_selector("#pay-now")
    number = re.search(r"INV-\d{4}-\d{5}", page.inner_text("h2")).group(0)
    customer_id = billing.run(lambda s: s.scalar(select(Customer.id).where(Customer.email == "nina@example.com")))
    invoices = billing.run(lambda s: s.execute(select(Invoice.id, Invoice.number, Invoice.total, Invoice.status)
                                               .where(Invoice.customer_id == customer_id)).all())
    [(invoice_id, stored_number, total, status)] = invoices
    assert (stored_number, total, status) == (number, D("17.85"), "unpaid")  # 15.00 + 19 % VAT
    details = page.inner_text("#bank-details")
    assert "DE89" in details  # the tenant's IBAN
    page.click("#pay-now")
    assert page.url.startswith(f"{base}/client/billing/payments/pay")
    assert "DE89 3704 0044 0532 0130 00" in page.inner_text("body") and "17.85" in page.inner_text("body")
    assert grouped(creditor_reference(number)) in page.inner_text("body")  # the reference to write on the transfer

    # Her transfer arrives; staff record it (the bank's id for it as reference), and her invoice is paid.
    staff = bearer(billing.tenant.api_token(client, billing.tenant.staff("Billing")))
    booked = client.post("/api/v1/bank/transfers", headers=staff, base_url=billing.host, json={
        "invoice_id": invoice_id, "amount": "17.85", "currency": "EUR", "reference": "BANK-NINA-1",
        "booked_on": "2026-11-20"})
    assert booked.status_code == 200 and booked.get_json()["applied"] == "17.85"
    assert billing.load(invoice_id, lambda invoice: (invoice.status, invoice.amount_due)) == ("paid", D(0))
    page.goto(f"{base}/client/billing/{invoice_id}")
    assert "Status: paid" in page.inner_text("body") and not page.is_visible("#pay-now")
    page.close()


def test_an_invited_billing_contact_sees_invoices_but_not_services_or_domains(live_server, browser, factory, smtp):
    tenant = factory.tenant()
    base = f"http://{tenant.slug}.localhost:{live_server}"
    customer = tenant.customer()
    owner = tenant.contact(customer)
    from mpanel.core.security.models import MPanelUser
    from mpanel.extensions import db

    with factory.app.app_context(), tenant.scope():
        db.session.query(MPanelUser).filter_by(email=owner).one().contact_owner = True
        db.session.commit()
    page = browser.new_page()
    _sign_in(page, base, owner, PASSWORD)
    page.click("#client-nav >> text=Contacts")
    page.fill("#invite-contact input[name=email]", "billie@example.com")
    page.check("#invite-contact input[value=billing]")
    page.click("#invite-contact button[type=submit]")
    page.wait_for_load_state()
    page.context.clear_cookies()
    _set_password(page, _on_port(_link(smtp, "billie@example.com", "invitation"), live_server))
    _sign_in(page, base, "billie@example.com", CHOSEN)
    menu = page.inner_text("#client-nav")
    assert "Invoices" in menu and "Services" not in menu and "Domains" not in menu and "Contacts" not in menu
    assert page.goto(f"{base}/client/billing/").status == 200
    assert page.goto(f"{base}/client/billing/services").status == 403
    assert page.goto(f"{base}/client/domains/").status == 403
    page.close()


def test_an_owner_invites_support_who_cannot_reach_admin_actions(live_server, browser, factory, smtp):
    tenant = factory.tenant()
    base = f"http://{tenant.slug}.localhost:{live_server}"
    page = browser.new_page()
    _sign_in(page, base, tenant.staff("Owner"), PASSWORD)
    assert page.url == f"{base}/staff/"
    page.click("#home-links >> text=Staff")
    page.fill("#invite-form input[name=email]", "sam@example.com")
    page.select_option("#invite-form select[name=role]", "Support")
    page.click("#invite-form button[type=submit]")
    page.wait_for_load_state()
    assert page.is_visible('tr[data-email="sam@example.com"]')
    page.context.clear_cookies()
    _set_password(page, _on_port(_link(smtp, "sam@example.com", "invitation"), live_server))
    _sign_in(page, base, "sam@example.com", CHOSEN)
    assert page.url == f"{base}/staff/"
    links = page.inner_text("#home-links")
    assert "Customer list" in links and "Staff" not in links and "Security policy" not in links
    assert page.goto(f"{base}/staff/team/").status == 404
    assert page.goto(f"{base}/security/policy/").status == 403
    page.close()


def test_the_operator_onboards_a_tenant_whose_owner_finds_the_plugins_active(live_server, browser, factory, smtp,
                                                                              clock):
    from mpanel.core.security.users import create_user
    from mpanel.core.tenancy import tenant_scope
    from mpanel.extensions import db

    operator = f"op-{uuid.uuid4().hex[:8]}@platform.example"
    with factory.app.app_context(), tenant_scope(None, session=db.session):
        create_user(operator, PASSWORD, "Operator")
        db.session.commit()
    secret, _codes = enable_totp(factory.app, None, operator)
    clock.advance(seconds=30)
    platform = f"http://localhost:{live_server}"
    page = browser.new_page()
    _sign_in(page, platform, operator, PASSWORD)
    page.fill("input[name=code]", code_at(secret, clock.now))
    page.click("button[type=submit], input[type=submit]")
    page.wait_for_load_state()
    assert page.url == f"{platform}/operator/"
    page.click("#home-links >> text=New tenant")
    slug = f"b{uuid.uuid4().hex[:8]}"
    page.fill("input[name=name]", "Browser Hosting")
    page.fill("input[name=slug]", slug)
    page.select_option("select[name=country]", "FR")
    page.select_option("select[name=locale]", "fr")
    page.select_option("select[name=timezone]", "Europe/Paris")
    page.fill("input[name=owner_email]", f"owner@{slug}.example")
    page.click("#onboarding-form button[type=submit]")
    page.wait_for_load_state()
    assert "Browser Hosting" in page.inner_text("body")
    page.context.clear_cookies()
    _set_password(page, _on_port(_link(smtp, f"owner@{slug}.example", "invitation"), live_server))
    base = f"http://{slug}.localhost:{live_server}"
    _sign_in(page, base, f"owner@{slug}.example", CHOSEN)
    assert page.url == f"{base}/staff/"
    page.goto(f"{base}/marketplace/")
    from mpanel.core.plugins.engine import loaded_plugins

    with factory.app.app_context():
        names = set(loaded_plugins())
    deactivatable = {re.search(r"/marketplace/([^/]+)/deactivate", form.get_attribute("action")).group(1)
                     for form in page.locator("form[action$='/deactivate']").all()}
    assert deactivatable == names and page.locator("form[action$='/activate']").count() == 0
    page.close()
