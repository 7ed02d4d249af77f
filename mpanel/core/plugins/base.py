"""The contract every MPanel plugin implements (see docs/plugins.md)."""

from __future__ import annotations

import importlib
from pathlib import Path

from flask_babel import Domain

CATEGORIES = ("catalog", "billing", "gateway", "registrar", "provisioning", "other")


def N_(text: str) -> str:
    """Mark a string for extraction (``make translations``); it is translated where shown."""
    return text


def translation_domain(package_dir: Path) -> Domain:
    """The translation domain of a plugin package: ``<package>/translations``. Use its
    ``lazy_gettext`` for strings defined at import (view labels, menus), which must
    not fall back on the kernel's catalogue."""
    return Domain(translation_directories=[str(Path(package_dir) / "translations")])


class Plugin:
    """Subclass this and expose the class as an ``mpanel.plugins`` entry point.

    Class attributes describe the plugin; the engine instantiates it once per
    process and calls :meth:`init` then :meth:`register_views`.
    """

    name: str = ""  # the entry point name, [a-z0-9_]
    version: str = "0.0.0"
    title: str = ""
    description: str = ""
    category: str = "other"
    requires: tuple[str, ...] = ()  # other plugins that must be loaded (and migrated) first
    kernel_requires: str = ">=0.1"  # PEP 440 specifier against mpanel.__version__
    settings: dict = {}  # global defaults
    tenant_settings: dict = {}  # per-tenant defaults
    secret_settings: frozenset[str] = frozenset()  # keys encrypted at rest
    # Role name -> [(view name regex, permission regex)], merged into FAB_ROLES.
    role_permissions: dict[str, list[tuple[str, str]]] = {}
    # Client-area menu: (endpoint, label in the plugin's catalogue, contact permission or None).
    client_links: tuple[tuple[str, str, str | None], ...] = ()

    def __init__(self):
        self.package = type(self).__module__.split(".")[0]
        self.path = Path(importlib.import_module(self.package).__file__).parent
        self.domain = translation_domain(self.path) if (self.path / "translations").is_dir() else None

    @property
    def migrations_dir(self) -> Path | None:
        """``<package>/migrations/versions`` if the plugin has tables."""
        versions = self.path / "migrations" / "versions"
        return versions if versions.is_dir() else None

    @property
    def templates_dir(self) -> Path | None:
        templates = self.path / "templates"
        return templates if templates.is_dir() else None

    def gettext(self, text: str, **variables) -> str:
        """Translate with the plugin's own catalogue (its translation domain)."""
        if self.domain is None:
            return text % variables if variables else text
        return self.domain.gettext(text, **variables)

    def init(self, app) -> None:
        """Import models and tasks, connect signal receivers. No database access."""

    def register_views(self, appbuilder) -> None:
        """Add FAB admin views and REST APIs (``appbuilder.add_view``/``add_api``)."""

    def seed_demo(self, session, tenant, customers) -> None:
        """Add demo data for ``make run`` to ``tenant`` (in scope); idempotent, no commit."""

    def blueprints(self) -> list:
        """Flask blueprints: client-area pages, webhooks."""
        return []

    def __repr__(self) -> str:
        return f"<Plugin {self.name} {self.version}>"
