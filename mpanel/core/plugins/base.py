"""The contract every MPanel plugin implements (see docs/plugins.md)."""

from __future__ import annotations

import importlib
from pathlib import Path

from flask_babel import Domain

CATEGORIES = ("catalog", "billing", "gateway", "registrar", "provisioning", "other")


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

    def __init__(self):
        self.package = type(self).__module__.split(".")[0]
        self.path = Path(importlib.import_module(self.package).__file__).parent
        translations = self.path / "translations"
        self.domain = Domain(translation_directories=[str(translations)]) if translations.is_dir() else None

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
