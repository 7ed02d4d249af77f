"""``flask mpanel billing run [--tenant SLUG] [--date YYYY-MM-DD]``."""

from __future__ import annotations

import json

import click
from flask.cli import AppGroup
from sqlalchemy import select

billing = AppGroup("billing", help="Billing: the recurring billing run.")


@billing.command("run")
@click.option("--tenant", "slug", help="only this tenant (slug); default: every active tenant")
@click.option("--date", "on", type=click.DateTime(formats=["%Y-%m-%d"]), help="bill as of this date")
def run_command(slug, on):
    """Invoice the due services now, tenant by tenant; prints each tenant's counts."""
    from mpanel.extensions import db
    from mpanel.modules.tenants.models import Tenant

    from .run import run_tenant

    query = select(Tenant.id, Tenant.slug).where(Tenant.active.is_(True)).order_by(Tenant.id)
    if slug:
        query = select(Tenant.id, Tenant.slug).where(Tenant.slug == slug)
    tenants = db.session.execute(query).all()
    db.session.remove()
    if slug and not tenants:
        raise click.BadParameter(f"no tenant {slug!r}", param_hint="--tenant")
    failures = 0
    for tenant_id, tenant_slug in tenants:
        result = run_tenant(tenant_id, on.date() if on else None)
        failures += result["failures"]
        click.echo(f"{tenant_slug}: {result['status']} {json.dumps(result['counts'], sort_keys=True)}")
    if failures:
        raise SystemExit(1)
