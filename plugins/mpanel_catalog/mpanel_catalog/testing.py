"""The catalogue's test fixtures and helpers, a pytest plugin module (the
catalogue's tests/conftest.py loads its fixtures): a tenant with a small hosting
catalogue built through the ORM, and REST helpers."""

from contextlib import contextmanager
from decimal import Decimal
from types import SimpleNamespace

import pytest

from mpanel.core.tenancy import tenant_scope
from mpanel.extensions import db
from mpanel.modules.customers.models import Customer
from mpanel.testing.pytest_plugin import bearer
from mpanel_catalog.models import (
    Addon,
    Coupon,
    CustomerGroup,
    CustomerGroupMember,
    Option,
    OptionChoice,
    OptionGroup,
    Price,
    Product,
    ProductGroup,
    ProductTranslation,
)


class Shop:
    """Adds rows to one tenant's catalogue; every call commits."""

    def __init__(self, factory, tenant):
        self.factory, self.tenant = factory, tenant

    def run(self, fn):
        return self.factory.commit(fn, self.tenant.id)

    def add(self, model, **values) -> int:
        def create(session):
            row = model(**values)
            session.add(row)
            session.flush()
            return row.id

        return self.run(create)

    def link(self, model, row_id, attribute, other_model, other_id) -> None:
        def append(session):
            row = session.get(model, row_id)
            getattr(row, attribute).append(session.get(other_model, other_id))

        self.run(append)

    def price(self, price, setup="0", currency="EUR", cycle="monthly", **owner) -> int:
        return self.add(Price, currency=currency, cycle=cycle, price=Decimal(price), setup_fee=Decimal(setup), **owner)

    def coupon(self, code, products=(), **values) -> int:
        coupon_id = self.add(Coupon, code=code, **values)
        for product_id in products:
            self.link(Coupon, coupon_id, "products", Product, product_id)
        return coupon_id

    def member(self, customer_id, group_id) -> int:
        return self.add(CustomerGroupMember, customer_id=customer_id, group_id=group_id)

    def hosting(self) -> SimpleNamespace:
        """Web S (options, add-on, translations), a stock-limited VPS, a retired and a hidden product."""
        ids = SimpleNamespace()
        ids.group = self.add(ProductGroup, name="Web hosting", slug="web-hosting", sort_order=1)
        ids.web = self.add(Product, group_id=ids.group, type="shared_hosting", name="Web S",
                           description="Small site", allow_multiple=True, tax_class="standard")
        self.add(ProductTranslation, product_id=ids.web, locale="de", name="Web Klein", description="Kleine Seite")
        self.price("10.00", "5.00", product_id=ids.web)
        self.price("100.00", cycle="annually", product_id=ids.web)
        self.price("11.00", currency="USD", product_id=ids.web)
        self.price("1200.4", currency="JPY", product_id=ids.web)
        self.price("3.1235", currency="KWD", product_id=ids.web)
        ids.options = self.add(OptionGroup, name="Web options")
        self.link(Product, ids.web, "option_groups", OptionGroup, ids.options)
        ids.disk = self.add(Option, group_id=ids.options, name="Disk", kind="dropdown", sort_order=1)
        ids.disk_small = self.add(OptionChoice, option_id=ids.disk, name="10 GB", sort_order=1)
        ids.disk_big = self.add(OptionChoice, option_id=ids.disk, name="50 GB", sort_order=2)
        self.price("0", option_choice_id=ids.disk_small)
        self.price("2.50", "1.00", option_choice_id=ids.disk_big)
        self.price("25.00", cycle="annually", option_choice_id=ids.disk_big)
        ids.backups = self.add(Option, group_id=ids.options, name="Backups", kind="yesno", sort_order=2)
        ids.backups_yes = self.add(OptionChoice, option_id=ids.backups, name="Yes")
        self.price("1.00", option_choice_id=ids.backups_yes)
        ids.ips = self.add(Option, group_id=ids.options, name="Extra IPs", kind="quantity", min_quantity=0,
                           max_quantity=4, step=1, sort_order=3)
        ids.ip = self.add(OptionChoice, option_id=ids.ips, name="IP")
        self.price("3.00", option_choice_id=ids.ip)
        ids.legacy = self.add(Option, group_id=ids.options, name="Legacy", kind="yesno", hidden=True)
        self.price("7.00", option_choice_id=self.add(OptionChoice, option_id=ids.legacy, name="Yes"))
        ids.ssl = self.add(Addon, name="SSL")
        self.link(Addon, ids.ssl, "products", Product, ids.web)
        self.price("4.00", addon_id=ids.ssl)
        self.price("40.00", "2.00", cycle="annually", addon_id=ids.ssl)
        ids.loose_addon = self.add(Addon, name="Not for Web S")
        self.price("1.00", addon_id=ids.loose_addon)
        ids.vps = self.add(Product, group_id=ids.group, type="vps", name="VPS", stock_control=True,
                           stock_quantity=2, allow_multiple=True)
        self.price("20.00", product_id=ids.vps)
        ids.old = self.add(Product, group_id=ids.group, type="shared_hosting", name="Old plan", retired=True)
        self.price("5.00", product_id=ids.old)
        ids.secret = self.add(Product, group_id=ids.group, type="other", name="Secret plan", hidden=True)
        self.price("6.00", product_id=ids.secret)
        ids.resellers = self.add(CustomerGroup, name="Resellers", discount_percent=Decimal("10"))
        return ids


@pytest.fixture
def shop(factory):
    shop = Shop(factory, factory.tenant())
    shop.ids = shop.hosting()
    return shop


@pytest.fixture
def scope(app):
    """``with scope(tenant) as session:`` an app context in the tenant's scope, rolled back at the end."""

    @contextmanager
    def enter(tenant):
        with app.app_context(), tenant_scope(tenant.id, session=db.session):
            try:
                yield db.session
            finally:
                db.session.rollback()

    return enter


def customer(session, customer_id) -> Customer:
    return session.get(Customer, customer_id)


class Api:
    """Calls ``/api/v1/...`` on one tenant's host with one staff member's token."""

    def __init__(self, client, tenant, role="Owner", email=None):
        self.client, self.tenant = client, tenant
        self.token = tenant.api_token(client, email or tenant.staff(role))

    def __call__(self, method, path, **kwargs):
        return getattr(self.client, method)(f"/api/v1/{path}", base_url=self.tenant.host,
                                            headers=bearer(self.token), **kwargs)

    def create(self, resource, **values) -> int:
        response = self("post", f"{resource}/", json=values)
        assert response.status_code == 201, response.get_json()
        return response.get_json()["id"]

    def count(self, resource) -> int:
        response = self("get", f"{resource}/")
        assert response.status_code == 200, response.get_json()
        return response.get_json()["count"]


@pytest.fixture
def owner(client, factory):
    return Api(client, factory.tenant())


def build_catalogue(api) -> dict:
    """Every resource once, through REST only."""
    ids = {}
    ids["group"] = api.create("catalog-product-groups", name="Hosting", slug="hosting", sort_order=2)
    ids["options"] = api.create("catalog-option-groups", name="Extras")
    ids["addon"] = api.create("catalog-addons", name="Backups", tax_class="standard")
    ids["product"] = api.create(
        "catalog-products", group=ids["group"], type="vps", name="VPS M", description="4 cores",
        welcome_email="vps-welcome", stock_control=True, stock_quantity=5, allow_multiple=True, trial_days=7,
        provisioning_module="proxmox", provisioning_settings={"node": "pve1", "cores": 4}, tax_class="standard",
        option_groups=[ids["options"]], addons=[ids["addon"]])
    ids["other_product"] = api.create("catalog-products", group=ids["group"], name="VPS L",
                                      upgrades=[ids["product"]])
    ids["translation"] = api.create("catalog-product-translations", product=ids["product"], locale="de",
                                    name="VPS Mittel")
    ids["price"] = api.create("catalog-prices", product=ids["product"], currency="EUR", cycle="monthly",
                              price="12.5", setup_fee="10")
    ids["option"] = api.create("catalog-options", group=ids["options"], name="RAM", kind="quantity",
                               min_quantity=1, max_quantity=8, step=1)
    ids["choice"] = api.create("catalog-option-choices", option=ids["option"], name="GB")
    ids["choice_price"] = api.create("catalog-prices", option_choice=ids["choice"], currency="EUR", cycle="monthly",
                                     price="2.0000")
    ids["addon_price"] = api.create("catalog-prices", addon=ids["addon"], currency="EUR", cycle="annually",
                                    price="30")
    ids["bundle"] = api.create("catalog-bundles", name="Duo", slug="duo")
    ids["bundle_item"] = api.create("catalog-bundle-items", bundle=ids["bundle"], product=ids["product"],
                                    cycle="monthly", quantity=2)
    ids["bundle_price"] = api.create("catalog-prices", bundle=ids["bundle"], currency="EUR", cycle="monthly",
                                     price="20")
    ids["customer_group"] = api.create("catalog-customer-groups", name="VIP", discount_percent="12.5")
    ids["customer"] = api.tenant.customer()
    ids["member"] = api.create("catalog-customer-group-members", customer=ids["customer"],
                               group=ids["customer_group"])
    ids["coupon"] = api.create("catalog-coupons", code="Spring25", kind="fixed", value="2.50", currency="EUR",
                               duration="repeating", duration_cycles=3, products=[ids["product"]],
                               cycles="monthly,annually", starts_at="2020-01-01T00:00:00+00:00",
                               max_uses=100, max_uses_per_customer=1, stackable=True)
    ids["tld"] = api.create("catalog-tlds", name="co.uk", kind="cctld", epp_code_required=False, grace_days=30)
    ids["tld_fees"] = api.create("catalog-tld-fees", tld=ids["tld"], currency="GBP", id_protection="1.5")
    ids["tld_price"] = api.create("catalog-tld-prices", tld=ids["tld"], currency="GBP", action="register",
                                  years=2, cost="9", price="12")
    return ids


RESOURCES = {
    "group": "catalog-product-groups", "product": "catalog-products", "translation": "catalog-product-translations",
    "price": "catalog-prices", "options": "catalog-option-groups", "option": "catalog-options",
    "choice": "catalog-option-choices", "addon": "catalog-addons", "bundle": "catalog-bundles",
    "bundle_item": "catalog-bundle-items", "customer_group": "catalog-customer-groups",
    "member": "catalog-customer-group-members", "coupon": "catalog-coupons", "tld": "catalog-tlds",
    "tld_fees": "catalog-tld-fees", "tld_price": "catalog-tld-prices",
}
