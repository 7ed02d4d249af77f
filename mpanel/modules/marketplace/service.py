"""What the marketplace shows: installed plugins plus the catalogue of
available ones, with their state for the tenant in scope."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from packaging.specifiers import SpecifierSet
from packaging.version import Version
from sqlalchemy import select

import mpanel
from mpanel.core.plugins.engine import active_plugin_names, loaded_plugins
from mpanel.core.plugins.models import TenantPlugin
from mpanel.core.tenancy import current_tenant_id, tenant_scope
from mpanel.modules.tenants.models import Tenant

DEFAULT_CATALOGUE = Path(__file__).with_name("catalogue.json")


@dataclass
class Entry:
    name: str
    title: str
    description: str
    version: str
    category: str
    compatible: bool
    installed: bool
    active: bool
    configurable: bool


def _catalogue() -> list[dict]:
    path = current_app.config["PLUGIN_CATALOGUE"] or DEFAULT_CATALOGUE
    return json.loads(Path(path).read_text())


def entries(session) -> list[Entry]:
    plugins = loaded_plugins()
    active = active_plugin_names(session) if current_tenant_id() is not None else set()
    result = {
        p.name: Entry(p.name, p.title or p.name, p.description, p.version, p.category, True, True,
                      p.name in active, bool(p.tenant_settings))
        for p in plugins.values()
    }
    for item in _catalogue():
        if item["name"] in result:
            continue
        compatible = Version(mpanel.__version__) in SpecifierSet(item.get("kernel", ""))
        result[item["name"]] = Entry(item["name"], item["title"], item["description"], item["version"],
                                     item["category"], compatible, False, False, False)
    return sorted(result.values(), key=lambda e: (not e.installed, e.category, e.title))


def usage(session) -> dict[str, list[str]]:
    """Operator view: plugin name -> slugs of the tenants that use it."""
    result: dict[str, list[str]] = {}
    for tenant in session.scalars(select(Tenant).order_by(Tenant.slug)).all():
        with tenant_scope(tenant.id, session=session):
            for name in session.scalars(select(TenantPlugin.plugin).where(TenantPlugin.active.is_(True))):
                result.setdefault(name, []).append(tenant.slug)
    return result
