"""Input schemas of the invoice API and the JSON shape of invoices (money as strings)."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from mpanel.api.fields import Id, Money, not_negative, positive
from mpanel.api.fields import money_json as _money

from ..models.tax import TAX_CLASSES


def not_zero(value) -> None:
    if value == 0:
        raise ValidationError("must not be 0")


class LineSchema(Schema):
    description = fields.String(required=True, validate=validate.Length(min=1, max=500))
    quantity = Money(required=True, validate=not_zero)  # negative: a refund line
    unit_price = Money(required=True, validate=not_negative)
    discount = Money(load_default=0)
    discount_reason = fields.String(load_default=None, validate=validate.Length(max=200))
    tax_class = fields.String(load_default="standard", validate=validate.OneOf(TAX_CLASSES))
    period_start = fields.Date(load_default=None)
    period_end = fields.Date(load_default=None)
    unit_code = fields.String(load_default="C62", validate=validate.Regexp(r"^[A-Z0-9]{2,3}$"))

    @validates_schema
    def _period(self, data, **kwargs):
        if data["period_start"] and data["period_end"] and data["period_end"] < data["period_start"]:
            raise ValidationError("ends before the period starts", "period_end")


class InvoiceCreateSchema(Schema):
    customer_id = Id(required=True)
    currency = fields.String(load_default=None, validate=validate.Length(equal=3))
    due_date = fields.Date(load_default=None)
    notes = fields.String(load_default=None, validate=validate.Length(max=2000))
    tax_exchange_rate = Money(load_default=None, validate=positive)  # to the seller's national currency
    lines = fields.List(fields.Nested(LineSchema), required=True, validate=validate.Length(min=1, max=500))
    issue = fields.Boolean(load_default=False)


class CreditLineSchema(Schema):
    line_id = Id(required=True)
    quantity = Money(validate=positive)


class CreditSchema(Schema):
    lines = fields.List(fields.Nested(CreditLineSchema), load_default=None, validate=validate.Length(min=1))
    reason = fields.String(load_default="Correction", validate=validate.Length(min=1, max=200))


class CancelSchema(Schema):
    reason = fields.String(load_default=None, validate=validate.Length(max=200))


class AmountSchema(Schema):
    amount = Money(load_default=None, validate=positive)


class PaymentSchema(Schema):
    amount = Money(required=True, validate=positive)
    currency = fields.String(required=True, validate=validate.Length(equal=3))
    reference = fields.String(required=True, validate=validate.Length(min=1, max=200))


def _plain(value):
    """Quantities and rates without trailing zeros: "19", "0.5", "100"."""
    return format(value.normalize(), "f")


def invoice_json(invoice, detail: bool = False) -> dict:
    c = invoice.currency
    data = {
        "id": invoice.id, "kind": invoice.kind, "status": invoice.status, "number": invoice.number,
        "proforma_number": invoice.proforma_number, "customer_id": invoice.customer_id,
        "customer": invoice.customer.display_name, "currency": c,
        "issue_date": invoice.issue_date.isoformat() if invoice.issue_date else None,
        "due_date": invoice.due_date.isoformat() if invoice.due_date else None,
        "net_total": _money(invoice.net_total, c), "tax_total": _money(invoice.tax_total, c),
        "total": _money(invoice.total, c), "amount_paid": _money(invoice.amount_paid, c),
        "amount_credited": _money(invoice.amount_credited, c), "amount_due": _money(invoice.amount_due, c),
        "credited_invoice_id": invoice.credited_invoice_id, "tax_currency": invoice.tax_currency,
        "tax_exchange_rate": _plain(invoice.tax_currency_rate) if invoice.tax_currency_rate else None,
        "tax_total_in_tax_currency": (_money(invoice.tax_currency_tax, invoice.tax_currency)
                                      if invoice.tax_currency else None),
    }
    if detail:
        data["lines"] = [{
            "id": line.id, "description": line.description, "quantity": _plain(line.quantity),
            "unit_price": _plain(line.unit_price), "discount": _money(line.discount, c),
            "prices_include_tax": line.prices_include_tax, "tax_category": line.tax_category,
            "tax_rate": _plain(line.tax_rate), "tax_name": line.tax_name,
            "net_amount": _money(line.net_amount, c),
            "period_start": line.period_start.isoformat() if line.period_start else None,
            "period_end": line.period_end.isoformat() if line.period_end else None,
        } for line in invoice.lines]
        data["taxes"] = [{"level": t.level, "name": t.name, "category": t.category, "rate": _plain(t.rate),
                          "taxable": _money(t.taxable, c), "tax": _money(t.tax, c)} for t in invoice.taxes]
        data.update(seller=invoice.seller, buyer=invoice.buyer, notes=invoice.notes,
                    exemption_reasons=invoice.exemption_reasons)
    return data


# The answers (documented in the OpenAPI document; invoice_json builds them)
def _text(**kwargs):
    return fields.String(allow_none=True, **kwargs)


class InvoiceLineOutSchema(Schema):
    id = fields.Integer(required=True)
    description = fields.String(required=True)
    quantity = Money(required=True)
    unit_price = Money(required=True)
    discount = Money(required=True)
    prices_include_tax = fields.Boolean(allow_none=True)
    tax_category = _text()
    tax_rate = Money(allow_none=True)
    tax_name = _text()
    net_amount = Money(allow_none=True)
    period_start = fields.Date(allow_none=True)
    period_end = fields.Date(allow_none=True)


class InvoiceTaxOutSchema(Schema):
    level = _text()
    name = _text()
    category = _text()
    rate = Money(required=True)
    taxable = Money(required=True)
    tax = Money(required=True)


class InvoiceOutSchema(Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True)
    status = fields.String(required=True)
    number = _text()
    proforma_number = _text()
    customer_id = fields.Integer(required=True)
    customer = _text()
    currency = fields.String(required=True)
    issue_date = fields.Date(allow_none=True)
    due_date = fields.Date(allow_none=True)
    net_total = Money(required=True)
    tax_total = Money(required=True)
    total = Money(required=True)
    amount_paid = Money(required=True)
    amount_credited = Money(required=True)
    amount_due = Money(required=True)
    credited_invoice_id = fields.Integer(allow_none=True)
    tax_currency = _text()
    tax_exchange_rate = Money(allow_none=True)
    tax_total_in_tax_currency = Money(allow_none=True)
    # with detail (one invoice)
    lines = fields.List(fields.Nested(InvoiceLineOutSchema))
    taxes = fields.List(fields.Nested(InvoiceTaxOutSchema))
    seller = fields.Dict(allow_none=True)
    buyer = fields.Dict(allow_none=True)
    notes = _text()
    exemption_reasons = fields.Dict(allow_none=True)


class AppliedOutSchema(Schema):
    applied = Money(required=True)
    result = fields.Nested(InvoiceOutSchema, required=True)


class PaymentOutSchema(Schema):
    payment_id = fields.Integer(allow_none=True)
    applied = Money(required=True)
    credited = Money(required=True)
    duplicate = fields.Boolean(required=True)
    result = fields.Nested(InvoiceOutSchema, required=True)
