"""The import as a background job (Huey): the staff page queues it, the page polls its run row."""

from __future__ import annotations

from mpanel.core import crypto
from mpanel.core.clock import utcnow
from mpanel.core.tasks import tenant_task

from .models import DONE, FAILED, RUNNING, ImportRun


def execute(session, run_id: int) -> None:
    """Run ``run_id`` now (in the tenant's scope), recording progress, report or error on its row."""
    from mpanel.modules.tenants.models import Tenant

    from .runner import run_import

    run = session.get(ImportRun, run_id)
    if run is None or run.secret is None:
        return
    dsn, dry_run, tenant_id = crypto.decrypt(run.secret), run.dry_run, run.tenant_id
    run.status = RUNNING
    session.commit()
    progress = {}

    def report_progress(table, done, total):
        progress[table] = {"done": done, "total": total}
        if not dry_run:  # a dry run's transaction is rolled back at its end: progress shows when done
            row = session.get(ImportRun, run_id)
            row.progress = dict(progress)

    try:
        report = run_import(session, session.get(Tenant, tenant_id), dsn, dry_run=dry_run, progress=report_progress)
        status, error = DONE, None
    except Exception as exc:  # the run's row must say why; the worker logs the traceback
        session.rollback()
        report, status, error = None, FAILED, str(getattr(exc, "message", exc))[:2000]
    run = session.get(ImportRun, run_id)
    run.status, run.report, run.error, run.progress = status, report, error, progress
    run.secret, run.finished_at = None, utcnow()
    session.commit()


@tenant_task()
def run_import_task(tenant_id: int, run_id: int) -> None:
    from mpanel.extensions import db

    execute(db.session, run_id)
