"""The EPP registrar plugin: domains at any EPP registry, one account per tenant."""

from mpanel.core.plugins.base import Plugin
from mpanel.core.settings import Setting
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
        "port": Setting(700, "int", minimum=1, maximum=65535),
        "client_id": "",
        "password": "",
        "certificate": Setting("", "textarea"),  # the client certificate, PEM
        "private_key": Setting("", "textarea"),  # its key, PEM (unencrypted)
        "ca_certificate": Setting("", "textarea"),  # PEM of the registry's CA, if not a public one
        "timeout": Setting(30, "int", minimum=1, maximum=600),
    }
    secret_settings = frozenset({"password", "private_key"})

    @property
    def registrar_class(self):
        from mpanel_registrar_epp.registrar import EppRegistrar

        return EppRegistrar
