"""``/api/v1/ledger``: the tenant's ledger entries, read-only, money as strings."""

from flask_appbuilder.models.sqla.interface import SQLAInterface
from marshmallow import Schema, fields

from mpanel.api.base import ModelApi
from mpanel.api.fields import money_json

from ..models.ledger import LedgerEntry

COLUMNS = ["id", "created_at", "customer_id", "kind", "invoice_id", "payment_id", "document_id", "amount", "currency",
           "memo"]


class LedgerEntrySchema(Schema):
    id = fields.Integer()
    created_at = fields.DateTime()
    customer_id = fields.Integer()
    kind = fields.String()
    invoice_id = fields.Integer()
    payment_id = fields.Integer()
    document_id = fields.Integer()
    amount = fields.Function(lambda entry: money_json(entry.amount, entry.currency))
    currency = fields.String()
    memo = fields.String()


class LedgerApi(ModelApi):
    resource_name = "ledger"
    datamodel = SQLAInterface(LedgerEntry)
    base_permissions = ["can_get", "can_info"]
    include_route_methods = {"get_list", "info"}
    list_columns = COLUMNS
    list_model_schema = LedgerEntrySchema()
    search_columns = ["kind", "currency"]
    base_order = ("id", "desc")
