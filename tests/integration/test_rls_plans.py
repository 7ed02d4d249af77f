"""RLS policies read the tenant setting once per query: PostgreSQL plans the
setting as an InitPlan and filters by its value, instead of calling
``current_setting`` for every row it reads."""

import pytest
from sqlalchemy import text

from mpanel.extensions import db


def _plan(conn, sql):
    return "\n".join(row[0] for row in conn.execute(f"EXPLAIN (COSTS OFF) {sql}"))


def test_every_policy_reads_the_settings_in_a_subquery(ctx):
    bare = db.session.execute(text(
        "SELECT tablename FROM pg_policies WHERE schemaname = current_schema() "
        "AND (coalesce(qual, '') || coalesce(with_check, '')) ~ '(?<!SELECT )mpanel_current_(tenant|customer)\\(\\)'"
    )).scalars().all()
    assert bare == []


@pytest.mark.parametrize("table", ["customers", "audit_log", "billing_invoices"])
def test_the_tenant_setting_is_evaluated_once_per_query(runtime_connection, factory, table):
    tenant = factory.tenant()
    conn = runtime_connection
    with conn.transaction():
        conn.execute("SELECT set_config('mpanel.tenant_id', %s, true)", (str(tenant.id),))
        plan = _plan(conn, f"SELECT count(*) FROM {table}")
    assert "InitPlan" in plan, plan
    assert "current_setting" not in plan.split("InitPlan")[0], plan
