"""domains: a cancelled renewal no longer blocks billing the same expiry again

Revision ID: 0003_renewal_cancelled
Revises: 0002_renewals
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_renewal_cancelled"
down_revision = "0002_renewals"
branch_labels = None
depends_on = None

COLUMNS = ["domain_id", "expires_at", "kind"]


def upgrade():
    op.add_column("domains_renewals", sa.Column("cancelled_at", sa.DateTime(timezone=True)))
    # Renewals whose invoice was cancelled before this column existed.
    op.execute("ALTER TABLE domains_renewals NO FORCE ROW LEVEL SECURITY")
    op.execute("UPDATE domains_renewals SET cancelled_at = now() WHERE note LIKE 'invoice cancelled:%'")
    op.execute("ALTER TABLE domains_renewals FORCE ROW LEVEL SECURITY")
    op.drop_constraint("uq_domains_renewals_once", "domains_renewals", type_="unique")
    op.create_index("uq_domains_renewals_once", "domains_renewals", COLUMNS, unique=True,
                    postgresql_where=sa.text("cancelled_at IS NULL"))


def downgrade():
    op.drop_index("uq_domains_renewals_once", "domains_renewals")
    # Keep the latest row of each key: the older ones were cancelled.
    op.execute("ALTER TABLE domains_renewals NO FORCE ROW LEVEL SECURITY")
    op.execute("DELETE FROM domains_renewals r USING domains_renewals newer WHERE newer.domain_id = r.domain_id "
               "AND newer.expires_at = r.expires_at AND newer.kind = r.kind AND newer.id > r.id")
    op.execute("ALTER TABLE domains_renewals FORCE ROW LEVEL SECURITY")
    op.create_unique_constraint("uq_domains_renewals_once", "domains_renewals", COLUMNS)
    op.drop_column("domains_renewals", "cancelled_at")
