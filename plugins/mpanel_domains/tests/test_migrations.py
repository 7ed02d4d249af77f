"""The plugin's tables migrate down and up, and every one has forced row-level security."""

from sqlalchemy import inspect, text

from mpanel.core.plugins import migrations
from mpanel.extensions import db

TABLES = {"domains_domains", "domains_contacts", "domains_actions", "domains_notices", "domains_renewals"}


def test_tables_migrate_down_and_up_with_forced_rls(app, ctx):
    def tables():
        return set(inspect(db.engine).get_table_names())

    plugins = [name for name in migrations.plugins_with_migrations() if name.startswith("registrar_")]
    for name in plugins:  # registrars require domains: down first
        migrations.downgrade(name, "base")
    migrations.downgrade("domains", "base")
    db.engine.dispose()
    assert not TABLES & tables()
    migrations.upgrade_all()
    db.engine.dispose()
    assert TABLES <= tables()
    with db.engine.connect() as connection:
        rows = connection.execute(text(
            "SELECT relname, relforcerowsecurity FROM pg_class WHERE relname LIKE 'domains\\_%' AND relkind = 'r'"))
        forced = {name: flag for name, flag in rows}
    assert forced == dict.fromkeys(TABLES, True)
