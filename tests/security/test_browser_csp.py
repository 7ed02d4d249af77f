"""In a real browser the strict Content Security Policy blocks nothing of
FAB's pages or ours: every script runs through the origin or the nonce."""

import shutil
import threading

import pytest
from werkzeug.serving import make_server

from mpanel.testing.pytest_plugin import PASSWORD

CHROMIUM = shutil.which("chromium")
pytestmark = [pytest.mark.browser, pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium is not installed")]


@pytest.fixture
def page(app):
    from playwright.sync_api import sync_playwright

    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=["--no-sandbox", "--disable-gpu", "--no-first-run"])
        page = browser.new_page()
        page.port = server.server_port
        yield page
        browser.close()
    server.shutdown()


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
