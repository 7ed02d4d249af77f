"""account security: second factor, devices, one-time tokens, web sessions, API keys

Revision ID: 0002_security
Revises: 0001_kernel
Create Date: 2026-11-24 09:00:00

"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from mpanel.core import rls

revision = "0002_security"
down_revision = "0001_kernel"
branch_labels = None
depends_on = None

TABLES = ("security_accounts", "security_recovery_codes", "security_devices", "security_tokens", "web_sessions")

# An API key names its tenant only through its own row, which row-level security
# hides until a tenant is in scope. Rather than a second, unprotected table of
# hashes, the migration (owner) role may read api_keys through one extra SELECT
# policy, and the runtime role reaches that only through this function: given a
# key's hash it returns the key's tenant and customer, nothing else.
LOOKUP = """
CREATE POLICY api_key_lookup ON api_keys FOR SELECT TO CURRENT_USER USING (true);
CREATE FUNCTION mpanel_api_key_scope(p_key_hash text)
RETURNS TABLE (tenant_id integer, customer_id integer)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS
$$ SELECT k.tenant_id, k.customer_id FROM api_keys k WHERE k.key_hash = p_key_hash $$;
"""


def _owned(name, *columns, **kwargs):
    op.create_table(
        name,
        *columns,
        sa.Column("tenant_id", sa.Integer(), sa.ForeignKey("tenants.id", ondelete="CASCADE"),
                  nullable=kwargs.get("tenant_nullable", True)),
    )
    op.create_index(f"ix_{name}_tenant_id", name, ["tenant_id"])


def _user_fk(primary_key=False):
    return sa.Column("user_id", sa.Integer(), sa.ForeignKey("ab_user.id", ondelete="CASCADE"), nullable=False,
                     primary_key=primary_key, index=not primary_key)


def _when(name, nullable=True, now=False):
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable,
                     server_default=sa.text("now()") if now else None)


def upgrade():
    _owned("security_accounts", _user_fk(primary_key=True),
           sa.Column("totp_secret", sa.String(300)), _when("totp_confirmed_at"),
           sa.Column("totp_last_step", sa.BigInteger()),
           sa.Column("failed_logins", sa.Integer(), nullable=False, server_default="0"),
           _when("locked_until"), _when("tokens_valid_after"))
    _owned("security_recovery_codes", sa.Column("id", sa.Integer(), primary_key=True), _user_fk(),
           sa.Column("code_hash", sa.String(64), nullable=False), _when("used_at"))
    _owned("security_devices", sa.Column("id", sa.Integer(), primary_key=True), _user_fk(),
           sa.Column("token_hash", sa.String(64), nullable=False), sa.UniqueConstraint("user_id", "token_hash"),
           _when("created_at", False, True), _when("last_seen_at", False, True),
           sa.Column("ip", sa.String(45)), sa.Column("user_agent", sa.String(300)),
           _when("trusted_until"), _when("revoked_at"))
    _owned("security_tokens", sa.Column("id", sa.Integer(), primary_key=True), _user_fk(),
           sa.Column("purpose", sa.String(16), nullable=False),
           sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
           _when("created_at", False, True), _when("expires_at", False), _when("used_at"),
           sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"), sa.Column("ip", sa.String(45)))
    _owned("web_sessions", sa.Column("id", sa.Integer(), primary_key=True), _user_fk(),
           sa.Column("sid_hash", sa.String(64), nullable=False, unique=True),
           _when("created_at", False, True), _when("last_seen_at", False, True),
           sa.Column("ip", sa.String(45)), sa.Column("user_agent", sa.String(300)), _when("revoked_at"))
    _owned("api_keys", sa.Column("id", sa.Integer(), primary_key=True), _user_fk(),
           sa.Column("customer_id", sa.Integer(), sa.ForeignKey("customers.id", ondelete="CASCADE"), index=True),
           sa.Column("name", sa.String(100), nullable=False), sa.Column("prefix", sa.String(16), nullable=False),
           sa.Column("key_hash", sa.String(64), nullable=False, unique=True),
           sa.Column("scopes", postgresql.ARRAY(sa.String(32)), nullable=False),
           sa.Column("allowed_ips", postgresql.ARRAY(postgresql.CIDR()), nullable=False, server_default="{}"),
           _when("created_at", False, True), _when("expires_at"), _when("last_used_at"),
           sa.Column("last_used_ip", sa.String(45)), _when("revoked_at"),
           tenant_nullable=False)
    for table in TABLES:
        rls.enable_rls(op, table, optional=True)
    rls.enable_rls(op, "api_keys", customer_column="customer_id")
    op.execute(LOOKUP)


def downgrade():
    op.execute("DROP FUNCTION IF EXISTS mpanel_api_key_scope(text)")
    for table in ("api_keys", *reversed(TABLES)):
        op.drop_table(table)
