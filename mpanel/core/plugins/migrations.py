"""Running the kernel's and the plugins' migrations through the shared env."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from flask import current_app
from sqlalchemy import create_engine, pool

from mpanel.core.dbroles import apply_grants, role_of
from mpanel.core.plugins.engine import loaded_plugins
from mpanel.paths import MIGRATIONS as KERNEL_MIGRATIONS


def alembic_config(plugin_name: str | None = None) -> Config:
    cfg = Config(str(KERNEL_MIGRATIONS / "alembic.ini"))
    cfg.set_main_option("script_location", str(KERNEL_MIGRATIONS))
    if plugin_name:
        plugin = loaded_plugins()[plugin_name]
        if plugin.migrations_dir is None:
            raise ValueError(f"plugin {plugin_name!r} has no migrations")
        cfg.set_main_option("version_locations", str(plugin.migrations_dir))
        cfg.attributes["mpanel_plugin"] = plugin_name
    return cfg


def plugins_with_migrations() -> list[str]:
    """Loaded plugins with tables, in dependency order."""
    return [p.name for p in loaded_plugins().values() if p.migrations_dir is not None]


def upgrade_all(revision: str = "heads") -> None:
    """Kernel first, then every loaded plugin in dependency order; then grants."""
    command.upgrade(alembic_config(), revision)
    for name in plugins_with_migrations():
        command.upgrade(alembic_config(name), "heads")
    refresh_grants()


def downgrade(plugin_name: str | None, revision: str) -> None:
    if plugin_name is None and revision == "base":
        # Plugins sit on the kernel's tables: take them down first.
        for name in reversed(plugins_with_migrations()):
            command.downgrade(alembic_config(name), "base")
    command.downgrade(alembic_config(plugin_name), revision)


def refresh_grants() -> None:
    engine = create_engine(current_app.config["MIGRATION_DATABASE_URL"], poolclass=pool.NullPool)
    with engine.begin() as connection:
        apply_grants(connection, role_of(current_app.config["DATABASE_URL"]))
    engine.dispose()
