"""In a real browser the strict Content Security Policy blocks nothing of
FAB's pages or ours: every script runs through the origin or the nonce."""

import pytest

from mpanel.testing.pytest_plugin import PASSWORD, needs_chromium

pytestmark = [pytest.mark.browser, needs_chromium]


@pytest.fixture
def page(live_server, browser):
    page = browser.new_page()
    page.port = live_server
    yield page
    page.close()


def test_no_csp_violation_on_signed_in_pages(page, tenant):
    refused = []
    page.on("console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text
            else None)
    base = f"http://{tenant.slug}.localhost:{page.port}"
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", tenant.staff("Owner"))
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit]")
    for path in ("/customerview/list/", "/security/", "/securityfeedview/list/"):
        page.goto(base + path)
        assert page.evaluate("typeof jQuery === 'function' && typeof jQuery.fn.modal === 'function'"), path
    page.click("a.dropdown-toggle >> nth=-1")  # Bootstrap's JavaScript opens the user menu
    assert page.is_visible("text=Logout")
    assert refused == []
