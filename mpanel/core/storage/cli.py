"""``flask mpanel storage ...``: plugins add their commands to this group."""

from flask.cli import AppGroup

storage_cli = AppGroup("storage", help="Files in the storage service.")
