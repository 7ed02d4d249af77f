"""The client area in a real browser: the tenant's brand, the menu folded on a phone,
no horizontal scroll at 390 px, no serious or critical axe-core violation."""

import pytest

from mpanel.testing.axe import axe_violations, needs_axe
from mpanel.testing.pytest_plugin import PASSWORD, needs_chromium

pytestmark = [pytest.mark.browser, needs_chromium, needs_axe]

PAGES = ("/client/", "/client/billing/", "/client/billing/services", "/client/catalog/", "/client/domains/",
         "/client/profile/")


def _sign_in(page, base, email):
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit], button[type=submit]")


def _brand(factory, t):
    from mpanel.modules.accounts import settings

    factory.commit(lambda s: settings.save(s, {"brand_name": "Hostwerk", "brand_color": "#7a1f5c",
                                               "brand_footer": "Hostwerk GmbH, Berlin"}), t.id)


def test_client_pages_carry_the_brand_fit_a_phone_and_pass_axe(live_server, browser, factory, tmp_path):
    t = factory.tenant()
    _brand(factory, t)
    email = t.contact(t.customer())
    base = f"http://{t.slug}.localhost:{live_server}"
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    _sign_in(page, base, email)
    for path in PAGES:
        response = page.goto(base + path)
        assert response.status == 200, path
        assert page.inner_text(".client-brand").strip() == "Hostwerk"
        assert "MPanel" not in page.title() and "Hostwerk" in page.title()
        assert "Hostwerk GmbH, Berlin" in page.inner_text("footer")
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px"
        assert not page.is_visible("#client-nav"), "the menu is folded on a phone"
        assert axe_violations(page) == [], path
        page.screenshot(path=str(tmp_path / f"{path.strip('/').replace('/', '_') or 'home'}.png"), full_page=True)
    page.click("label[for=client-menu-toggle]")
    assert page.is_visible("#client-nav")
    page.click("#client-nav >> text=Invoices")
    assert page.url.endswith("/client/billing/")
    context.close()


def test_menu_is_open_on_a_desktop(live_server, browser, factory):
    t = factory.tenant()
    email = t.contact(t.customer())
    base = f"http://{t.slug}.localhost:{live_server}"
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    _sign_in(page, base, email)
    page.goto(base + "/client/")
    assert page.is_visible("#client-nav") and not page.is_visible("label[for=client-menu-toggle]")
    assert page.inner_text(".client-brand").strip() == t.slug.upper()  # the tenant's name by default
    assert axe_violations(page) == []
    context.close()
