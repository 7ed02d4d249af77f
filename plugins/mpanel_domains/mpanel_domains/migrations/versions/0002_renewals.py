"""domains: renewals billed once per domain and expiry date; the restore action

Revision ID: 0002_renewals
Revises: 0001_domains
"""

import sqlalchemy as sa
from alembic import op

from mpanel.core import rls

revision = "0002_renewals"
down_revision = "0001_domains"
branch_labels = None
depends_on = None

OLD_ACTIONS = ("register", "transfer", "renew", "update_ns", "update_contacts", "lock", "id_protection")
ACTIONS = (*OLD_ACTIONS, "restore")


def _one_of(column, values):
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _actions(values):
    op.drop_constraint("ck_domains_actions_action", "domains_actions", type_="check")
    op.create_check_constraint("ck_domains_actions_action", "domains_actions", _one_of("action", values))


def upgrade():
    _actions(ACTIONS)
    op.create_table(
        "domains_renewals",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("tenant_id", sa.Integer(), sa.ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False,
                  index=True),
        sa.Column("customer_id", sa.Integer(), sa.ForeignKey("customers.id", ondelete="CASCADE"), nullable=False,
                  index=True),
        sa.Column("domain_id", sa.Integer(), sa.ForeignKey("domains_domains.id", ondelete="CASCADE"), nullable=False,
                  index=True),
        sa.Column("expires_at", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("years", sa.Integer(), nullable=False, server_default="1"),
        sa.Column("late", sa.String(16)),
        sa.Column("invoice_id", sa.Integer(), index=True),
        sa.Column("action_id", sa.Integer(), sa.ForeignKey("domains_actions.id", ondelete="SET NULL"), index=True),
        sa.Column("note", sa.Text()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.UniqueConstraint("domain_id", "expires_at", "kind", name="uq_domains_renewals_once"),
        sa.CheckConstraint("kind IN ('renew', 'restore')", name="ck_domains_renewals_kind"),
    )
    rls.enable_rls(op, "domains_renewals", customer_column="customer_id")


def downgrade():
    op.drop_table("domains_renewals")
    # Row-level security would hide every tenant's rows from the DELETE: lift it for this one statement.
    op.execute("ALTER TABLE domains_actions NO FORCE ROW LEVEL SECURITY")
    op.execute("DELETE FROM domains_actions WHERE action = 'restore'")
    op.execute("ALTER TABLE domains_actions FORCE ROW LEVEL SECURITY")
    _actions(OLD_ACTIONS)
