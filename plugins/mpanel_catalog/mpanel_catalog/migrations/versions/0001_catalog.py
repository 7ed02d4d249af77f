"""catalogue tables

Revision ID: 0001_catalog
Revises:
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from mpanel.core import rls

revision = "0001_catalog"
down_revision = None
branch_labels = None
depends_on = None

# In creation order (parents first); every one is tenant-owned and gets row-level security.
TABLES = [
    "catalog_addons",
    "catalog_bundles",
    "catalog_customer_groups",
    "catalog_option_groups",
    "catalog_product_groups",
    "catalog_tlds",
    "catalog_coupons",
    "catalog_customer_group_members",
    "catalog_options",
    "catalog_products",
    "catalog_tld_fees",
    "catalog_tld_prices",
    "catalog_addon_products",
    "catalog_bundle_items",
    "catalog_coupon_products",
    "catalog_coupon_redemptions",
    "catalog_option_choices",
    "catalog_option_group_products",
    "catalog_product_translations",
    "catalog_product_upgrades",
    "catalog_prices",
]
# Rows of one customer: a contact signed in to the client area sees only its own.
CUSTOMER_COLUMNS = {"catalog_customer_group_members": "customer_id", "catalog_coupon_redemptions": "customer_id"}


def upgrade():
    op.create_table('catalog_addons',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('hidden', sa.Boolean(), nullable=False),
    sa.Column('tax_class', sa.String(length=64), nullable=True),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_catalog_addons_tenant_id'), 'catalog_addons', ['tenant_id'], unique=False)
    op.create_table('catalog_bundles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('slug', sa.String(length=100), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('hidden', sa.Boolean(), nullable=False),
    sa.Column('tax_class', sa.String(length=64), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('tenant_id', 'slug', name='uq_catalog_bundles_slug')
    )
    op.create_index(op.f('ix_catalog_bundles_tenant_id'), 'catalog_bundles', ['tenant_id'], unique=False)
    op.create_table('catalog_customer_groups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('discount_percent', sa.Numeric(precision=7, scale=4), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('discount_percent >= 0 AND discount_percent <= 100', name='ck_catalog_customer_groups_pct'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_catalog_customer_groups_tenant_id'), 'catalog_customer_groups', ['tenant_id'], unique=False)
    op.create_table('catalog_option_groups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_catalog_option_groups_tenant_id'), 'catalog_option_groups', ['tenant_id'], unique=False)
    op.create_table('catalog_product_groups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('slug', sa.String(length=100), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.Column('hidden', sa.Boolean(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('tenant_id', 'slug', name='uq_catalog_product_groups_slug')
    )
    op.create_index(op.f('ix_catalog_product_groups_tenant_id'), 'catalog_product_groups', ['tenant_id'], unique=False)
    op.create_table('catalog_tlds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=63), nullable=False),
    sa.Column('kind', sa.Enum('gtld', 'cctld', name='catalog_tld_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('epp_code_required', sa.Boolean(), nullable=False),
    sa.Column('registrar', sa.String(length=64), nullable=True),
    sa.Column('grace_days', sa.Integer(), nullable=False),
    sa.Column('redemption_days', sa.Integer(), nullable=False),
    sa.Column('hidden', sa.Boolean(), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('grace_days >= 0 AND redemption_days >= 0', name='ck_catalog_tlds_days'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('tenant_id', 'name', name='uq_catalog_tlds_name')
    )
    op.create_index(op.f('ix_catalog_tlds_tenant_id'), 'catalog_tlds', ['tenant_id'], unique=False)
    op.create_table('catalog_coupons',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('kind', sa.Enum('percent', 'fixed', 'override', 'free_setup', name='catalog_coupon_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('value', sa.Numeric(precision=20, scale=4), server_default='0', nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=True),
    sa.Column('duration', sa.Enum('once', 'repeating', 'forever', name='catalog_coupon_duration', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('duration_cycles', sa.Integer(), nullable=True),
    sa.Column('cycles', sa.String(length=200), nullable=False),
    sa.Column('customer_group_id', sa.Integer(), nullable=True),
    sa.Column('customer_id', sa.Integer(), nullable=True),
    sa.Column('new_customers_only', sa.Boolean(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('max_uses', sa.Integer(), nullable=True),
    sa.Column('max_uses_per_customer', sa.Integer(), nullable=True),
    sa.Column('uses', sa.Integer(), nullable=False),
    sa.Column('stackable', sa.Boolean(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('uses >= 0 AND (max_uses IS NULL OR uses <= max_uses)', name='ck_catalog_coupons_uses'),
    sa.CheckConstraint('value >= 0', name='ck_catalog_coupons_value'),
    sa.ForeignKeyConstraint(['customer_group_id'], ['catalog_customer_groups.id'], ),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_catalog_coupons_customer_group_id'), 'catalog_coupons', ['customer_group_id'], unique=False)
    op.create_index(op.f('ix_catalog_coupons_customer_id'), 'catalog_coupons', ['customer_id'], unique=False)
    op.create_index(op.f('ix_catalog_coupons_tenant_id'), 'catalog_coupons', ['tenant_id'], unique=False)
    op.create_index('uq_catalog_coupons_code', 'catalog_coupons', ['tenant_id', sa.text("upper(code)")], unique=True)
    op.create_table('catalog_customer_group_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['group_id'], ['catalog_customer_groups.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('customer_id', name='uq_catalog_customer_group_members_customer')
    )
    op.create_index(op.f('ix_catalog_customer_group_members_customer_id'), 'catalog_customer_group_members', ['customer_id'], unique=False)
    op.create_index(op.f('ix_catalog_customer_group_members_group_id'), 'catalog_customer_group_members', ['group_id'], unique=False)
    op.create_index(op.f('ix_catalog_customer_group_members_tenant_id'), 'catalog_customer_group_members', ['tenant_id'], unique=False)
    op.create_table('catalog_options',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.Enum('dropdown', 'radio', 'yesno', 'quantity', name='catalog_option_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('min_quantity', sa.Integer(), nullable=False),
    sa.Column('max_quantity', sa.Integer(), nullable=True),
    sa.Column('step', sa.Integer(), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.Column('hidden', sa.Boolean(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('min_quantity >= 0 AND step >= 1 AND (max_quantity IS NULL OR max_quantity >= min_quantity)', name='ck_catalog_options_quantity'),
    sa.ForeignKeyConstraint(['group_id'], ['catalog_option_groups.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_catalog_options_group_id'), 'catalog_options', ['group_id'], unique=False)
    op.create_index(op.f('ix_catalog_options_tenant_id'), 'catalog_options', ['tenant_id'], unique=False)
    op.create_table('catalog_products',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('type', sa.Enum('shared_hosting', 'reseller_hosting', 'vps', 'dedicated_server', 'domain', 'ssl_certificate', 'licence', 'other', name='catalog_product_type', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('welcome_email', sa.String(length=100), nullable=True),
    sa.Column('hidden', sa.Boolean(), nullable=False),
    sa.Column('retired', sa.Boolean(), nullable=False),
    sa.Column('stock_control', sa.Boolean(), nullable=False),
    sa.Column('stock_quantity', sa.Integer(), nullable=False),
    sa.Column('allow_multiple', sa.Boolean(), nullable=False),
    sa.Column('trial_days', sa.Integer(), nullable=True),
    sa.Column('provisioning_module', sa.String(length=64), nullable=True),
    sa.Column('provisioning_settings', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('tax_class', sa.String(length=64), nullable=True),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('stock_quantity >= 0', name='ck_catalog_products_stock'),
    sa.CheckConstraint('trial_days IS NULL OR trial_days > 0', name='ck_catalog_products_trial'),
    sa.ForeignKeyConstraint(['group_id'], ['catalog_product_groups.id'], ),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_catalog_products_group_id'), 'catalog_products', ['group_id'], unique=False)
    op.create_index(op.f('ix_catalog_products_tenant_id'), 'catalog_products', ['tenant_id'], unique=False)
    op.create_table('catalog_tld_fees',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tld_id', sa.Integer(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('icann_fee', sa.Numeric(precision=20, scale=4), nullable=True),
    sa.Column('grace_fee', sa.Numeric(precision=20, scale=4), server_default='0', nullable=False),
    sa.Column('redemption_fee', sa.Numeric(precision=20, scale=4), server_default='0', nullable=False),
    sa.Column('id_protection', sa.Numeric(precision=20, scale=4), server_default='0', nullable=False),
    sa.Column('dns_management', sa.Numeric(precision=20, scale=4), server_default='0', nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('(icann_fee IS NULL OR icann_fee >= 0) AND grace_fee >= 0 AND redemption_fee >= 0 AND id_protection >= 0 AND dns_management >= 0', name='ck_catalog_tld_fees_not_negative'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tld_id'], ['catalog_tlds.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('tld_id', 'currency', name='uq_catalog_tld_fees_currency')
    )
    op.create_index(op.f('ix_catalog_tld_fees_tenant_id'), 'catalog_tld_fees', ['tenant_id'], unique=False)
    op.create_index(op.f('ix_catalog_tld_fees_tld_id'), 'catalog_tld_fees', ['tld_id'], unique=False)
    op.create_table('catalog_tld_prices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tld_id', sa.Integer(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('action', sa.Enum('register', 'transfer', 'renew', name='catalog_tld_action', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('years', sa.Integer(), nullable=False),
    sa.Column('cost', sa.Numeric(precision=20, scale=4), nullable=True),
    sa.Column('price', sa.Numeric(precision=20, scale=4), server_default='0', nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('price >= 0 AND (cost IS NULL OR cost >= 0)', name='ck_catalog_tld_prices_not_negative'),
    sa.CheckConstraint('years BETWEEN 1 AND 10', name='ck_catalog_tld_prices_years'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tld_id'], ['catalog_tlds.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('tld_id', 'currency', 'action', 'years', name='uq_catalog_tld_prices_key')
    )
    op.create_index(op.f('ix_catalog_tld_prices_tenant_id'), 'catalog_tld_prices', ['tenant_id'], unique=False)
    op.create_index(op.f('ix_catalog_tld_prices_tld_id'), 'catalog_tld_prices', ['tld_id'], unique=False)
    op.create_table('catalog_addon_products',
    sa.Column('tenant_id', sa.Integer(), server_default=sa.text('mpanel_current_tenant()'), nullable=False),
    sa.Column('addon_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['addon_id'], ['catalog_addons.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['product_id'], ['catalog_products.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('addon_id', 'product_id')
    )
    op.create_index(op.f('ix_catalog_addon_products_tenant_id'), 'catalog_addon_products', ['tenant_id'], unique=False)
    op.create_table('catalog_bundle_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bundle_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('cycle', sa.Enum('onetime', 'monthly', 'quarterly', 'semiannually', 'annually', 'biennially', 'triennially', name='catalog_cycle', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('quantity >= 1', name='ck_catalog_bundle_items_quantity'),
    sa.ForeignKeyConstraint(['bundle_id'], ['catalog_bundles.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['product_id'], ['catalog_products.id'], ),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_catalog_bundle_items_bundle_id'), 'catalog_bundle_items', ['bundle_id'], unique=False)
    op.create_index(op.f('ix_catalog_bundle_items_product_id'), 'catalog_bundle_items', ['product_id'], unique=False)
    op.create_index(op.f('ix_catalog_bundle_items_tenant_id'), 'catalog_bundle_items', ['tenant_id'], unique=False)
    op.create_table('catalog_coupon_products',
    sa.Column('tenant_id', sa.Integer(), server_default=sa.text('mpanel_current_tenant()'), nullable=False),
    sa.Column('coupon_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['coupon_id'], ['catalog_coupons.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['product_id'], ['catalog_products.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('coupon_id', 'product_id')
    )
    op.create_index(op.f('ix_catalog_coupon_products_tenant_id'), 'catalog_coupon_products', ['tenant_id'], unique=False)
    op.create_table('catalog_coupon_redemptions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('coupon_id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=100), nullable=False),
    sa.Column('redeemed_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['coupon_id'], ['catalog_coupons.id'], ),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('coupon_id', 'reference', name='uq_catalog_coupon_redemptions_reference')
    )
    op.create_index(op.f('ix_catalog_coupon_redemptions_coupon_id'), 'catalog_coupon_redemptions', ['coupon_id'], unique=False)
    op.create_index(op.f('ix_catalog_coupon_redemptions_customer_id'), 'catalog_coupon_redemptions', ['customer_id'], unique=False)
    op.create_index(op.f('ix_catalog_coupon_redemptions_tenant_id'), 'catalog_coupon_redemptions', ['tenant_id'], unique=False)
    op.create_table('catalog_option_choices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('option_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.Column('hidden', sa.Boolean(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['option_id'], ['catalog_options.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_catalog_option_choices_option_id'), 'catalog_option_choices', ['option_id'], unique=False)
    op.create_index(op.f('ix_catalog_option_choices_tenant_id'), 'catalog_option_choices', ['tenant_id'], unique=False)
    op.create_table('catalog_option_group_products',
    sa.Column('tenant_id', sa.Integer(), server_default=sa.text('mpanel_current_tenant()'), nullable=False),
    sa.Column('option_group_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['option_group_id'], ['catalog_option_groups.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['product_id'], ['catalog_products.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('option_group_id', 'product_id')
    )
    op.create_index(op.f('ix_catalog_option_group_products_tenant_id'), 'catalog_option_group_products', ['tenant_id'], unique=False)
    op.create_table('catalog_product_translations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('locale', sa.String(length=10), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['product_id'], ['catalog_products.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('product_id', 'locale', name='uq_catalog_product_translations_locale')
    )
    op.create_index(op.f('ix_catalog_product_translations_product_id'), 'catalog_product_translations', ['product_id'], unique=False)
    op.create_index(op.f('ix_catalog_product_translations_tenant_id'), 'catalog_product_translations', ['tenant_id'], unique=False)
    op.create_table('catalog_product_upgrades',
    sa.Column('tenant_id', sa.Integer(), server_default=sa.text('mpanel_current_tenant()'), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['product_id'], ['catalog_products.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['target_id'], ['catalog_products.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('product_id', 'target_id')
    )
    op.create_index(op.f('ix_catalog_product_upgrades_tenant_id'), 'catalog_product_upgrades', ['tenant_id'], unique=False)
    op.create_table('catalog_prices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=True),
    sa.Column('option_choice_id', sa.Integer(), nullable=True),
    sa.Column('addon_id', sa.Integer(), nullable=True),
    sa.Column('bundle_id', sa.Integer(), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('cycle', sa.Enum('onetime', 'monthly', 'quarterly', 'semiannually', 'annually', 'biennially', 'triennially', name='catalog_cycle', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('price', sa.Numeric(precision=20, scale=4), server_default='0', nullable=False),
    sa.Column('setup_fee', sa.Numeric(precision=20, scale=4), server_default='0', nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('num_nonnulls(product_id, option_choice_id, addon_id, bundle_id) = 1', name='ck_catalog_prices_one_owner'),
    sa.CheckConstraint('price >= 0 AND setup_fee >= 0', name='ck_catalog_prices_not_negative'),
    sa.ForeignKeyConstraint(['addon_id'], ['catalog_addons.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['bundle_id'], ['catalog_bundles.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['option_choice_id'], ['catalog_option_choices.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['product_id'], ['catalog_products.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('product_id', 'option_choice_id', 'addon_id', 'bundle_id', 'currency', 'cycle', name='uq_catalog_prices_owner_currency_cycle', postgresql_nulls_not_distinct=True)
    )
    op.create_index(op.f('ix_catalog_prices_addon_id'), 'catalog_prices', ['addon_id'], unique=False)
    op.create_index(op.f('ix_catalog_prices_bundle_id'), 'catalog_prices', ['bundle_id'], unique=False)
    op.create_index(op.f('ix_catalog_prices_option_choice_id'), 'catalog_prices', ['option_choice_id'], unique=False)
    op.create_index(op.f('ix_catalog_prices_product_id'), 'catalog_prices', ['product_id'], unique=False)
    op.create_index(op.f('ix_catalog_prices_tenant_id'), 'catalog_prices', ['tenant_id'], unique=False)
    for table in TABLES:
        rls.enable_rls(op, table, customer_column=CUSTOMER_COLUMNS.get(table))


def downgrade():
    for table in reversed(TABLES):
        op.drop_table(table)
