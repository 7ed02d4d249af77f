"""A sandbox registrar for demos and trials: it registers nothing."""

from mpanel.core.plugins.base import Plugin
from mpanel_registrar_demo import __version__


class DemoRegistrarPlugin(Plugin):
    version = __version__
    title = "Demo registrar (sandbox — registers nothing)"
    description = ("Pretends to be a registry: registrations, transfers and renewals are only rows in its own "
                   "table, so search and ordering work offline. Never map a real TLD to it in production.")
    category = "registrar"
    requires = ("domains",)

    @property
    def registrar_class(self):
        from mpanel_registrar_demo.registrar import DemoRegistrar

        return DemoRegistrar

    def init(self, app):
        from mpanel_registrar_demo import models  # noqa: F401

    def seed_demo(self, session, tenant, customers):
        from mpanel_registrar_demo.seed import seed_demo

        seed_demo(session, customers[0], f"{tenant.slug}-demo.com")
