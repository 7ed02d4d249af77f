"""The nightly backup: locked, recorded on the automation status, then the retention."""

from huey import crontab

from mpanel.core.tasks import locked_periodic

from . import service


@locked_periodic(crontab(minute="30", hour="2"), "backups.nightly")
def nightly_backup(counts: dict) -> int:
    made = service.run_backup()
    counts.update(name=made["name"], size=made["size"], rows=made["rows"], files=made["files"])
    counts["deleted"] = len(service.apply_retention())
    return 0
