"""``flask mpanel backup run | list | verify BACKUP | restore BACKUP --into DATABASE_URL``."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from mpanel.core.storage import StorageError

from . import service, tasks  # noqa: F401  (tasks: registers the nightly backup)
from .archive import BackupError

backup_cli = AppGroup("backup", help="Encrypted database backups in the storage service.")


def _problems(result: dict) -> None:
    for line in result["problems"]:
        click.echo(f"  {line}", err=True)
    if result["problems"]:
        raise click.ClickException(f"{result['name']}: {len(result['problems'])} difference(s)")


def _guarded(fn):
    def run(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except (BackupError, StorageError) as exc:
            raise click.ClickException(str(exc)) from None

    run.__name__, run.__doc__ = fn.__name__, fn.__doc__
    return run


@backup_cli.command("run")
@_guarded
def run_command():
    """Back up the database and the storage manifest now, then apply the retention."""
    made = service.run_backup()
    deleted = service.apply_retention()
    click.echo(f"{made['name']}: {made['size']} bytes, {made['tables']} tables, {made['rows']} rows, "
               f"{made['files']} files; {len(deleted)} old backup(s) deleted")


@backup_cli.command("list")
@_guarded
def list_command():
    """The stored backups, oldest first."""
    for item in service.list_backups():
        click.echo(f"{item['name']}\t{item['size']}")


@backup_cli.command("verify")
@click.argument("name")
@_guarded
def verify_command(name):
    """Restore BACKUP into a scratch database and compare it with the source."""
    result = service.verify(name)
    _problems(result)
    click.echo(f"{name}: ok, {result['tables']} tables and {result['rows']} rows match the source, "
               f"{result['files']} files present")


@backup_cli.command("restore")
@click.argument("name")
@click.option("--into", "into", required=True, help="the target database URL (a role that bypasses RLS)")
@click.option("--force", is_flag=True, help="replace the contents of a database that is not empty")
@_guarded
def restore_command(name, into, force):
    """Restore BACKUP into the database at --into."""
    result = service.restore(name, into, force=force)
    _problems(result)
    click.echo(f"{name}: restored into {into.rsplit('@', 1)[-1]}, {result['tables']} tables checked")
