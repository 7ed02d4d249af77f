"""Request bodies of the quote endpoints (types only; the calculator checks the values)."""

from marshmallow import Schema, ValidationError, fields, validate

from mpanel_catalog.i18n import gettext as _


class Addons(fields.Field):
    """``[add-on id, ...]`` or ``{add-on id: cycle or null}``."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, list) and all(isinstance(v, int) and not isinstance(v, bool) for v in value):
            return value
        if isinstance(value, dict) and all(v is None or isinstance(v, str) for v in value.values()):
            return value
        raise ValidationError(_("Give add-on ids, or {add-on id: billing cycle}"))


class ProductQuote(Schema):
    product = fields.Integer(required=True, strict=True)
    cycle = fields.String(required=True)
    options = fields.Dict(keys=fields.String(), load_default=dict)
    addons = Addons(load_default=list)
    coupons = fields.List(fields.String(), load_default=list)
    quantity = fields.Integer(strict=True, load_default=1)


class _ForCustomer(Schema):
    customer = fields.Integer(strict=True, load_default=None)
    currency = fields.String(load_default=None)


class _Renewal(Schema):
    renewal = fields.Integer(strict=True, load_default=0, validate=validate.Range(min=0))


class StaffProductQuote(ProductQuote, _ForCustomer, _Renewal):
    locale = fields.String(load_default=None)


class StaffBundleQuote(_ForCustomer, _Renewal):
    bundle = fields.Integer(required=True, strict=True)
    cycle = fields.String(required=True)
    coupons = fields.List(fields.String(), load_default=list)


class StaffDomainQuote(_ForCustomer):
    tld = fields.String(required=True)
    action = fields.String(required=True)
    years = fields.Integer(strict=True, load_default=1)
    id_protection = fields.Boolean(load_default=False)
    dns_management = fields.Boolean(load_default=False)
    late = fields.String(load_default=None, allow_none=True)
