"""The plugin itself: entry point, translations, tenant settings, migrations up and down."""

import os
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

import psycopg
import pytest
from flask_babel import force_locale
from mpanel_catalog.plugin import CatalogPlugin
from mpanel_catalog.settings import prices_include_tax

from mpanel.core.dbroles import libpq_url
from mpanel.core.settings import set_settings
from mpanel.testing.pytest_plugin import fresh_database

ROOT = Path(__file__).resolve().parents[3]


def test_the_entry_point_and_metadata(app):
    (entry,) = [ep for ep in entry_points(group="mpanel.plugins") if ep.name == "catalog"]
    assert entry.load() is CatalogPlugin
    plugin = app.extensions["mpanel_plugins"]["catalog"]
    assert plugin.category == "catalog" and plugin.migrations_dir.name == "versions"


@pytest.mark.parametrize(("locale", "expected"), [("en", "Coupons"), ("de", "Gutscheine"), ("fr", "Codes promo")])
def test_the_plugin_translates_with_its_own_catalogue(app, locale, expected):
    plugin = app.extensions["mpanel_plugins"]["catalog"]
    with app.test_request_context(), force_locale(locale):
        assert plugin.gettext("Coupons") == expected
        assert plugin.gettext("Coupon %(code)s has expired", code="X") != "" and "X" in \
            plugin.gettext("Coupon %(code)s has expired", code="X")


@pytest.mark.parametrize(("stored", "expected"), [("yes", True), ("True", True), ("1", True), (True, True),
                                                  ("no", False), ("", False), ("False", False)])
def test_prices_include_tax_setting(shop, scope, stored, expected):
    with scope(shop.tenant) as session:
        assert prices_include_tax(session) is False  # the default
        set_settings(session, "catalog", {"prices_include_tax": stored})
        assert prices_include_tax(session) is expected


def _flask(urls, *args):
    owner, runtime = urls
    env = {**os.environ, "FLASK_APP": "mpanel:create_app", "MPANEL_DATABASE_URL": runtime,
           "MPANEL_MIGRATION_DATABASE_URL": owner, "MPANEL_ENABLED_PLUGINS": "catalog"}
    result = subprocess.run([sys.executable, "-m", "flask", "mpanel", *args], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stdout + result.stderr


def _catalog_tables(owner_url):
    with psycopg.connect(libpq_url(owner_url)) as conn:
        return {r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE tablename LIKE 'catalog%'")}


@pytest.mark.slow
def test_the_migration_goes_up_and_down_completely():
    with fresh_database(f"mpanel_catalog_migrations_{os.getpid()}") as urls:
        _flask(urls, "db", "upgrade")
        assert len(_catalog_tables(urls[0])) == 21
        _flask(urls, "db", "downgrade", "--plugin", "catalog", "base")
        assert _catalog_tables(urls[0]) == set()
        _flask(urls, "db", "upgrade")
        assert len(_catalog_tables(urls[0])) == 21
