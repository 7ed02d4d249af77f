import psycopg
import pytest
from sqlalchemy import select

from mpanel.core.audit import AuditLog
from mpanel.core.tenancy import tenant_scope
from mpanel.extensions import db
from mpanel.testing.pytest_plugin import bearer


def test_crud_through_rest_is_audited_with_actor_and_changes(app, client, factory):
    t = factory.tenant()
    email = t.staff("Admin")
    token = t.api_token(client, email)
    created = client.post("/api/v1/customers/", base_url=t.host, headers=bearer(token), json={
        "first_name": "Ada", "last_name": "L", "email": "ada@example.com", "country": "GB", "currency": "GBP",
        "language": "en"})
    customer_id = created.get_json()["id"]
    client.put(f"/api/v1/customers/{customer_id}", base_url=t.host, headers=bearer(token),
               json={"last_name": "Lovelace"})
    client.delete(f"/api/v1/customers/{customer_id}", base_url=t.host, headers=bearer(token))
    with app.app_context(), tenant_scope(t.id):
        rows = db.session.scalars(select(AuditLog).where(AuditLog.object_type == "Customer",
                                                         AuditLog.object_id == str(customer_id))
                                  .order_by(AuditLog.id)).all()
        assert [r.action for r in rows] == ["create", "update", "delete"]
        assert all(r.actor == email for r in rows)
        assert rows[1].summary == {"last_name": ["L", "Lovelace"]}
        logins = db.session.scalars(select(AuditLog.action).where(AuditLog.actor == email)).all()
        assert "login" in logins


def test_failed_logins_are_audited(app, client, factory):
    t = factory.tenant()
    client.post("/api/v1/security/login", base_url=t.host, json={"username": "ghost@example.com", "password": "nope"})
    with app.app_context(), tenant_scope(t.id):
        rows = db.session.scalars(select(AuditLog).where(AuditLog.action == "login_failed")).all()
        assert any(r.summary.get("username") == "ghost@example.com" for r in rows)


def test_runtime_role_cannot_change_or_delete_audit_rows(factory, runtime_connection):
    t = factory.tenant()
    conn = runtime_connection
    with conn.transaction():
        conn.execute("SELECT set_config('mpanel.tenant_id', %s, true)", (str(t.id),))
        assert conn.execute("SELECT count(*) FROM audit_log").fetchone()[0] > 0
    for statement in ("UPDATE audit_log SET action = 'tampered'", "DELETE FROM audit_log", "TRUNCATE audit_log"):
        with pytest.raises(psycopg.errors.InsufficientPrivilege), conn.transaction():
            conn.execute("SELECT set_config('mpanel.tenant_id', %s, true)", (str(t.id),))
            conn.execute(statement)


def test_tenant_admins_see_only_their_audit_rows(client, factory):
    a, b = factory.tenant(), factory.tenant()
    b.api_token(client, b.staff("Admin"))
    token = a.api_token(client, a.staff("Admin"))
    rows = client.get("/api/v1/audit/?q=(page_size:100)", base_url=a.host, headers=bearer(token)).get_json()["result"]
    assert rows and all(b.slug not in (r["actor"] or "") for r in rows)
