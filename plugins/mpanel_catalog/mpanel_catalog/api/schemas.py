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


# The answers (money as strings)
def _money(**kwargs):
    return fields.String(metadata={"description": "an amount with the currency's decimals"}, **kwargs)


class QuoteLineOut(Schema):
    kind = fields.String(required=True)
    description = fields.String(required=True)
    amount = _money(required=True)
    reason = fields.String(required=True)
    recurring = fields.Boolean(required=True)
    tax_class = fields.String(allow_none=True)
    target = fields.Integer(allow_none=True, metadata={"description": "a discount: the index of the line it reduces"})
    coupon = fields.String(allow_none=True)


class QuoteOut(Schema):
    currency = fields.String(required=True)
    lines = fields.List(fields.Nested(QuoteLineOut), required=True)
    prices_include_tax = fields.Boolean(required=True)
    tax_exempt = fields.Boolean(required=True)
    cycle = fields.String(allow_none=True)
    quantity = fields.Integer(required=True)
    trial_days = fields.Integer(allow_none=True)
    coupons = fields.List(fields.String(), required=True)
    details = fields.Dict(required=True)
    total = _money(required=True)


class CyclePriceOut(Schema):
    cycle = fields.String(required=True)
    label = fields.String(required=True)
    price = _money(required=True)
    setup_fee = _money(required=True)


class ProductSummaryOut(Schema):
    id = fields.Integer(required=True)
    name = fields.String(allow_none=True)
    description = fields.String(allow_none=True)
    type = fields.String(allow_none=True)
    from_price = _money()


class ProductGroupOut(Schema):
    id = fields.Integer(required=True)
    name = fields.String(allow_none=True)
    slug = fields.String(allow_none=True)
    description = fields.String(allow_none=True)
    products = fields.List(fields.Nested(ProductSummaryOut), required=True)


class GroupsOut(Schema):
    result = fields.List(fields.Nested(ProductGroupOut), required=True)


class OptionChoiceOut(Schema):
    id = fields.Integer(required=True)
    name = fields.String(allow_none=True)
    cycles = fields.List(fields.Nested(CyclePriceOut), required=True)


class OptionOut(Schema):
    id = fields.Integer(required=True)
    name = fields.String(allow_none=True)
    kind = fields.String(allow_none=True)
    min_quantity = fields.Integer(allow_none=True)
    max_quantity = fields.Integer(allow_none=True)
    step = fields.Integer(allow_none=True)
    choices = fields.List(fields.Nested(OptionChoiceOut))


class AddonOut(Schema):
    id = fields.Integer(required=True)
    name = fields.String(allow_none=True)
    description = fields.String(allow_none=True)
    cycles = fields.List(fields.Nested(CyclePriceOut), required=True)


class ProductDetailOut(Schema):
    id = fields.Integer(required=True)
    name = fields.String(allow_none=True)
    description = fields.String(allow_none=True)
    type = fields.String(allow_none=True)
    currency = fields.String(required=True)
    group = fields.String(allow_none=True)
    allow_multiple = fields.Boolean(allow_none=True)
    trial_days = fields.Integer(allow_none=True)
    cycles = fields.List(fields.Nested(CyclePriceOut), required=True)
    options = fields.List(fields.Nested(OptionOut), required=True)
    addons = fields.List(fields.Nested(AddonOut), required=True)
