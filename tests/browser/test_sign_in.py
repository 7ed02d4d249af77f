"""A real browser (Debian chromium via Playwright) signs in on a tenant's host."""

import pytest

from mpanel.testing.pytest_plugin import PASSWORD, needs_chromium

pytestmark = [pytest.mark.browser, needs_chromium]


def test_staff_signs_in_and_sees_only_their_customers(live_server, browser, factory, tmp_path):
    a, b = factory.tenant(), factory.tenant()
    a.customer(company="Visible Co")
    b.customer(company="Hidden Co")
    email = a.staff("Owner")
    page = browser.new_page()
    page.goto(f"http://{a.slug}.localhost:{live_server}/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit], button[type=submit]")
    page.goto(f"http://{a.slug}.localhost:{live_server}/customerview/list/")
    text = page.inner_text("body")
    page.screenshot(path=str(tmp_path / "customers.png"))
    assert "Visible Co" in text and "Hidden Co" not in text
    page.close()


def test_wrong_password_shows_the_same_message_as_unknown_user(live_server, browser, factory):
    t = factory.tenant()
    email = t.staff("Owner")
    messages = []
    for username in (email, "nobody@example.com"):
        page = browser.new_page()
        page.goto(f"http://{t.slug}.localhost:{live_server}/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", "definitely-wrong-password")
        page.click("input[type=submit], button[type=submit]")
        messages.append(page.inner_text(".alert, .alert-danger"))
        page.close()
    assert messages[0] == messages[1] and messages[0]
