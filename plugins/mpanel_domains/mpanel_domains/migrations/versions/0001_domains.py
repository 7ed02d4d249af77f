"""domains: domains, contacts, registrar actions, notices

Revision ID: 0001_domains
Revises:
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from mpanel.core import rls

revision = "0001_domains"
down_revision = None
branch_labels = None
depends_on = None

STATUSES = ("pending_registration", "pending_transfer", "active", "expired", "grace", "redemption",
            "transferred_away", "cancelled", "fraud")
CLOSED = ("transferred_away", "cancelled", "fraud")
ACTIONS = ("register", "transfer", "renew", "update_ns", "update_contacts", "lock", "id_protection")
ACTION_STATES = ("queued", "running", "done", "failed", "resolved")


def _one_of(column, values):
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _owned():
    """tenant_id and customer_id, as CustomerOwned declares them."""
    return [
        sa.Column("tenant_id", sa.Integer(), sa.ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False,
                  index=True),
        sa.Column("customer_id", sa.Integer(), sa.ForeignKey("customers.id", ondelete="CASCADE"), nullable=False,
                  index=True),
    ]


def _contact(name):
    return sa.Column(f"{name}_id", sa.Integer(), sa.ForeignKey("domains_contacts.id", ondelete="RESTRICT"),
                     index=True)


def upgrade():
    op.create_table(
        "domains_contacts",
        sa.Column("id", sa.Integer(), primary_key=True),
        *_owned(),
        sa.Column("first_name", sa.String(100), nullable=False),
        sa.Column("last_name", sa.String(100), nullable=False),
        sa.Column("company", sa.String(200)),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("phone", sa.String(20), nullable=False),
        sa.Column("address1", sa.String(200), nullable=False),
        sa.Column("address2", sa.String(200)),
        sa.Column("city", sa.String(100), nullable=False),
        sa.Column("postcode", sa.String(16), nullable=False),
        sa.Column("region", sa.String(100)),
        sa.Column("country", sa.String(2), nullable=False),
        sa.Column("registry_handles", postgresql.JSONB(), nullable=False, server_default="{}"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    rls.enable_rls(op, "domains_contacts", customer_column="customer_id")

    op.create_table(
        "domains_domains",
        sa.Column("id", sa.Integer(), primary_key=True),
        *_owned(),
        sa.Column("name", sa.String(253), nullable=False, index=True),
        sa.Column("tld", sa.String(63), nullable=False),
        sa.Column("registrar", sa.String(64), nullable=False),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("registered_at", sa.Date()),
        sa.Column("expires_at", sa.Date(), index=True),
        sa.Column("auto_renew", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("registrar_lock", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("id_protection", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("dns_management", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("nameservers", postgresql.ARRAY(sa.String(253)), nullable=False, server_default="{}"),
        sa.Column("auth_code", sa.Text()),
        _contact("registrant"), _contact("admin"), _contact("tech"), _contact("billing"),
        sa.Column("last_synced_at", sa.DateTime(timezone=True)),
        sa.Column("sync_error", sa.Text()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.CheckConstraint(_one_of("status", STATUSES), name="ck_domains_domains_status"),
    )
    op.create_index("uq_domains_domains_live_name", "domains_domains", ["tenant_id", "name"], unique=True,
                    postgresql_where=sa.text(f"NOT ({_one_of('status', CLOSED)})"))
    rls.enable_rls(op, "domains_domains", customer_column="customer_id")

    op.create_table(
        "domains_actions",
        sa.Column("id", sa.Integer(), primary_key=True),
        *_owned(),
        sa.Column("domain_id", sa.Integer(), sa.ForeignKey("domains_domains.id", ondelete="CASCADE"), nullable=False,
                  index=True),
        sa.Column("action", sa.String(24), nullable=False),
        sa.Column("params", postgresql.JSONB(), nullable=False, server_default="{}"),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("last_error", sa.Text()),
        sa.Column("reference", sa.String(200)),
        sa.Column("resolved_by", sa.String(320)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.CheckConstraint(_one_of("action", ACTIONS), name="ck_domains_actions_action"),
        sa.CheckConstraint(_one_of("status", ACTION_STATES), name="ck_domains_actions_status"),
    )
    op.create_index("uq_domains_actions_reference", "domains_actions", ["tenant_id", "reference"], unique=True,
                    postgresql_where=sa.text("reference IS NOT NULL"))
    rls.enable_rls(op, "domains_actions", customer_column="customer_id")

    op.create_table(
        "domains_notices",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("tenant_id", sa.Integer(), sa.ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False,
                  index=True),
        sa.Column("domain_id", sa.Integer(), sa.ForeignKey("domains_domains.id", ondelete="CASCADE"), nullable=False,
                  index=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("expires_at", sa.Date(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.UniqueConstraint("domain_id", "kind", "expires_at", name="uq_domains_notices_once"),
    )
    rls.enable_rls(op, "domains_notices")


def downgrade():
    for table in ("domains_notices", "domains_actions", "domains_domains", "domains_contacts"):
        op.drop_table(table)
