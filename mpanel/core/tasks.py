"""Huey wiring: storage chosen by configuration, tasks that run in an app
context with an explicit tenant, and locked periodic tasks that record their
runs in the automation status.

Storage: Redis when ``MPANEL_REDIS_URL`` is set, SQLite (``HUEY_SQLITE_PATH``)
in the embedded default, in-memory immediate mode when ``HUEY_IMMEDIATE``.
"""

from __future__ import annotations

import functools
import logging
from pathlib import Path

from flask import current_app, has_app_context
from huey import Huey, RedisHuey, SqliteHuey
from huey.exceptions import TaskLockedException

from mpanel.core import counters
from mpanel.core.tenancy import tenant_scope

log = logging.getLogger(__name__)

# Tasks register on this object at import time; configure() gives it storage.
huey = Huey("mpanel", immediate=True)
_app = None


def configure(app) -> None:
    global _app
    _app = app
    immediate = app.config["HUEY_IMMEDIATE"]
    if app.config.get("REDIS_URL"):
        huey.storage_class, huey.storage_kwargs = RedisHuey.storage_class, {"url": app.config["REDIS_URL"]}
    else:
        path = Path(app.config["HUEY_SQLITE_PATH"])
        path.parent.mkdir(parents=True, exist_ok=True)
        huey.storage_class, huey.storage_kwargs = SqliteHuey.storage_class, {"filename": str(path)}
    huey._immediate = immediate
    huey.name = app.config["HUEY_QUEUE"]  # per installation: a shared Redis keeps the queues apart
    huey.storage = huey.create_storage()
    app.extensions["huey"] = huey


def _app_context():
    """A fresh app context: of the calling app when a task runs inline
    (immediate mode), else of the worker's app."""
    if has_app_context():
        return current_app._get_current_object().app_context()
    if _app is None:
        raise RuntimeError("Huey task ran before create_app(): start workers with `make worker`")
    return _app.app_context()


def tenant_task(**task_options):
    """A Huey task whose first argument is the tenant id; runs in that scope
    and commits (or rolls back) its own transaction."""

    def decorate(fn):
        @huey.task(**task_options)
        @functools.wraps(fn)
        def run(tenant_id, *args, **kwargs):
            from mpanel.extensions import db

            with _app_context(), tenant_scope(tenant_id):
                try:
                    result = fn(tenant_id, *args, **kwargs)
                    db.session.commit()
                    return result
                except Exception:
                    db.session.rollback()
                    raise
                finally:
                    db.session.remove()

        return run

    return decorate


def locked_periodic(schedule, name: str):
    """A periodic task that never overlaps itself and records each run.

    The wrapped function receives the run's ``counts`` dict to fill in and
    returns the number of failures; call it directly (``fn.call_local()``) in tests.
    """

    def decorate(fn):
        @huey.periodic_task(schedule, name=name)
        @functools.wraps(fn)
        def run():
            try:
                with huey.lock_task(name):
                    return run_recorded(name, fn)
            except TaskLockedException:
                log.info("%s is already running; this run is skipped", name)
                return None

        return run

    return decorate


MAX_ERRORS = 20  # error texts kept per run


def record_failure(counts: dict, what: str, exc: BaseException) -> None:
    """Count a failed item of a run and keep its error text for the automation status."""
    counts["failures"] = counts.get("failures", 0) + 1
    errors = counts.setdefault("errors", [])
    if len(errors) < MAX_ERRORS:
        errors.append(f"{what}: {type(exc).__name__}: {exc}"[:500])


def run_recorded(name: str, fn, *args, tenant_id=None):
    """Run ``fn(counts, *args)`` with an automation-status row for it; the error
    texts noted with :func:`record_failure` become the row's ``error``."""
    from mpanel.extensions import db
    from mpanel.modules.automation.models import AutomationRun

    with _app_context(), tenant_scope(tenant_id):
        entry = AutomationRun(task=name)
        db.session.add(entry)
        db.session.commit()
        entry_id = entry.id
        counts: dict = {}
        try:
            failures = fn(counts, *args) or 0
            status, error = ("failed" if failures else "ok"), None
        except Exception as exc:
            db.session.rollback()
            log.exception("%s failed", name)
            failures, status, error = 1, "failed", f"{type(exc).__name__}: {exc}"
        errors = counts.pop("errors", [])
        if errors and failures:
            error = "\n".join(filter(None, [error, *errors]))
        entry = db.session.get(AutomationRun, entry_id)
        entry.status, entry.counts, entry.failures, entry.error = status, counts, failures, error
        entry.finished_at = db.func.now()
        db.session.commit()
        db.session.remove()
        counters.JOBS.labels(task=name, status=status).inc()
        return {"status": status, "counts": counts, "failures": failures}
