"""Database roles: an owner that runs migrations and a runtime role that owns
nothing, cannot bypass row-level security and may not change the audit log."""

from __future__ import annotations

import psycopg
from psycopg import sql
from sqlalchemy import text
from sqlalchemy.engine import make_url

APPEND_ONLY = "mpanel:append-only"


def role_of(url: str) -> str:
    return make_url(url).username


def libpq_url(url: str, dbname: str | None = None) -> str:
    parsed = make_url(url).set(drivername="postgresql")
    if dbname:
        parsed = parsed.set(database=dbname)
    return parsed.render_as_string(hide_password=False)


def ensure_database(superuser_url: str, owner_url: str, runtime_url: str) -> None:
    """Create both roles (no superuser, no BYPASSRLS) and the database, if missing.

    For the embedded default and the tests; production operators create the
    roles themselves (docs/operations.md).
    """
    owner, runtime = role_of(owner_url), role_of(runtime_url)
    dbname = make_url(owner_url).database
    with psycopg.connect(libpq_url(superuser_url), autocommit=True) as conn:
        for role in (owner, runtime):
            if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone():
                try:
                    conn.execute(sql.SQL("CREATE ROLE {} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEROLE").format(
                        sql.Identifier(role)))
                except psycopg.errors.UniqueViolation:  # created by a parallel run meanwhile
                    pass
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (dbname,)).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {} OWNER {} ENCODING 'UTF8'").format(
                sql.Identifier(dbname), sql.Identifier(owner)))
    with psycopg.connect(libpq_url(superuser_url, dbname), autocommit=True) as conn:
        conn.execute(sql.SQL("ALTER SCHEMA public OWNER TO {}").format(sql.Identifier(owner)))
        conn.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")


def apply_grants(connection, runtime_role: str) -> None:
    """Give the runtime role DML on every table, then take back what it must not have."""
    role = runtime_role.replace('"', '""')
    connection.execute(text(f'GRANT USAGE ON SCHEMA public TO "{role}"'))
    connection.execute(text(f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "{role}"'))
    connection.execute(text(f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO "{role}"'))
    append_only = connection.execute(text(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'public' AND obj_description(c.oid, 'pg_class') = :tag"), {"tag": APPEND_ONLY}).scalars()
    for table in append_only:
        connection.execute(text(f'REVOKE UPDATE, DELETE, TRUNCATE ON "{table}" FROM "{role}"'))
    versions = connection.execute(text(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE 'alembic_version%'")).scalars()
    for table in versions:
        connection.execute(text(f'REVOKE ALL ON "{table}" FROM "{role}"'))
