"""Trying to break tenant isolation: ORM, raw SQL, admin views and REST."""

import psycopg
import pytest
from sqlalchemy import func, select, text, update

from mpanel.core.tenancy import TenantScopeError, tenant_scope
from mpanel.extensions import db
from mpanel.modules.customers.models import Customer
from mpanel.testing.pytest_plugin import bearer


@pytest.fixture
def two_tenants(factory):
    a, b = factory.tenant(), factory.tenant()
    return a, a.customer(last_name="OfA"), b, b.customer(last_name="OfB")


def test_orm_sees_only_the_tenant_in_scope(ctx, two_tenants):
    a, cust_a, b, cust_b = two_tenants
    with tenant_scope(a.id):
        ids = set(db.session.scalars(select(Customer.id)))
        assert cust_a in ids and cust_b not in ids
        assert db.session.get(Customer, cust_b) is None
        # A bulk update aimed at B's row changes nothing.
        result = db.session.execute(update(Customer).where(Customer.id == cust_b).values(last_name="X"))
        assert result.rowcount == 0


def test_orm_raises_without_a_tenant(ctx, two_tenants):
    with pytest.raises(TenantScopeError):
        db.session.scalars(select(Customer)).all()


def test_orm_refuses_a_row_for_another_tenant(ctx, two_tenants):
    a, _, b, _ = two_tenants
    with tenant_scope(a.id):
        db.session.add(Customer(tenant_id=b.id, first_name="x", last_name="y", email="x@y.z", country="DE",
                                currency="EUR"))
        with pytest.raises(TenantScopeError):
            db.session.flush()


def _set(conn, tenant_id):
    conn.execute("SELECT set_config('mpanel.tenant_id', %s, true)", (str(tenant_id),))


def test_raw_sql_as_runtime_role_cannot_cross_tenants(runtime_connection, two_tenants):
    a, cust_a, b, cust_b = two_tenants
    conn = runtime_connection
    with conn.transaction():
        _set(conn, a.id)
        assert conn.execute("SELECT count(*) FROM customers WHERE id = %s", (cust_b,)).fetchone()[0] == 0
        assert conn.execute("UPDATE customers SET last_name = 'pwned' WHERE id = %s", (cust_b,)).rowcount == 0
        assert conn.execute("DELETE FROM customers WHERE id = %s", (cust_b,)).rowcount == 0
        assert conn.execute("SELECT count(*) FROM customers WHERE id = %s", (cust_a,)).fetchone()[0] == 1
    with pytest.raises(psycopg.errors.InsufficientPrivilege), conn.transaction():
        _set(conn, a.id)
        conn.execute("INSERT INTO customers (tenant_id, first_name, last_name, email, country, currency, language,"
                     " tax_exempt, active) VALUES (%s, 'e', 'vil', 'e@vil', 'DE', 'EUR', 'en', false, true)", (b.id,))
    with pytest.raises(psycopg.errors.InsufficientPrivilege), conn.transaction():
        _set(conn, a.id)
        conn.execute("UPDATE customers SET tenant_id = %s WHERE id = %s", (b.id, cust_a))
    with conn.transaction():
        _set(conn, b.id)
        assert conn.execute("SELECT last_name FROM customers WHERE id = %s", (cust_b,)).fetchone()[0] == "OfB"


def test_no_tenant_set_means_zero_rows(runtime_connection, two_tenants):
    conn = runtime_connection
    for table in ("customers", "tenant_plugins", "outbox", "tenant_settings"):
        assert conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0, table


def test_runtime_role_cannot_bypass_or_disable_rls(runtime_connection):
    conn = runtime_connection
    role = conn.execute("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user").fetchone()
    assert role == (False, False)
    owned = conn.execute("SELECT count(*) FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner "
                         "WHERE r.rolname = current_user").fetchone()[0]
    assert owned == 0
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("ALTER TABLE customers DISABLE ROW LEVEL SECURITY")


def test_every_table_with_tenant_id_has_forced_rls(app, ctx):
    rows = db.session.execute(text(
        "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity, "
        "  (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid) "
        "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped "
        "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')")).all()
    assert len(rows) >= 8
    missing = [name for name, enabled, forced, policies in rows if not (enabled and forced and policies)]
    assert missing == []


def test_rest_returns_404_for_another_tenants_object(client, two_tenants):
    a, cust_a, b, cust_b = two_tenants
    token = a.api_token(client, a.staff("Owner"))
    assert client.get(f"/api/v1/customers/{cust_a}", base_url=a.host, headers=bearer(token)).status_code == 200
    for method in ("get", "put", "delete"):
        kwargs = {"json": {"last_name": "pwned"}} if method == "put" else {}
        response = getattr(client, method)(f"/api/v1/customers/{cust_b}", base_url=a.host, headers=bearer(token),
                                           **kwargs)
        assert response.status_code == 404, (method, response.get_json())
    listing = client.get("/api/v1/customers/", base_url=a.host, headers=bearer(token)).get_json()
    assert {row["id"] for row in listing["result"]} == {cust_a}
    # A token of tenant A used on B's host still acts as tenant A only.
    assert client.get(f"/api/v1/customers/{cust_b}", base_url=b.host, headers=bearer(token)).status_code == 404


def test_rest_create_lands_in_the_callers_tenant(app, client, two_tenants):
    a, _, b, _ = two_tenants
    token = a.api_token(client, a.staff("Owner"))
    response = client.post("/api/v1/customers/", base_url=a.host, headers=bearer(token),
                           json={"first_name": "N", "last_name": "Ew", "email": "new@example.com", "country": "FR",
                                 "currency": "EUR", "language": "fr"})
    assert response.status_code == 201, response.get_json()
    new_id = response.get_json()["id"]
    with app.app_context():
        with tenant_scope(b.id):
            assert db.session.get(Customer, new_id) is None
        with tenant_scope(a.id):
            assert db.session.get(Customer, new_id).tenant_id == a.id


def test_admin_views_do_not_show_or_open_another_tenants_rows(client, two_tenants):
    a, cust_a, b, cust_b = two_tenants
    a.web_login(client, a.staff("Owner"))
    listing = client.get("/customerview/list/", base_url=a.host)
    assert listing.status_code == 200
    assert "OfA" in listing.get_data(as_text=True) and "OfB" not in listing.get_data(as_text=True)
    assert client.get(f"/customerview/show/{cust_b}", base_url=a.host).status_code == 404
    assert client.get(f"/customerview/edit/{cust_b}", base_url=a.host).status_code == 404


def test_unknown_host_is_not_found(client):
    assert client.get("/login/", base_url="http://nobody-here.localhost").status_code == 404


def test_customer_sees_only_its_own_account(app, client, factory):
    t = factory.tenant()
    mine, other = t.customer(last_name="Mine"), t.customer(last_name="Other")
    token = t.api_token(client, t.contact(mine))
    account = client.get("/api/v1/client/account", base_url=t.host, headers=bearer(token))
    assert account.status_code == 200 and account.get_json()["result"]["id"] == mine
    # Staff endpoints are closed to contacts, whatever the id.
    assert client.get(f"/api/v1/customers/{other}", base_url=t.host, headers=bearer(token)).status_code in (401, 403)
    assert client.get("/api/v1/customers/", base_url=t.host, headers=bearer(token)).status_code in (401, 403)
    # And the database itself hides the other customer when the customer scope is set.
    with app.app_context(), tenant_scope(t.id, customer_id=mine):
        assert db.session.scalar(select(func.count(Customer.id))) == 1
        assert db.session.get(Customer, other) is None
