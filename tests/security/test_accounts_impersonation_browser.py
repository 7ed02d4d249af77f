"""Log in as client in a real browser (Debian chromium via Playwright): the banner
says read-only while the tenant does not allow changes, and that changes are
allowed and audited (under the staff member's name) when it does."""

import pytest
from sqlalchemy import select

from mpanel.testing.pytest_plugin import PASSWORD, needs_chromium

pytestmark = [pytest.mark.browser, needs_chromium]


def _owner_contact(tenant, customer_id):
    from mpanel.core.security.models import CONTACT_PERMISSIONS
    from mpanel.core.security.users import create_contact
    from mpanel.modules.customers.models import Customer

    email = f"owner-{customer_id}-{tenant.slug}@example.com"
    tenant._in_scope(lambda s: create_contact(s.get(Customer, customer_id), email, PASSWORD, CONTACT_PERMISSIONS,
                                              owner=True).id)
    return email


def _log_in_as_client(page, base, staff_email, customer_id):
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", staff_email)
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_load_state()
    page.goto(f"{base}/customerview/show/{customer_id}")
    page.click("text=Log in as client")
    page.wait_for_url(f"{base}/client/")


def _allow_changes(app, tenant, allowed: bool):
    from mpanel.extensions import db
    from mpanel.modules.accounts import settings

    with app.app_context(), tenant.scope():
        settings.save(db.session, {"impersonation_write": allowed})
        db.session.commit()


def test_the_banner_tells_whether_changes_are_allowed(app, live_server, browser, tenant):
    from mpanel.core.audit import AuditLog
    from mpanel.extensions import db
    from mpanel.modules.customers.models import Customer

    customer_id = tenant.customer(company="Helped Co", city="Berlin")
    _owner_contact(tenant, customer_id)
    base = f"http://{tenant.slug}.localhost:{live_server}"
    staff = tenant.staff("Support")

    context = browser.new_context()
    page = context.new_page()
    _log_in_as_client(page, base, staff, customer_id)
    banner = page.inner_text("#impersonation")
    assert "read-only" in banner and "audited" not in banner
    context.close()

    _allow_changes(app, tenant, True)
    context = browser.new_context()
    page = context.new_page()
    _log_in_as_client(page, base, staff, customer_id)
    banner = page.inner_text("#impersonation")
    assert "changes are allowed and audited" in banner and "read-only" not in banner
    page.goto(f"{base}/client/profile/")
    page.fill("#customer-form input[name=city]", "Hamburg")
    page.click("#customer-form button[type=submit]")
    page.wait_for_load_state()
    assert "changes are allowed and audited" in page.inner_text("#impersonation")
    context.close()

    with app.app_context(), tenant.scope():
        assert db.session.get(Customer, customer_id).city == "Hamburg"
        actors = set(db.session.scalars(select(AuditLog.actor).where(AuditLog.action == "customer_profile_changed")))
        assert len(actors) == 1 and "(staff: " in actors.pop()
