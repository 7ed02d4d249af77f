"""``/api/v1/client-catalog``: the catalogue for a customer's contacts (read only)."""

from flask import g
from flask_appbuilder.api import expose, permission_name, protect
from flask_babel import get_locale

from mpanel.api.base import safe
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
    @protect()
    @safe
    @permission_name("get")
    def groups(self):
        """Product groups with their products and "from" prices in the customer's currency.
        ---
        get:
          responses:
            200:
              description: Groups
            404:
              $ref: '#/components/responses/404'
        """
        customer = _customer()
        if customer is None:
            return self.response_404()
        return self.response(200, result=storefront.groups(db.session, customer.currency, _locale()))

    @expose("/products/<int:pk>", methods=["GET"])
    @protect()
    @safe
    @permission_name("get")
    def product(self, pk):
        """A product with its billing cycles, options and add-ons, priced in the customer's currency.
        ---
        get:
          parameters:
          - in: path
            name: pk
            schema: {type: integer}
          responses:
            200:
              description: The product
            404:
              $ref: '#/components/responses/404'
        """
        customer, item = _customer(), storefront.product(db.session, pk)
        if customer is None or item is None:
            return self.response_404()
        return self.response(200, result=storefront.product_detail(db.session, item, customer.currency, _locale()))

    @expose("/quote", methods=["POST"])
    @protect()
    @safe
    @permission_name("get")
    def quote(self):
        """The price of a product with the chosen cycle, options, add-ons and coupon.
        ---
        post:
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  type: object
                  required: [product, cycle]
                  properties:
                    product: {type: integer}
                    cycle: {type: string}
                    options: {type: object}
                    addons: {description: "[add-on id] or {add-on id: cycle}"}
                    coupons: {type: array, items: {type: string}}
                    quantity: {type: integer}
          responses:
            200:
              description: The quote; money as strings
            400:
              $ref: '#/components/responses/400'
            404:
              $ref: '#/components/responses/404'
        """
        customer = _customer()
        if customer is None:
            return self.response_404()
        return self.answer(schemas.ProductQuote, lambda a: quote_product(
            db.session, a.pop("product"), a.pop("cycle"), customer=customer, locale=_locale(), **a))
