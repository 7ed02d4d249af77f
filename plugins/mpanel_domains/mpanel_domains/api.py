"""REST for staff: ``/api/v1/domains``, ``/api/v1/domain-contacts`` and
``/api/v1/domain-actions`` (with ``/<id>/retry`` and ``/<id>/resolve``).

Errors are the REST dialect's (``docs/api.md``); the auth code is never part of
any staff answer.
"""

from __future__ import annotations

from flask import g
from flask_appbuilder.api import expose, permission_name, protect
from flask_appbuilder.models.sqla.interface import SQLAInterface
from marshmallow import Schema, ValidationError, fields, validates_schema
from marshmallow.validate import Length, OneOf
from marshmallow_sqlalchemy import SQLAlchemyAutoSchema
from sqlalchemy import select

from mpanel.api.base import ModelApi, safe
from mpanel.api.body import json_body
from mpanel.api.fields import Id
from mpanel.api.openapi import NoBody, documented, result
from mpanel.core.errors import FieldError
from mpanel.extensions import db
from mpanel.web.forms import schema_rule
from mpanel_domains import actions, contacts
from mpanel_domains.constants import STATUSES
from mpanel_domains.models import Domain, DomainAction, DomainContact
from mpanel_domains.names import check_nameservers
from mpanel_domains.records import check_customer, new_domain_fields
from mpanel_domains.service import latest_contact
from mpanel_domains.views import save_changes

# Foreign keys as "relation.id": FAB's generated schemas leave out plain FK columns.
DOMAIN_LIST = ["id", "name", "display_name", "tld", "customer.id", "registrar", "status", "expires_at", "auto_renew",
               "registrar_lock", "id_protection", "dns_management", "nameservers", "last_synced_at"]
DOMAIN_SHOW = [*DOMAIN_LIST, "registered_at", "contact_ids", "sync_error", "created_at"]
DOMAIN_EDIT = ["status", "expires_at", "auto_renew", "registrar_lock", "id_protection", "dns_management",
               "nameservers"]
DOMAIN_ADD = ["customer_id", "name", "registrar", "registered_at", *DOMAIN_EDIT]


def _field_errors(fn):
    """Run a check that raises FieldError as a marshmallow schema validation."""
    try:
        return fn()
    except FieldError as exc:
        raise ValidationError(exc.message, field_name=exc.field) from None


class _Schema(SQLAlchemyAutoSchema):
    class Meta:
        load_instance = True
        include_fk = True
        sqla_session = db.session


def _schema(model, columns, base=_Schema, **attrs):
    meta = type("Meta", (base.Meta,), {"model": model, "fields": list(columns)})
    return type(f"{model.__name__}Schema", (base,), {"Meta": meta, **attrs})


class DomainEditSchema(_Schema):
    status = fields.String(validate=OneOf(STATUSES))
    nameservers = fields.List(fields.String(), validate=schema_rule(check_nameservers))


class DomainAddSchema(DomainEditSchema):
    customer_id = Id(required=True)
    name = fields.String(required=True)
    registrar = fields.String(load_default=None)

    @validates_schema
    def _check_record(self, data, **kwargs):
        _field_errors(lambda: check_customer(db.session, data.get("customer_id")))
        _field_errors(lambda: new_domain_fields(db.session, data.get("name"), data.get("registrar")))


class DomainApi(ModelApi):
    resource_name = "domains"
    datamodel = SQLAInterface(Domain)
    list_columns = DOMAIN_LIST
    show_columns = DOMAIN_SHOW
    add_columns = DOMAIN_ADD
    edit_columns = DOMAIN_EDIT
    search_columns = ["name", "status", "registrar", "customer", "expires_at", "auto_renew"]
    order_columns = ["name", "expires_at", "status", "last_synced_at", "id"]
    add_model_schema = _schema(Domain, DOMAIN_ADD, DomainAddSchema)()
    edit_model_schema = _schema(Domain, DOMAIN_EDIT, DomainEditSchema)(partial=True)

    def pre_add(self, item):
        for key, value in new_domain_fields(db.session, item.name, item.registrar).items():
            setattr(item, key, value)
        item.nameservers = check_nameservers(item.nameservers or [])
        contact = latest_contact(db.session, item.customer_id)
        item.registrant = item.admin = item.tech = item.billing = contact

    def pre_update(self, item):
        item.nameservers = check_nameservers(item.nameservers or [])
        save_changes(db.session, item)


class ContactSchema(_Schema):
    @validates_schema
    def _check_record(self, data, **kwargs):
        if "customer_id" in data:
            _field_errors(lambda: check_customer(db.session, data["customer_id"]))
        merged = {f: getattr(self.instance, f, None) for f in contacts.FIELDS} if self.instance else {}
        _field_errors(lambda: contacts.clean({**merged, **data}))


class DomainContactApi(ModelApi):
    resource_name = "domain-contacts"
    datamodel = SQLAInterface(DomainContact)
    list_columns = ["id", "customer.id", "first_name", "last_name", "company", "email_masked", "phone_masked",
                    "country"]
    show_columns = ["id", "customer.id", *contacts.FIELDS, "registry_handles", "created_at"]
    add_columns = ["customer_id", *contacts.FIELDS]
    edit_columns = contacts.FIELDS
    search_columns = ["last_name", "company", "country", "customer"]
    add_model_schema = _schema(DomainContact, add_columns, ContactSchema, customer_id=Id(required=True))()
    edit_model_schema = _schema(DomainContact, edit_columns, ContactSchema)(partial=True)

    def pre_add(self, item):
        contacts.normalise(item)  # checked by the schema already: this cannot fail

    def pre_update(self, item):
        contacts.normalise(item)
        actions.queue_contact_update(db.session, item)


class ResolveSchema(Schema):
    note = fields.String(load_default="", validate=Length(max=500))
    failed = fields.Boolean(load_default=False)


class ActionStatusOut(Schema):
    id = fields.Integer(required=True)
    status = fields.String(required=True)


class DomainActionApi(ModelApi):
    resource_name = "domain-actions"
    datamodel = SQLAInterface(DomainAction)
    base_permissions = ["can_get", "can_info", "can_retry", "can_resolve"]
    list_columns = ["id", "domain.id", "domain.name", "action", "status", "attempts", "last_error", "reference",
                    "updated_at"]
    show_columns = [*list_columns, "params", "resolved_by", "created_at", "finished_at"]
    search_columns = ["domain", "action", "status", "reference"]
    order_columns = ["id", "updated_at", "status"]

    def _change(self, pk, change):
        item = db.session.scalar(select(DomainAction).where(DomainAction.id == pk))
        if item is None:
            return self.response_404()
        change(item)
        db.session.commit()  # the answer shows the state after the commit's scheduled work
        return self.response(200, result={"id": item.id, "status": item.status})

    @expose("/<int:pk>/retry", methods=["POST"])
    @documented(request=NoBody, response=result(ActionStatusOut), body_required=False)
    @protect()
    @safe
    @permission_name("retry")
    def retry(self, pk):
        """Run a failed action again."""
        json_body(NoBody())
        return self._change(pk, lambda item: actions.retry(db.session, item))

    @expose("/<int:pk>/resolve", methods=["POST"])
    @documented(request=ResolveSchema, response=result(ActionStatusOut), body_required=False)
    @protect()
    @safe
    @permission_name("resolve")
    def resolve(self, pk):
        """Mark an action as handled by hand; body ``{"note": "...", "failed": false}``
        is optional. ``failed: true`` gives it up as not done: a paid registration,
        transfer or renewal is then credited to the customer."""
        data = json_body(ResolveSchema())
        return self._change(pk, lambda item: actions.resolve(db.session, item, g.user.username, data["note"],
                                                             failed=data["failed"]))
