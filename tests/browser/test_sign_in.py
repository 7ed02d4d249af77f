"""A real browser (Debian chromium via Playwright) signs in on a tenant's host."""

import shutil
import threading

import pytest
from werkzeug.serving import make_server

from mpanel.testing.pytest_plugin import PASSWORD

CHROMIUM = shutil.which("chromium")
pytestmark = [pytest.mark.browser, pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium is not installed")]


@pytest.fixture(scope="module")
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_port
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--no-first-run", "--disable-sync"])
        yield browser
        browser.close()


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
