"""Seed the EU standard VAT rates when a tenant activates billing."""

from mpanel.core.signals.tenancy import plugin_activated

from .tax.eu import seed_standard_rates


@plugin_activated.connect
def _seed_rates(name, **kwargs):
    if name == "billing":
        from mpanel.extensions import db

        seed_standard_rates(db.session)
