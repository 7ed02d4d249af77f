"""One Alembic environment for the kernel and all plugins.

The kernel's revisions live in ``migrations/versions`` (version table
``alembic_version``); each plugin's in ``<package>/migrations/versions`` with
its own version table ``alembic_version_<plugin>``. Migrations always connect
as the owner role (``MPANEL_MIGRATION_DATABASE_URL``).
"""

import logging

from alembic import context
from flask import current_app
from sqlalchemy import create_engine, pool

from mpanel.extensions import db

config = context.config
log = logging.getLogger("alembic.env")
plugin = config.attributes.get("mpanel_plugin")
version_table = f"alembic_version_{plugin}" if plugin else "alembic_version"
plugin_prefixes = tuple(f"{name}_" for name in current_app.extensions["mpanel_plugins"])


def include_object(obj, name, type_, reflected, compare_to):
    """Autogenerate sees only the tables of the kernel or of the plugin at hand."""
    if type_ != "table":
        return True
    if name.startswith("alembic_version"):
        return False
    if plugin:
        return name.startswith(f"{plugin}_")
    return not name.startswith(plugin_prefixes)


def run_migrations_offline():
    context.configure(url=current_app.config["MIGRATION_DATABASE_URL"], target_metadata=db.metadata,
                      literal_binds=True, version_table=version_table, include_object=include_object)
    with context.begin_transaction():
        context.run_migrations()


def process_revision_directives(context_, revision, directives):
    if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
        directives[:] = []
        log.info("No changes in schema detected.")


def run_migrations_online():
    engine = create_engine(current_app.config["MIGRATION_DATABASE_URL"], poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=db.metadata, version_table=version_table,
                          include_object=include_object, process_revision_directives=process_revision_directives)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
