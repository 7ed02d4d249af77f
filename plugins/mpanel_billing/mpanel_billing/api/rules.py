"""``/api/v1/tax_rules``: the tenant's tax rules."""

from flask_appbuilder.models.sqla.interface import SQLAInterface
from marshmallow import ValidationError, fields, pre_load, validate, validates_schema
from marshmallow_sqlalchemy import SQLAlchemyAutoSchema

from mpanel.api.base import ModelApi
from mpanel.api.fields import Money, not_negative
from mpanel.core.errors import FieldError
from mpanel.extensions import db
from mpanel.modules.customers.validation import check_country
from mpanel.web.forms import schema_rule

from ..models.tax import CATEGORIES, TaxRule
from ..tax.validation import FIELDS, check_rule


class TaxRuleSchema(SQLAlchemyAutoSchema):
    class Meta:
        model = TaxRule
        load_instance = True
        sqla_session = db.session
        fields = FIELDS

    rate = Money(required=True, validate=not_negative)
    category = fields.String(required=True, validate=validate.OneOf(CATEGORIES))
    level = fields.Integer(load_default=1, validate=validate.OneOf([1, 2]))
    country = fields.String(load_default=None, allow_none=True, validate=schema_rule(check_country))

    @pre_load
    def _normalise(self, data, **kwargs):
        """Countries in upper case; an empty country or region means "all"."""
        data = dict(data)
        for key in ("country", "region"):
            if data.get(key) == "":
                data[key] = None
        if isinstance(data.get("country"), str):
            data["country"] = data["country"].upper()
        return data

    @validates_schema
    def _cross(self, data, partial=None, **kwargs):
        try:
            check_rule(data.get("level", 1), data.get("compound", False), data.get("category"), data.get("rate"))
        except FieldError as exc:
            raise ValidationError(exc.message, exc.field) from None


class TaxRuleApi(ModelApi):
    resource_name = "tax_rules"
    datamodel = SQLAInterface(TaxRule)
    list_columns = show_columns = ["id", *FIELDS]
    add_columns = edit_columns = FIELDS
    add_model_schema = TaxRuleSchema()
    edit_model_schema = TaxRuleSchema(partial=True)
