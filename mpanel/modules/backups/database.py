"""pg_dump / pg_restore and the table statistics a restore is checked against.

The role must bypass row-level security (a superuser, or a role with
BYPASSRLS): with forced RLS any other role dumps and compares no tenant rows.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

from mpanel.core.dbroles import libpq_url

from .archive import BackupError

CHUNK = 1024 * 1024
STATS = ("SELECT count(*), md5(coalesce(string_agg(md5(t::text), '' ORDER BY md5(t::text)), '')) "
         "FROM {} AS t")


def _client(url: str) -> tuple[str, dict]:
    """A libpq URL without the password, and the environment that carries it."""
    parsed = make_url(url)
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    return libpq_url(parsed.set(password=None).render_as_string(hide_password=False)), env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if not path:
        raise BackupError(f"{name} is not installed (the PostgreSQL client tools, same major version as the server)")
    return path


def table_stats(connection) -> dict[str, dict]:
    """Row count and a content checksum per table of the public schema."""
    tables = connection.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                                "ORDER BY tablename").fetchall()
    stats = {}
    for (table,) in tables:
        rows, checksum = connection.execute(sql.SQL(STATS).format(sql.Identifier(table))).fetchone()
        stats[table] = {"rows": rows, "checksum": checksum}
    return stats


def dump(url: str, consume):
    """Stream a custom-format dump: ``consume(chunks, stats)`` gets pg_dump's output as it
    comes and the statistics of the very snapshot it is taken from; its result is returned
    once pg_dump has succeeded (a failure of pg_dump raises BackupError after it)."""
    target, env = _client(url)
    with psycopg.connect(libpq_url(url)) as connection, tempfile.TemporaryFile() as errors:
        connection.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        snapshot = connection.execute("SELECT pg_export_snapshot()").fetchone()[0]
        stats = table_stats(connection)
        process = subprocess.Popen(
            [_tool("pg_dump"), "--format=custom", f"--snapshot={snapshot}", f"--dbname={target}"],
            stdout=subprocess.PIPE, stderr=errors, env=env)
        try:
            result = consume(iter(lambda: process.stdout.read(CHUNK), b""), stats)
        finally:
            process.stdout.close()
            returncode = process.wait()
        connection.rollback()
        if returncode != 0:
            errors.seek(0)
            raise BackupError(f"pg_dump failed: {errors.read().decode(errors='replace').strip()}")
    return result


def is_empty(url: str) -> bool:
    with psycopg.connect(libpq_url(url)) as connection:
        return connection.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()[0] == 0


def restore(data, url: str, force: bool = False) -> None:
    """Restore ``data`` (bytes, or an iterable of byte chunks: streamed to pg_restore) into
    ``url``; a database that has tables is refused unless ``force``."""
    if not is_empty(url) and not force:
        raise BackupError(f"{make_url(url).database} is not empty; restore into an empty database or use --force "
                          "to replace its contents")
    target, env = _client(url)
    command = [_tool("pg_restore"), "--exit-on-error", "--single-transaction", f"--dbname={target}"]
    if force:
        command[1:1] = ["--clean", "--if-exists"]
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=errors, env=env)
        try:
            for chunk in [data] if isinstance(data, bytes) else data:
                process.stdin.write(chunk)
            process.stdin.close()
        except BrokenPipeError:  # pg_restore stopped: its error says why
            pass
        except BaseException:  # a damaged backup: stop before pg_restore commits anything
            process.kill()
            process.wait()
            raise
        if process.wait() != 0:
            errors.seek(0)
            raise BackupError(f"pg_restore failed: {errors.read().decode(errors='replace').strip()}")


def stats_of(url: str) -> dict[str, dict]:
    with psycopg.connect(libpq_url(url)) as connection:
        return table_stats(connection)


def create_database(url: str, name: str) -> str:
    """A new empty database beside ``url``'s, owned by the same owner; its URL."""
    with psycopg.connect(libpq_url(url), autocommit=True) as connection:
        owner = connection.execute("SELECT pg_get_userbyid(datdba) FROM pg_database "
                                   "WHERE datname = current_database()").fetchone()[0]
        connection.execute(sql.SQL("CREATE DATABASE {} OWNER {} ENCODING 'UTF8'").format(
            sql.Identifier(name), sql.Identifier(owner)))
    return make_url(url).set(database=name).render_as_string(hide_password=False)


def drop_database(url: str, name: str) -> None:
    with psycopg.connect(libpq_url(url), autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
