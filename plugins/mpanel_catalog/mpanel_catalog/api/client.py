"""``/api/v1/client-catalog``: the catalogue for a customer's contacts (read only)."""

from flask import g
from flask_appbuilder.api import expose, permission_name, protect
from flask_babel import get_locale

from mpanel.api.base import safe
from mpanel.api.openapi import documented, result
from mpanel.extensions import db
from mpanel.modules.customers.models import Customer
from mpanel_catalog import storefront
from mpanel_catalog.api import schemas
from mpanel_catalog.api.base import QuoteApi
from mpanel_catalog.calculator import quote_product


def _customer():
    return db.session.get(Customer, g.user.customer_id) if g.user.customer_id else None


def _locale() -> str:
    return get_locale().language


class ClientCatalogApi(QuoteApi):
    resource_name = "client-catalog"

    @expose("/groups", methods=["GET"])
    @documented(response=schemas.GroupsOut)
    @protect()
    @safe
    @permission_name("get")
    def groups(self):
        """Product groups with their products and "from" prices in the customer's currency."""
        customer = _customer()
        if customer is None:
            return self.response_404()
        return self.response(200, result=storefront.groups(db.session, customer.currency, _locale()))

    @expose("/products/<int:pk>", methods=["GET"])
    @documented(response=result(schemas.ProductDetailOut))
    @protect()
    @safe
    @permission_name("get")
    def product(self, pk):
        """A product with its billing cycles, options and add-ons, priced in the customer's currency."""
        customer, item = _customer(), storefront.product(db.session, pk)
        if customer is None or item is None:
            return self.response_404()
        return self.response(200, result=storefront.product_detail(db.session, item, customer.currency, _locale()))

    @expose("/quote", methods=["POST"])
    @documented(request=schemas.ProductQuote, response=result(schemas.QuoteOut))
    @protect()
    @safe
    @permission_name("get")
    def quote(self):
        """The price of a product with the chosen cycle, options, add-ons and coupon."""
        customer = _customer()
        if customer is None:
            return self.response_404()
        return self.answer(schemas.ProductQuote, lambda a: quote_product(
            db.session, a.pop("product"), a.pop("cycle"), customer=customer, locale=_locale(), **a))
