"""The plugin's pages speak the reader's language from the plugin's own catalogue:
client pages (templates' _()), the client menu and the admin views' labels."""

def page(client, billing, path, language):
    return client.get(f"{path}?_l_={language}", base_url=billing.host).get_data(as_text=True)


def test_client_invoice_page_and_menu_in_german_and_french(client, billing):
    customer_id = billing.customer()
    invoice_id = billing.invoice(customer_id, [("Hosting", "1", "10.00")])
    billing.tenant.web_login(client, billing.tenant.contact(customer_id))
    german = page(client, billing, f"/client/billing/{invoice_id}", "de")
    assert "Jetzt bezahlen" in german and "Rechnungen" in german and "Ihr Konto" in german
    assert "Pay now" not in german
    french = page(client, billing, f"/client/billing/{invoice_id}", "fr")
    assert "Payer maintenant" in french


def test_admin_views_use_the_plugins_catalogue(client, billing):
    billing.tenant.web_login(client, billing.tenant.staff("Billing"))
    german = page(client, billing, "/serviceview/list/", "de")
    assert "Aktivieren / entsperren" in german  # an action label defined at import time
    assert "E-Mail-Vorlagen" in german  # a menu entry of the plugin, on any page
