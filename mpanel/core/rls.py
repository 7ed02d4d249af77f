"""Row-level security for migrations: ``enable_rls(op, table)`` after creating
a tenant-owned table. Policies read the per-transaction settings
``mpanel.tenant_id`` and ``mpanel.customer_id`` through two SQL functions
created by the kernel's first migration.

Each policy calls them in a scalar subquery, ``(SELECT mpanel_current_tenant())``:
PostgreSQL then evaluates the setting once per query (an InitPlan) instead of once
per row, and can use it as an index condition."""

from __future__ import annotations

from mpanel.core.dbroles import APPEND_ONLY

FUNCTIONS = """
CREATE OR REPLACE FUNCTION mpanel_current_tenant() RETURNS integer LANGUAGE sql STABLE AS
$$ SELECT NULLIF(current_setting('mpanel.tenant_id', true), '')::integer $$;
CREATE OR REPLACE FUNCTION mpanel_current_customer() RETURNS integer LANGUAGE sql STABLE AS
$$ SELECT NULLIF(current_setting('mpanel.customer_id', true), '')::integer $$;
CREATE OR REPLACE FUNCTION mpanel_refuse_change() RETURNS trigger LANGUAGE plpgsql AS
$$ BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege'; END $$;
"""
DROP_FUNCTIONS = """
DROP FUNCTION IF EXISTS mpanel_refuse_change();
DROP FUNCTION IF EXISTS mpanel_current_customer();
DROP FUNCTION IF EXISTS mpanel_current_tenant();
"""


CURRENT_TENANT = "(SELECT mpanel_current_tenant())"
CURRENT_CUSTOMER = "(SELECT mpanel_current_customer())"


def policy_expression(optional: bool = False, customer_column: str | None = None) -> str:
    """Who may see a row. ``optional``: tenant_id NULL rows belong to the
    platform (no tenant in scope). ``customer_column``: with a customer in
    scope, only that customer's rows."""
    tenant = f"tenant_id IS NOT DISTINCT FROM {CURRENT_TENANT}" if optional else f"tenant_id = {CURRENT_TENANT}"
    if customer_column is None:
        return tenant
    return f"{tenant} AND ({CURRENT_CUSTOMER} IS NULL OR {customer_column} = {CURRENT_CUSTOMER})"


def enable_rls(op, table: str, optional: bool = False, customer_column: str | None = None) -> None:
    expression = policy_expression(optional, customer_column)
    op.execute(f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY')
    op.execute(f'ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY')
    op.execute(f'CREATE POLICY tenant_isolation ON "{table}" USING ({expression}) WITH CHECK ({expression})')


def disable_rls(op, table: str) -> None:
    op.execute(f'DROP POLICY IF EXISTS tenant_isolation ON "{table}"')
    op.execute(f'ALTER TABLE "{table}" NO FORCE ROW LEVEL SECURITY')
    op.execute(f'ALTER TABLE "{table}" DISABLE ROW LEVEL SECURITY')


def make_append_only(op, table: str) -> None:
    """Refuse UPDATE and DELETE for every role; grants drop them for the runtime role."""
    op.execute(f"COMMENT ON TABLE \"{table}\" IS '{APPEND_ONLY}'")
    op.execute(f'CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON "{table}" '
               "FOR EACH ROW EXECUTE FUNCTION mpanel_refuse_change()")
