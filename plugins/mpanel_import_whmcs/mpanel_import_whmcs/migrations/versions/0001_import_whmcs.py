"""import_whmcs: the id map and the import runs

Revision ID: 0001_import_whmcs
Revises:
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from mpanel.core import rls

revision = "0001_import_whmcs"
down_revision = None
branch_labels = None
depends_on = None


def _tenant():
    return sa.Column("tenant_id", sa.Integer(), sa.ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False,
                     index=True)


def upgrade():
    op.create_table(
        "import_whmcs_map",
        sa.Column("id", sa.Integer(), primary_key=True),
        _tenant(),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("target", sa.String(64), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("updated_at", sa.DateTime(timezone=True)),
        sa.UniqueConstraint("tenant_id", "source", "source_id"),
    )
    rls.enable_rls(op, "import_whmcs_map")
    op.create_table(
        "import_whmcs_runs",
        sa.Column("id", sa.Integer(), primary_key=True),
        _tenant(),
        sa.Column("status", sa.String(16), nullable=False, server_default="queued"),
        sa.Column("dry_run", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("source", sa.String(300), nullable=False),
        sa.Column("secret", sa.Text()),
        sa.Column("progress", postgresql.JSONB(), nullable=False, server_default="{}"),
        sa.Column("report", postgresql.JSONB()),
        sa.Column("error", sa.Text()),
        sa.Column("started_by", sa.String(320)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
    )
    rls.enable_rls(op, "import_whmcs_runs")


def downgrade():
    op.drop_table("import_whmcs_runs")
    op.drop_table("import_whmcs_map")
