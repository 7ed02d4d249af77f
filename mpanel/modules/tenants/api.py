"""``/api/v1/tenants/`` for the platform operator: onboard a tenant (validated
codes, every loaded plugin active, its first Owner invited) through the same
service as ``/operator/tenants/new`` and ``flask mpanel tenants create``."""

from __future__ import annotations

from flask import current_app, g, request
from flask_appbuilder.api import expose, protect
from marshmallow import Schema, fields, validate

from mpanel.api.base import Api, safe, transaction
from mpanel.api.body import json_body
from mpanel.api.fields import Id
from mpanel.core.errors import FieldError
from mpanel.core.plugins.engine import active_plugin_names, loaded_plugins
from mpanel.core.tenancy import tenant_scope
from mpanel.extensions import db
from mpanel.modules.tenants import onboarding


class TenantOnboardingSchema(Schema):
    slug = fields.String(required=True, validate=validate.Length(min=1, max=63),
                         metadata={"description": "the host name: <slug>.<base domain>"})
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    country = fields.String(required=True, metadata={"description": "ISO 3166-1 alpha-2"})
    currency = fields.String(required=True, metadata={"description": "ISO 4217"})
    locale = fields.String(required=True, metadata={"description": "one of the platform's languages"})
    timezone = fields.String(required=True, metadata={"description": "an IANA time zone"})
    owner_email = fields.String(required=True, validate=validate.Length(min=1, max=320))
    owner_name = fields.String(load_default="", validate=validate.Length(max=128))


class TenantCreatedSchema(Schema):
    id = Id()
    slug = fields.String()
    name = fields.String()
    url = fields.String()
    plugins = fields.List(fields.String())


class TenantOnboardingApi(Api):
    """The operator only (tenant staff: 403 by role, and 404 on a tenant's host)."""

    resource_name = "tenants"
    base_permissions = ["can_post"]
    method_permission_name = {"onboard": "post"}
    openapi_spec_component_schemas = (TenantOnboardingSchema, TenantCreatedSchema)

    @expose("/", methods=["POST"])
    @protect()
    @safe
    @transaction
    def onboard(self):
        """Create a tenant with every loaded plugin active and invite its first Owner by mail.
        ---
        post:
          requestBody:
            required: true
            content:
              application/json:
                schema: {$ref: '#/components/schemas/TenantOnboardingSchema'}
          responses:
            201:
              description: the tenant
              content:
                application/json:
                  schema: {type: object, properties: {result: {$ref: '#/components/schemas/TenantCreatedSchema'}}}
        """
        if g.user.tenant_id is not None or g.get("tenant") is not None:
            raise FieldError("request", "tenants are onboarded on the platform's host", status=404)
        data = json_body(TenantOnboardingSchema())
        port = request.host.partition(":")[2] or None
        url = onboarding.tenant_url(data["slug"], request.scheme, current_app.config["BASE_DOMAIN"], port)
        tenant = onboarding.onboard(db.session, data, list(loaded_plugins()), url, g.user.get_full_name())
        with tenant_scope(tenant.id, session=db.session):
            plugins = sorted(active_plugin_names(db.session))
        return self.response(201, result={"id": tenant.id, "slug": tenant.slug, "name": tenant.name, "url": url,
                                          "plugins": plugins})
