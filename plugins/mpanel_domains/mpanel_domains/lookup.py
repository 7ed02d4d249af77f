"""Which registrar serves a TLD, and an instance of it bound to the tenant in scope.

Registrars are the loaded plugins whose class has ``registrar_class`` (a
:class:`~mpanel_domains.registrar.Registrar` subclass) and that the tenant has
activated. A TLD's registrar comes from the catalogue's TLD list when the
catalogue is active and names one, otherwise from the ``tld_registrars`` setting.
"""

from __future__ import annotations

from sqlalchemy import select

from mpanel.core.errors import FieldError
from mpanel.core.plugins.engine import active_plugin_names, loaded_plugins
from mpanel.core.settings import get_settings
from mpanel.core.unit_of_work import forbid_network
from mpanel_domains import settings as domain_settings
from mpanel_domains.i18n import gettext as _
from mpanel_domains.registrar import Registrar


def registrar_plugins() -> dict:
    """Loaded registrar plugins: name -> Plugin."""
    return {name: p for name, p in loaded_plugins().items() if getattr(p, "registrar_class", None)}


def _catalogue_mapping(session) -> dict[str, str]:
    if "catalog" not in active_plugin_names(session):
        return {}
    from mpanel_catalog.models import Tld

    rows = session.execute(select(Tld.name, Tld.registrar).where(Tld.registrar.is_not(None)))
    return {name.lower(): registrar for name, registrar in rows}


def tld_mapping(session) -> dict[str, str]:
    """TLD (A-label, no dot) -> registrar plugin name, for registrars the tenant has active."""
    mapping = {**domain_settings.load(session).tld_registrars, **_catalogue_mapping(session)}
    usable = set(registrar_plugins()) & active_plugin_names(session)
    return {tld: name for tld, name in mapping.items() if name in usable}


def get_registrar(session, name: str) -> Registrar:
    """A registrar instance for the tenant in scope; FieldError("registrar") if unusable.
    Never inside a unit of work: a registrar talks to its registry."""
    forbid_network(f"registrar {name}")
    plugin = registrar_plugins().get(name)
    if plugin is None or name not in active_plugin_names(session):
        raise FieldError("registrar", _("%(name)s is not an active registrar", name=name))
    return plugin.registrar_class(name, get_settings(session, name, plugin.tenant_settings))

