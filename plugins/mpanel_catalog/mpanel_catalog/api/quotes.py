"""``/api/v1/catalog-quotes``: the price calculator for staff (and other systems with a staff key)."""

from flask_appbuilder.api import expose, permission_name, protect

from mpanel.api.base import safe
from mpanel.api.openapi import documented, result
from mpanel.core.errors import FieldError
from mpanel.extensions import db
from mpanel.modules.customers.models import Customer
from mpanel_catalog.api import schemas
from mpanel_catalog.api.base import QuoteApi
from mpanel_catalog.calculator import quote_bundle, quote_domain, quote_product
from mpanel_catalog.i18n import gettext as _


def _customer(arguments: dict):
    """Replace the customer id by the tenant's customer (FieldError if there is none)."""
    customer_id = arguments.pop("customer")
    if customer_id is None:
        return None
    customer = db.session.get(Customer, customer_id)
    if customer is None:
        raise FieldError("customer", _("Unknown customer"))
    return customer


class CatalogQuoteApi(QuoteApi):
    resource_name = "catalog-quotes"

    @expose("/product", methods=["POST"])
    @documented(request=schemas.StaffProductQuote, response=result(schemas.QuoteOut))
    @protect()
    @safe
    @permission_name("get")
    def product(self):
        """Price a product with options, add-ons and coupons for a customer."""
        return self.answer(schemas.StaffProductQuote, lambda a: quote_product(
            db.session, a.pop("product"), a.pop("cycle"), customer=_customer(a), **a))

    @expose("/bundle", methods=["POST"])
    @documented(request=schemas.StaffBundleQuote, response=result(schemas.QuoteOut))
    @protect()
    @safe
    @permission_name("get")
    def bundle(self):
        """Price a bundle for a customer."""
        return self.answer(schemas.StaffBundleQuote, lambda a: quote_bundle(
            db.session, a.pop("bundle"), a.pop("cycle"), customer=_customer(a), **a))

    @expose("/domain", methods=["POST"])
    @documented(request=schemas.StaffDomainQuote, response=result(schemas.QuoteOut))
    @protect()
    @safe
    @permission_name("get")
    def domain(self):
        """Price registering, transferring or renewing a domain."""
        return self.answer(schemas.StaffDomainQuote, lambda a: quote_domain(
            db.session, a.pop("tld"), a.pop("action"), a.pop("years"), customer=_customer(a), **a))
