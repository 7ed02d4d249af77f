"""The EPP registrar's test fixtures, a pytest plugin module (its tests/conftest.py
loads them): an EPP test registry over TLS (``tests/servers/epp``) and a tenant
whose .test domains go to it through the EPP registrar plugin."""

import pytest

from mpanel.core.settings import set_settings
from mpanel.core.tenancy import tenant_scope
from mpanel.extensions import db

CONTACT = {"first_name": "Jane", "last_name": "Doe", "email": "jane@example.com", "phone": "+49.301234567",
           "address1": "Hauptstr. 1", "city": "Berlin", "postcode": "10115", "country": "DE"}


@pytest.fixture
def server():
    from tests.servers.epp import EppTestServer

    with EppTestServer() as srv:
        yield srv


def epp_settings(server) -> dict:
    return {"host": server.host, "port": str(server.port), "client_id": "mpanel",
            "password": server.registrars["mpanel"], "certificate": server.pki.client_cert.read_text(),
            "private_key": server.pki.client_key.read_text(), "ca_certificate": server.pki.ca_cert.read_text(),
            "timeout": "5"}


@pytest.fixture
def tenant(app, factory, server):
    from mpanel.core.plugins.engine import loaded_plugins

    with app.app_context():
        plugin = loaded_plugins().get("registrar_epp")
    if plugin is None:
        pytest.skip("needs the registrar_epp plugin (MPANEL_ENABLED_PLUGINS)")
    t = factory.tenant()

    def configure(session):
        set_settings(session, "registrar_epp", epp_settings(server), plugin.secret_settings)
        set_settings(session, "domains", {"tld_registrars": "test=registrar_epp"})

    factory.commit(configure, t.id)
    return t


@pytest.fixture
def registrar(app, tenant):
    """The tenant's EppRegistrar (an app context stays open for the test)."""
    from mpanel_domains.lookup import get_registrar

    with app.app_context(), tenant_scope(tenant.id):
        instance = get_registrar(db.session, "registrar_epp")
        yield instance
        instance.close()


def verbs(server) -> list[str]:
    return [verb for _client, verb, _trid in server.commands]
