"""Onboarding a tenant (operator UI and CLI): validated codes, every loaded
plugin active, and a first Owner invited by mail to choose a password."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select

from mpanel.core.errors import FieldError
from mpanel.core.security.hashing import new_token
from mpanel.core.security.users import create_user
from mpanel.core.tenancy import tenant_scope
from mpanel.modules.customers.validation import check_country, check_currency, check_language
from mpanel.modules.tenants.models import Tenant
from mpanel.modules.tenants.validation import check_slug, check_timezone

CHECKS = {"slug": check_slug, "country": check_country, "currency": check_currency, "locale": check_language,
          "timezone": check_timezone}


def check(session, values: dict) -> dict:
    """The values in canonical form; FieldError naming every bad field."""
    clean, errors = dict(values), {}
    for name, rule in CHECKS.items():
        try:
            clean[name] = rule(values.get(name) or "")
        except ValueError as exc:
            errors[name] = str(exc)
    if not (values.get("name") or "").strip():
        errors["name"] = "a name is required"
    try:
        clean["owner_email"] = validate_email(values.get("owner_email") or "", check_deliverability=False).normalized
    except EmailNotValidError as exc:
        errors["owner_email"] = str(exc)
    if "slug" not in errors and session.scalar(select(Tenant.id).where(Tenant.slug == clean["slug"])):
        errors["slug"] = f"a tenant {clean['slug']!r} exists already"
    if errors:
        raise FieldError(errors)
    return clean


def onboard(session, values: dict, plugins, base_url: str, inviter: str) -> Tenant:
    """Create the tenant with ``plugins`` active and invite its first Owner; the caller commits."""
    from mpanel.modules.accounts import invitations
    from mpanel.modules.tenants.service import create_tenant

    clean = check(session, values)
    tenant = create_tenant(session, clean["slug"], clean["name"].strip(), clean["currency"], clean["timezone"],
                           clean["country"], clean["locale"], plugins=plugins)
    with tenant_scope(tenant.id, session=session):
        first, _, last = (clean.get("owner_name") or "").strip().partition(" ")
        owner = create_user(clean["owner_email"].lower(), new_token(), "Owner", first, last, locale=clean["locale"])
        session.flush()
        invitations.send(session, owner, base_url, inviter, tenant.name)
        session.flush()
    return tenant


def tenant_url(slug: str, scheme: str, base_domain: str, port: str | None) -> str:
    return f"{scheme}://{slug}.{base_domain}" + (f":{port}" if port else "")
