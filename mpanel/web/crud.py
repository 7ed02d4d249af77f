"""Tenant-aware bases for generated admin views and REST schemas.

Tenant isolation itself comes from the ORM criteria and row-level security;
these classes fix what FAB and marshmallow-sqlalchemy generate wrongly for
money and relations.
"""

from __future__ import annotations

import re
from decimal import Decimal

from flask import redirect, request, url_for
from flask_appbuilder import Model, ModelView
from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import gettext as _
from marshmallow import ValidationError
from marshmallow_sqlalchemy import ModelConverter
from marshmallow_sqlalchemy.fields import Related
from sqlalchemy import Numeric, func, or_, select
from wtforms import BooleanField
from wtforms.validators import InputRequired, Optional

from mpanel.core.money import format_money, format_number
from mpanel.web.forms import CODE_CHOICES, AmountField, CodeSelectField, fits_column


class QuickSearch(BaseFilter):
    """The list's search box: any of the view's text columns contains the words."""

    name = "quick"
    columns: tuple[str, ...] = ()  # set per view (FAB re-creates filters from their class and column)

    @classmethod
    def over(cls, columns, datamodel):
        return type(cls.__name__, (cls,), {"columns": tuple(columns)})(columns[0], datamodel)

    def apply(self, query, value):
        pattern = "%" + re.sub(r"([\\%_])", r"\\\1", value) + "%"
        model = self.datamodel.obj
        return query.filter(or_(*(getattr(model, name).ilike(pattern, escape="\\") for name in self.columns)))


def in_use(session, item) -> str | None:
    """Why ``item`` cannot be deleted: rows (of any loaded plugin) that refer to it without ON DELETE CASCADE."""
    table = type(item).__table__
    names = {mapper.local_table: mapper.class_.__name__ for mapper in Model.registry.mappers}
    for other in table.metadata.tables.values():
        for constraint in other.foreign_key_constraints:
            if constraint.referred_table is not table or (constraint.ondelete or "").upper() in ("CASCADE", "SET NULL"):
                continue
            (column,) = constraint.columns
            count = session.scalar(select(func.count()).select_from(other).where(column == item.id))
            if count:
                return _("still used by %(count)s × %(what)s", count=count, what=names.get(other, other.name))
    return None


class TenantInterface(SQLAInterface):
    """Values as lists and detail pages show them: an amount of a row with a currency as
    money in the viewer's locale ("1.234,50 €"), other decimals in its notation, empty as empty."""

    def __init__(self, obj, session=None):
        super().__init__(obj, session=session)
        self.amounts = {column.key for column in obj.__table__.columns
                        if isinstance(column.type, Numeric) and (column.type.precision, column.type.scale) == (20, 4)}

    def _get_attr_value(self, item, col):
        value = super()._get_attr_value(item, col)
        if value is None:
            return ""
        currency = getattr(item, "currency", None)
        if col in self.amounts and isinstance(currency, str) and len(currency) == 3:
            return format_money(value, currency)
        if isinstance(value, Decimal):
            return format_number(value)
        return value


class TenantModelView(ModelView):
    """The base of every admin list and form. FAB alone gives a non-nullable
    boolean InputRequired (an unticked box can never be saved), shows decimals
    with two places (every edit would round a price), asks for ISO codes as free
    text, lands on the empty home page after each save and shows "None"."""

    list_template = "mpanel/crud/list.html"
    quick_search_columns: list[str] | None = None  # default: the text columns of ``search_columns``

    def __init__(self, **kwargs):
        self.add_form_extra_fields = {**self._plain_fields(self.add_columns), **(self.add_form_extra_fields or {})}
        self.edit_form_extra_fields = {**self._plain_fields(self.edit_columns),
                                       **(self.edit_form_extra_fields or {})}
        if not isinstance(self.datamodel, TenantInterface):
            self.datamodel = TenantInterface(self.datamodel.obj, self.datamodel.session)
        super().__init__(**kwargs)

    def _label(self, name):
        return (self.label_columns or {}).get(name) or re.sub("[._]", " ", name).title()

    def _plain_fields(self, columns) -> dict:
        fields = {}
        for name in columns or ():
            if not self.datamodel.is_relation(name) and name in self.datamodel.list_columns:
                optional = self.datamodel.is_nullable(name)
                required = Optional() if optional else InputRequired()
                validators = [required, *(self.validators_columns or {}).get(name, [])]
                if self.datamodel.is_boolean(name):
                    fields[name] = BooleanField(self._label(name))
                elif self.datamodel.is_numeric(name):
                    kind = self.datamodel.list_columns[name].type
                    fields[name] = AmountField(self._label(name),
                                               validators=[*validators, fits_column(kind.precision, kind.scale)])
                elif name in CODE_CHOICES and self.datamodel.is_string(name):
                    choices, spelling = CODE_CHOICES[name]
                    fields[name] = CodeSelectField(self._label(name), validators=validators, choices=choices,
                                                   spelling=spelling,
                                                   validate_choice=name not in (self.validators_columns or {}))
        return fields

    def prefill_form(self, form, pk):
        item = self.datamodel.get(pk, self._base_filters)
        currency = getattr(item, "currency", None)
        for field in form:
            if isinstance(field, AmountField):
                field.currency = currency if isinstance(currency, str) and len(currency) == 3 else None

    def _quick_columns(self) -> list[str]:
        columns = self.quick_search_columns
        if columns is None:
            columns = [c for c in self.search_columns or () if c in self.datamodel.list_columns
                       and not self.datamodel.is_relation(c) and self.datamodel.is_string(c)]
        return columns

    def _searched(self, filters):
        """``filters`` and the quick search's words (``?q=``), if any."""
        words = (request.args.get("q") or "").strip()[:200]
        columns = self._quick_columns()
        if words and columns:
            filters = filters.copy()
            filters._add_filter(QuickSearch.over(columns, self.datamodel), words)
        return filters

    def list_filters(self):
        """What the list shows: base filters, FAB's filters and the quick search (for totals over the list)."""
        return self._searched(self._base_filters.get_joined_filters(self._filters))

    def _get_list_widget(self, filters, **kwargs):
        widgets = super()._get_list_widget(self._searched(filters), **kwargs)
        widgets["quick_search"] = {"value": (request.args.get("q") or "").strip()[:200],
                                   "enabled": bool(self._quick_columns())}
        return widgets

    def pre_delete(self, item):
        if reason := in_use(self.datamodel.session, item):
            raise ValueError(reason)

    def post_add_redirect(self):
        return redirect(url_for(f"{self.endpoint}.list"))

    def post_edit_redirect(self):
        pk = request.view_args.get("pk")
        if "can_show" in self.base_permissions and pk is not None:
            return redirect(url_for(f"{self.endpoint}.show", pk=pk))
        return redirect(url_for(f"{self.endpoint}.list"))


class ExistingRelated(Related):
    """A related row by id, looked up in the tenant's scope: an unknown id (or
    another tenant's) is refused, never created as marshmallow-sqlalchemy would."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValidationError(_("must be the id of an existing row"))
        row = self.session.get(self.related_model, value)
        if row is None:
            raise ValidationError(_("%(id)s does not exist", id=value))
        return row


class TenantModelConverter(ModelConverter):
    """Relations as :class:`ExistingRelated`; decimals never rounded on input."""

    def _get_field_class_for_property(self, prop):
        return ExistingRelated if hasattr(prop, "direction") else super()._get_field_class_for_property(prop)

    def _add_column_kwargs(self, kwargs, column):
        super()._add_column_kwargs(kwargs, column)
        kwargs.pop("places", None)
