"""What every request costs before its own work (issue 20): the scope, the tenant, the
user. Permissions come from the builtin roles in code; the user arrives with its roles
and groups in one statement."""

import re

import pytest
from sqlalchemy import event

from mpanel.extensions import db
from mpanel.testing.pytest_plugin import bearer

FIRST_FROM = re.compile(r"\bFROM\s+(\w+)", re.IGNORECASE)


@pytest.fixture
def statements(app):
    seen = []

    def before(_conn, _cursor, statement, *_args):
        match = FIRST_FROM.search(statement)
        seen.append(match.group(1) if match else statement.split()[0])

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    yield seen
    event.remove(engine, "before_cursor_execute", before)


def test_a_rest_read_runs_no_permission_queries(factory, client, statements):
    tenant = factory.tenant()
    customer = tenant.customer()
    token = tenant.api_token(client, tenant.staff("Owner"))
    statements.clear()
    response = client.get(f"/api/v1/customers/{customer}", base_url=tenant.host, headers=bearer(token))
    assert response.status_code == 200
    assert not {"ab_role", "ab_group", "ab_permission_view"} & set(statements), statements
    assert statements.count("ab_user") == 1
    # scope, tenant, its plugins and settings, the token's account, the user, the row
    assert len(statements) <= 7, statements


def test_a_signed_in_page_loads_the_user_once_with_its_roles(factory, client, statements):
    tenant = factory.tenant()
    email = tenant.staff("Owner")
    assert tenant.web_login(client, email).status_code == 302
    statements.clear()
    assert client.get("/staff/", base_url=tenant.host).status_code == 200
    assert not {"ab_role", "ab_group", "ab_permission_view"} & set(statements), statements
    assert statements.count("ab_user") == 1, statements


def test_anonymous_visitors_still_get_nothing_from_the_public_role(factory, client):
    tenant = factory.tenant()
    customer = tenant.customer()
    assert client.get(f"/api/v1/customers/{customer}", base_url=tenant.host).status_code == 401
    assert client.get("/customerview/list/", base_url=tenant.host).status_code in (302, 401, 403)
