"""The EPP registrar plugin: domains at any EPP registry, one account per tenant."""

from mpanel.core.plugins.base import Plugin
from mpanel_registrar_epp import __version__


class EppRegistrarPlugin(Plugin):
    version = __version__
    title = "EPP registrar"
    description = ("Registers, transfers, renews and manages domains at an EPP registry (RFC 5730-5734) over TLS "
                   "with the tenant's own registrar account and client certificate.")
    category = "registrar"
    requires = ("domains",)
    tenant_settings = {
        "host": "",
        "port": "700",
        "client_id": "",
        "password": "",
        "certificate": "",  # the client certificate, PEM
        "private_key": "",  # its key, PEM (unencrypted)
        "ca_certificate": "",  # PEM of the registry's CA, if not a public one
        "timeout": "30",
    }
    secret_settings = frozenset({"password", "private_key"})

    @property
    def registrar_class(self):
        from mpanel_registrar_epp.registrar import EppRegistrar

        return EppRegistrar
