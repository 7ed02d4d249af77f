"""``flask mpanel ...``: database, initialisation, plugins, tenants, billing hooks."""

from __future__ import annotations

import argparse
import os
from zoneinfo import available_timezones

import click
import pycountry
from alembic import command
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from mpanel.config.defaults import LANGUAGES as DEFAULTS_LANGUAGES
from mpanel.core.plugins import migrations
from mpanel.core.plugins.engine import PluginError, discover, loaded_plugins, set_active
from mpanel.core.security.roles import OPERATOR
from mpanel.core.storage.cli import storage_cli
from mpanel.core.tenancy import tenant_scope
from mpanel.extensions import appbuilder, db
from mpanel.modules.backups.cli import backup_cli
from mpanel.modules.tenants.models import Tenant

mpanel = AppGroup("mpanel", help="MPanel administration.")
database = AppGroup("db", help="Migrations of the kernel and the plugins.")
plugins = AppGroup("plugins", help="Installed plugins and their activation per tenant.")
tenants = AppGroup("tenants", help="Tenants (hosting companies).")
mpanel.add_command(database)
mpanel.add_command(plugins)
mpanel.add_command(tenants)
mpanel.add_command(storage_cli)
mpanel.add_command(backup_cli)


@database.command("upgrade")
def db_upgrade():
    """Migrate the kernel, then every enabled plugin in dependency order."""
    migrations.upgrade_all()
    click.echo("database is up to date")


@database.command("downgrade")
@click.argument("revision")
@click.option("--plugin", help="Downgrade this plugin's tables only.")
def db_downgrade(revision, plugin):
    """Downgrade the kernel (or one plugin) to REVISION ("base" removes it all)."""
    migrations.downgrade(plugin, revision)
    click.echo(f"downgraded {plugin or 'kernel'} to {revision}")


@database.command("revision")
@click.option("--plugin", help="Write the revision into this plugin's migrations.")
@click.option("-m", "--message", required=True)
@click.option("--autogenerate", is_flag=True)
def db_revision(plugin, message, autogenerate):
    """Create a new migration for the kernel or a plugin."""
    cfg = migrations.alembic_config(plugin)
    cfg.cmd_opts = argparse.Namespace(autogenerate=autogenerate)  # read by migrations/env.py
    command.revision(cfg, message=message, autogenerate=autogenerate)


@mpanel.command("init")
@click.option("--operator-email", default=lambda: os.environ.get("MPANEL_OPERATOR_EMAIL"))
@click.option("--operator-password", default=lambda: os.environ.get("MPANEL_OPERATOR_PASSWORD"))
def init(operator_email, operator_password):
    """Sync FAB permissions, create the base roles and a platform operator."""
    from mpanel.core.security.users import create_user

    sm = appbuilder.sm
    for role in [OPERATOR, sm.auth_role_public, *sm.builtin_roles]:
        if sm.find_role(role) is None:
            sm.add_role(role)
    appbuilder.add_permissions(update_perms=True)
    if operator_email and operator_password and sm.find_user(username=operator_email) is None:
        create_user(operator_email, operator_password, OPERATOR, "Platform", "Operator")
        click.echo(f"created platform operator {operator_email}")
    db.session.commit()
    click.echo("roles and permissions are in place")


@plugins.command("list")
def plugins_list():
    """Installed plugins, and whether this configuration loads them."""
    loaded = loaded_plugins()
    for name, ep in sorted(discover().items()):
        plugin = loaded.get(name)
        state = "loaded" if plugin else "installed, not enabled"
        click.echo(f"{name:20} {plugin.version if plugin else ep.value:12} {state}")


def _tenant(slug: str) -> Tenant:
    tenant = db.session.scalar(select(Tenant).where(Tenant.slug == slug))
    if tenant is None:
        raise click.BadParameter(f"no tenant with slug {slug!r}", param_hint="--tenant")
    return tenant


def _set(name: str, slug: str, active: bool) -> None:
    tenant = _tenant(slug)
    with tenant_scope(tenant.id, session=db.session):
        try:
            set_active(db.session, name, active)
        except PluginError as exc:
            raise click.ClickException(str(exc)) from None
        db.session.commit()
    click.echo(f"{name} {'enabled' if active else 'disabled'} for {slug}")


@plugins.command("enable")
@click.argument("name")
@click.option("--tenant", "slug", required=True)
def plugins_enable(name, slug):
    """Activate plugin NAME for a tenant."""
    _set(name, slug, True)


@plugins.command("disable")
@click.argument("name")
@click.option("--tenant", "slug", required=True)
def plugins_disable(name, slug):
    """Deactivate plugin NAME for a tenant."""
    _set(name, slug, False)


def _codes(values) -> click.Choice:
    return click.Choice(sorted(values), case_sensitive=False)


@tenants.command("create")
@click.argument("slug")
@click.argument("name")
@click.option("--owner-email", required=True, help="The first Owner; invited by mail to choose a password.")
@click.option("--owner-name", default="")
@click.option("--currency", default="EUR", type=_codes(c.alpha_3 for c in pycountry.currencies))
@click.option("--timezone", default="UTC", type=_codes(available_timezones()))
@click.option("--country", default="DE", type=_codes(c.alpha_2 for c in pycountry.countries))
@click.option("--locale", default="en", type=click.Choice(list(DEFAULTS_LANGUAGES)))
@click.option("--url", help="The tenant's address for the invitation link [http://SLUG.BASE_DOMAIN(:MPANEL_PORT)]")
def tenants_create(slug, name, owner_email, owner_name, currency, timezone, country, locale, url):
    """Create a tenant with every loaded plugin active and invite its first Owner."""
    from mpanel.core.errors import FieldError
    from mpanel.modules.tenants import onboarding

    url = url or onboarding.tenant_url(slug, "http", current_app.config["BASE_DOMAIN"], os.environ.get("MPANEL_PORT"))
    values = {"slug": slug, "name": name, "currency": currency.upper(), "timezone": _zone(timezone),
              "country": country.upper(), "locale": locale, "owner_email": owner_email, "owner_name": owner_name}
    try:
        onboarding.onboard(db.session, values, list(loaded_plugins()), url, "The platform operator")
    except FieldError as exc:
        raise click.ClickException("; ".join(f"{field}: {msg[0]}" for field, msg in exc.as_messages().items())) \
            from None
    db.session.commit()
    click.echo(f"created tenant {slug} at {url}; invited {owner_email}")


def _zone(name: str) -> str:
    return next(zone for zone in available_timezones() if zone.lower() == name.lower())


def _set_tenant_active(slug: str, active: bool) -> None:
    tenant = _tenant(slug)
    tenant.active = active
    db.session.commit()
    click.echo(f"tenant {slug} {'reactivated' if active else 'deactivated (its data is kept)'}")


@tenants.command("deactivate")
@click.argument("slug")
def tenants_deactivate(slug):
    """Stop a tenant: its hosts, sign-ins and tokens answer nothing; its data stays."""
    _set_tenant_active(slug, False)


@tenants.command("reactivate")
@click.argument("slug")
def tenants_reactivate(slug):
    _set_tenant_active(slug, True)


@mpanel.command("demo")
def demo():
    """Seed the demo data (idempotent)."""
    from mpanel.demo import seed

    for line in seed(db.session):
        click.echo(line)
