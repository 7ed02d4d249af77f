"""Pages speak the signed-in person's language, else the tenant's, else the browser's."""

from mpanel.core.security.models import MPanelUser


def _set_locale(factory, tenant, email, locale):
    def update(session):
        session.query(MPanelUser).filter_by(username=email).update({"locale": locale})

    factory.commit(update, tenant.id)


def test_staff_member_sees_the_menu_in_german(client, factory):
    t = factory.tenant()
    email = t.staff("Owner")
    _set_locale(factory, t, email, "de")
    t.web_login(client, email)
    page = client.get("/customerview/list/", base_url=t.host).get_data(as_text=True)
    assert "Kundenliste" in page and "Customer list" not in page


def test_customer_contact_sees_the_client_area_in_french(client, factory):
    t = factory.tenant()
    customer = t.customer(language="fr")
    email = t.contact(customer)
    _set_locale(factory, t, email, "fr")
    t.web_login(client, email)
    page = client.get("/client/", base_url=t.host).get_data(as_text=True)
    assert "Votre compte" in page


def test_browser_language_is_used_before_sign_in(client, factory):
    t = factory.tenant(locale="fr")
    german = client.get("/login/", base_url=t.host, headers={"Accept-Language": "de-DE,de;q=0.9"})
    assert "Benutzername" in german.get_data(as_text=True)
    # No usable browser language: the tenant's.
    french = client.get("/login/", base_url=t.host, headers={"Accept-Language": "ja"})
    assert "Nom d'utilisateur" in french.get_data(as_text=True)


def test_every_kernel_string_is_translated():
    from pathlib import Path

    from babel.messages.pofile import read_po

    root = Path(__file__).resolve().parents[2] / "translations"
    for lang in ("de", "fr"):
        with open(root / lang / "LC_MESSAGES" / "messages.po", "rb") as handle:
            catalog = read_po(handle)
        untranslated = [m.id for m in catalog if m.id and not m.string]
        assert untranslated == [], lang



def test_no_catalogue_is_marked_fuzzy():
    """pybabel compile skips a fuzzy catalogue: its language would silently fall back to English."""
    from pathlib import Path

    from babel.messages.pofile import read_po

    root = Path(__file__).resolve().parents[2]
    catalogues = [*root.glob("translations/*/LC_MESSAGES/messages.po"),
                  *root.glob("plugins/*/*/translations/*/LC_MESSAGES/messages.po")]
    assert len(catalogues) >= 5
    for path in catalogues:
        with open(path, "rb") as handle:
            assert not read_po(handle).fuzzy, path
