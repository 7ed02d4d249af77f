"""`flask mpanel db upgrade|downgrade` and `init` on a database of their own."""

import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from mpanel.core.dbroles import libpq_url
from mpanel.testing.pytest_plugin import fresh_database

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def scratch_database():
    with fresh_database(f"mpanel_cli_{os.getpid()}") as urls:
        yield urls


def _flask(urls, *args):
    owner, runtime = urls
    env = {**os.environ, "FLASK_APP": "mpanel:create_app", "MPANEL_DATABASE_URL": runtime,
           "MPANEL_MIGRATION_DATABASE_URL": owner, "MPANEL_ENABLED_PLUGINS": "testplugin",
           "PYTHONPATH": str(ROOT / "tests" / "fixtures" / "testplugin"), "MPANEL_HUEY_IMMEDIATE": "true"}
    result = subprocess.run([sys.executable, "-m", "flask", "mpanel", *args], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _tables(owner_url):
    with psycopg.connect(libpq_url(owner_url)) as conn:
        return {r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}


@pytest.mark.slow
def test_upgrade_init_and_full_downgrade(scratch_database):
    owner, _ = scratch_database
    _flask(scratch_database, "db", "upgrade")
    tables = _tables(owner)
    assert {"tenants", "customers", "ab_user", "audit_log", "testplugin_notes", "alembic_version",
            "alembic_version_testplugin"} <= tables
    out = _flask(scratch_database, "init", "--operator-email", "op@example.com", "--operator-password", "a-long-pass")
    assert "created platform operator" in out
    _flask(scratch_database, "db", "downgrade", "base")
    assert _tables(owner) <= {"alembic_version", "alembic_version_testplugin"}
    _flask(scratch_database, "db", "upgrade")
    assert "testplugin_notes" in _tables(owner)
