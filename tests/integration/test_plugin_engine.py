"""The plugin engine, proven with the fixture plugin in tests/fixtures/testplugin."""

import json
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select

from mpanel.core.plugins import migrations
from mpanel.core.plugins.engine import PluginError, discover, load_plugins
from mpanel.core.settings import get_settings, set_settings
from mpanel.core.tenancy import tenant_scope
from mpanel.extensions import db
from mpanel.testing.pytest_plugin import bearer

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def test_fixture_plugin_is_discovered_through_its_entry_point(app):
    assert discover()["testplugin"].value == "mpanel_testplugin.plugin:TestPlugin"
    assert "testplugin" in app.extensions["mpanel_plugins"]


def test_plugin_migrates_down_and_up(app, ctx):
    def tables():
        return set(inspect(db.engine).get_table_names())

    assert "testplugin_notes" in tables()
    migrations.downgrade("testplugin", "base")
    db.engine.dispose()
    assert "testplugin_notes" not in tables()
    migrations.upgrade_all()
    db.engine.dispose()
    assert "testplugin_notes" in tables()


def test_views_and_rest_of_the_plugin_work_per_tenant(client, factory):
    a, b = factory.tenant(), factory.tenant()
    token_a = a.api_token(client, a.staff("Owner"))
    created = client.post("/api/v1/notes/", base_url=a.host, headers=bearer(token_a), json={"text": "hello"})
    assert created.status_code == 201, created.get_json()
    token_b = b.api_token(client, b.staff("Owner"))
    assert client.get(f"/api/v1/notes/{created.get_json()['id']}", base_url=b.host,
                      headers=bearer(token_b)).status_code == 404
    a.web_login(client, a.staff("Owner"))
    assert "hello" in client.get("/noteview/list/", base_url=a.host).get_data(as_text=True)


def test_plugin_role_permissions_apply(client, factory):
    t = factory.tenant()
    support = t.api_token(client, t.staff("Support"))
    assert client.get("/api/v1/notes/", base_url=t.host, headers=bearer(support)).status_code == 200
    denied = client.post("/api/v1/notes/", base_url=t.host, headers=bearer(support), json={"text": "no"})
    assert denied.status_code == 403


def test_receiver_fires_only_for_tenants_that_activated_the_plugin(client, factory):
    from mpanel_testplugin.receivers import received

    with_plugin, without = factory.tenant(plugins=["testplugin"]), factory.tenant(plugins=[])
    for tenant in (with_plugin, without):
        token = tenant.api_token(client, tenant.staff("Owner"))
        response = client.post("/api/v1/customers/", base_url=tenant.host, headers=bearer(token), json={
            "first_name": "A", "last_name": "B", "email": "ab@example.com", "country": "DE", "currency": "EUR",
            "language": "en"})
        assert response.status_code == 201, response.get_json()
    tenants_seen = {tenant_id for tenant_id, _ in received}
    assert with_plugin.id in tenants_seen
    assert without.id not in tenants_seen


def test_task_runs_in_the_given_tenant_only(app, factory):
    from mpanel_testplugin.models import Note
    from mpanel_testplugin.tasks import count_notes

    a, b = factory.tenant(), factory.tenant()
    factory.commit(lambda s: s.add_all([Note(text="1"), Note(text="2")]), a.id)
    factory.commit(lambda s: s.add(Note(text="3")), b.id)
    assert count_notes(a.id)() == 2
    assert count_notes(b.id)() == 1


@pytest.fixture
def catalogue_with_an_uninstalled_plugin(app, tmp_path):
    path = tmp_path / "catalogue.json"
    path.write_text(json.dumps([{"name": "provisioning_example", "title": "Example panel", "description": "x",
                                 "version": "1.0", "category": "provisioning", "kernel": ">=0.1"}]))
    app.config["PLUGIN_CATALOGUE"] = str(path)
    yield
    app.config["PLUGIN_CATALOGUE"] = ""


def test_activation_per_tenant_via_marketplace_api(app, client, factory, catalogue_with_an_uninstalled_plugin):
    from mpanel.core.plugins.engine import active_plugin_names

    t = factory.tenant(plugins=[])
    token = t.api_token(client, t.staff("Owner"))
    listing = client.get("/api/v1/marketplace/", base_url=t.host, headers=bearer(token)).get_json()["result"]
    entry = next(e for e in listing if e["name"] == "testplugin")
    assert entry["installed"] and not entry["active"]
    available = next(e for e in listing if e["name"] == "provisioning_example")
    assert not available["installed"] and not available["active"]
    response = client.post("/api/v1/marketplace/testplugin/activate", base_url=t.host, headers=bearer(token))
    assert response.status_code == 200
    with app.app_context(), tenant_scope(t.id):
        assert "testplugin" in active_plugin_names(db.session)
    missing = client.post("/api/v1/marketplace/nonexistent/activate", base_url=t.host, headers=bearer(token))
    assert missing.status_code == 400 and "nonexistent" in str(missing.get_json())
    support = t.api_token(client, t.staff("Support"))
    assert client.post("/api/v1/marketplace/testplugin/deactivate", base_url=t.host,
                       headers=bearer(support)).status_code == 403


def test_secret_settings_are_encrypted_at_rest(app, factory, runtime_connection):
    t = factory.tenant()
    factory.commit(lambda s: set_settings(s, "testplugin", {"greeting": "hi", "api_secret": "s3cr3t"},
                                          secret_keys={"api_secret"}), t.id)
    with app.app_context(), tenant_scope(t.id):
        values = get_settings(db.session, "testplugin", {"greeting": "hello", "api_secret": ""})
        assert values == {"greeting": "hi", "api_secret": "s3cr3t"}
    with runtime_connection.transaction():
        runtime_connection.execute("SELECT set_config('mpanel.tenant_id', %s, true)", (str(t.id),))
        stored = runtime_connection.execute(
            "SELECT value::text FROM tenant_settings WHERE key = 'api_secret'").fetchone()[0]
    assert "s3cr3t" not in stored


def test_cli_enables_and_disables_for_one_tenant(app, factory):
    from mpanel.core.plugins.engine import active_plugin_names

    t = factory.tenant(plugins=[])
    runner = app.test_cli_runner()
    result = runner.invoke(args=["mpanel", "plugins", "enable", "testplugin", "--tenant", t.slug])
    assert result.exit_code == 0, result.output
    with app.app_context(), tenant_scope(t.id):
        assert active_plugin_names(db.session) == {"testplugin"}
    assert runner.invoke(args=["mpanel", "plugins", "disable", "testplugin", "--tenant", t.slug]).exit_code == 0
    with app.app_context(), tenant_scope(t.id):
        assert active_plugin_names(db.session) == set()
    listed = runner.invoke(args=["mpanel", "plugins", "list"])
    assert "testplugin" in listed.output and "loaded" in listed.output
    bad = runner.invoke(args=["mpanel", "plugins", "enable", "testplugin", "--tenant", "no-such-tenant"])
    assert bad.exit_code != 0 and "no-such-tenant" in bad.output


@pytest.fixture
def broken_plugin_installed():
    path = str(FIXTURES / "brokenplugin")
    sys.path.insert(0, path)
    yield
    sys.path.remove(path)


def test_broken_plugin_stops_the_start_naming_it(broken_plugin_installed, app_config):
    from mpanel import create_app

    with pytest.raises(PluginError, match=r"brokenplugin.*cannot be imported"):
        create_app({**app_config, "ENABLED_PLUGINS": ["testplugin", "brokenplugin"]})


def test_missing_plugin_stops_the_start_naming_it():
    with pytest.raises(PluginError, match=r"'ghost'.*not installed"):
        load_plugins(["ghost"])


def test_notes_count_sql_matches(ctx, factory):
    from mpanel_testplugin.models import Note

    t = factory.tenant()
    factory.commit(lambda s: s.add(Note(text="x")), t.id)
    with tenant_scope(t.id):
        assert db.session.scalar(select(func.count(Note.id))) == 1


def test_a_plugin_the_tenant_has_not_activated_is_not_there(client, factory):
    t = factory.tenant(plugins=[])
    token = t.api_token(client, t.staff("Owner"))
    assert client.get("/api/v1/notes/", base_url=t.host, headers=bearer(token)).status_code == 404
    assert client.get("/api/v1/customers/", base_url=t.host, headers=bearer(token)).status_code == 200  # kernel
    t.web_login(client, t.staff("Owner"))
    assert client.get("/noteview/list/", base_url=t.host).status_code == 404
    active = factory.tenant(plugins=["testplugin"])
    token = active.api_token(client, active.staff("Owner"))
    assert client.get("/api/v1/notes/", base_url=active.host, headers=bearer(token)).status_code == 200
