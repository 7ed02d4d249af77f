"""RLS policies read the tenant and customer settings once per query (an InitPlan), not once per row

Revision ID: 0005_rls_once_per_query
Revises: 0004_accounts
Create Date: 2026-12-02 08:40:00

Plugin tables that exist already (an upgrade) are rewritten here, because the kernel
migrates first; tables that plugins create later get the new form from ``rls.enable_rls``.
"""
import re

from alembic import op
from sqlalchemy import text

revision = "0005_rls_once_per_query"
down_revision = "0004_accounts"
branch_labels = None
depends_on = None

_BARE_CALL = re.compile(r"(?<!SELECT )\b(mpanel_current_(?:tenant|customer))\(\)")
_SUBQUERY = re.compile(r"\(\s*SELECT (mpanel_current_(?:tenant|customer))\(\)(?: AS \w+)?\s*\)")


def _rewrite(change):
    policies = op.get_bind().execute(text(
        "SELECT tablename, policyname, qual, with_check FROM pg_policies "
        "WHERE schemaname = current_schema() AND (qual LIKE '%mpanel_current_%' OR with_check LIKE '%mpanel_current_%')"))
    for table, policy, using, check in policies:
        clauses = [f"USING ({change(using)})" if using else "", f"WITH CHECK ({change(check)})" if check else ""]
        op.execute(f'ALTER POLICY "{policy}" ON "{table}" {" ".join(clauses)}')


def upgrade():
    _rewrite(lambda expression: _BARE_CALL.sub(r"(SELECT \1())", expression))


def downgrade():
    _rewrite(lambda expression: _SUBQUERY.sub(r"\1()", expression))
