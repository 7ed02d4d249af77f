"""``flask mpanel import whmcs --tenant SLUG --source mysql://... [--dry-run] [--only ...] [--json]``."""

from __future__ import annotations

import json

import click
from flask.cli import AppGroup

from .runner import STEPS

import_group = AppGroup("import", help="Import another billing system's data into a tenant.")
STEP_NAMES = sorted({name for name, _ in STEPS})


def print_report(report: dict) -> None:
    click.echo(("DRY RUN: nothing was written\n" if report["dry_run"] else "") +
               f"{'table':<20}{'read':>8}{'imported':>10}{'updated':>9}{'unchanged':>11}{'skipped':>9}")
    for table, counts in report["tables"].items():
        click.echo(f"{table:<20}{counts['read']:>8}{counts['imported']:>10}{counts['updated']:>9}"
                   f"{counts['unchanged']:>11}{counts['skipped']:>9}")
    for problem in report["problems"]:
        click.echo(f"problem {problem['table']} {problem['id']}: {problem['reason']}")
    for currency, measures in report["reconciliation"].items():
        for measure, pair in measures.items():
            mark = "ok" if pair["whmcs"] == pair["mpanel"] else "DIFFERS"
            click.echo(f"{currency} {measure:<9} WHMCS {pair['whmcs']:>14}  MPanel {pair['mpanel']:>14}  {mark}")


@import_group.command("whmcs")
@click.option("--tenant", "slug", required=True, help="the tenant (slug) to import into")
@click.option("--source", "--dsn", "dsn", required=True, help="mysql://user:password@host[:port]/database")
@click.option("--dry-run", is_flag=True, help="read and check everything, write nothing")
@click.option("--only", help=f"comma-separated steps: {', '.join(STEP_NAMES)} (clients always run)")
@click.option("--json", "as_json", is_flag=True, help="print the report as JSON")
def whmcs_command(slug, dsn, dry_run, only, as_json):
    """Import a WHMCS database into one tenant; exits 1 if the reconciliation finds a difference."""
    from sqlalchemy import select

    from mpanel.core.errors import FieldError
    from mpanel.core.tenancy import tenant_scope
    from mpanel.extensions import db
    from mpanel.modules.tenants.models import Tenant

    from .runner import run_import

    steps = None
    if only:
        steps = {s.strip() for s in only.split(",") if s.strip()}
        unknown = steps - set(STEP_NAMES)
        if unknown:
            raise click.BadParameter(f"unknown steps {', '.join(sorted(unknown))}", param_hint="--only")
    tenant = db.session.scalar(select(Tenant).where(Tenant.slug == slug))
    if tenant is None:
        raise click.BadParameter(f"no tenant {slug!r}", param_hint="--tenant")
    with tenant_scope(tenant.id, session=db.session):
        try:
            report = run_import(db.session, tenant, dsn, dry_run=dry_run, only=steps)
        except FieldError as exc:
            db.session.rollback()
            raise click.BadParameter(str(exc), param_hint="--source") from None
        finally:
            db.session.remove()
    click.echo(json.dumps(report, indent=2)) if as_json else print_report(report)
    if report["differences"]:
        raise SystemExit(1)
