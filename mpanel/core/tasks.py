"""Huey wiring: storage chosen by configuration, tasks that run in an app
context with an explicit tenant, locked periodic tasks that record their runs
in the automation status, and :func:`per_tenant_periodic`, the one fan-out of a
periodic task to every tenant that uses it.

Storage: Redis when ``MPANEL_REDIS_URL`` is set, SQLite (``HUEY_SQLITE_PATH``)
in the embedded default, in-memory immediate mode when ``HUEY_IMMEDIATE``.
"""

from __future__ import annotations

import functools
import logging
import zlib
from contextlib import contextmanager
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


def per_tenant_periodic(schedule, name: str, *, uses=(), queue: bool = True, record: bool = True,
                        active_only: bool = True, **task_options):
    """A locked periodic task ``name`` that fans out to every tenant using it:
    each tenant's run has its own scope, lock, error capture and (``record``)
    automation-status row ``<name>.tenant``.

    The decorated ``fn(counts, *args)`` runs in the tenant's scope (``db.session``),
    fills ``counts`` and returns its number of failures. ``uses``: the plugins the
    tenant must have active (all of them), or a predicate on the set of its active
    plugins. ``queue``: one Huey task per tenant (default), or the tenants one after
    the other inside the periodic run, their counts added up into its row (for
    frequent, small sweeps: with ``record=False`` only errors are kept, in that row).
    ``active_only``: skip deactivated tenants.

    The result also has ``.for_tenant(tenant_id, *args)`` (the Huey task) and
    ``.run_tenant(tenant_id, *args)`` (inline, for the CLI and tests).
    """
    tenant_name = f"{name}.tenant"
    wanted = uses if callable(uses) else (lambda active: set(uses) <= active)

    def decorate(fn):
        def in_tenant(counts, *args):
            from mpanel.core.plugins.engine import active_plugin_names
            from mpanel.extensions import db

            if (uses or callable(uses)) and not wanted(active_plugin_names(db.session)):
                counts["not_used"] = True
                return 0
            return fn(counts, *args)

        def run_tenant(tenant_id: int, *args) -> dict:
            if record:
                return run_recorded(tenant_name, in_tenant, *args, tenant_id=tenant_id)
            return _run_captured(tenant_name, in_tenant, *args, tenant_id=tenant_id)

        @huey.task(name=tenant_name, **task_options)
        def for_tenant(tenant_id: int, *args) -> dict:
            with _app_context():
                return run_tenant(tenant_id, *args)

        @functools.wraps(fn)
        def fan_out(counts: dict) -> int:
            from sqlalchemy import select

            from mpanel.extensions import db
            from mpanel.modules.tenants.models import Tenant

            query = select(Tenant.id).order_by(Tenant.id)
            tenant_ids = db.session.scalars(query.where(Tenant.active.is_(True)) if active_only else query).all()
            db.session.rollback()
            counts["tenants"], failures = len(tenant_ids), 0
            for tenant_id in tenant_ids:
                if queue:
                    for_tenant(tenant_id)
                    continue
                result = run_tenant(tenant_id)
                failures += result["failures"]
                for key, value in result["counts"].items():
                    if isinstance(value, int) and not isinstance(value, bool):
                        counts[key] = counts.get(key, 0) + value
                errors = counts.setdefault("errors", [])
                texts = [result["error"]] if result.get("error") else []  # unrecorded runs: errors go into this row
                texts += result["counts"].get("errors", [])
                errors.extend(f"tenant {tenant_id}: {text}" for text in texts[:max(0, MAX_ERRORS - len(errors))])
                if not errors:
                    counts.pop("errors")
            return failures

        periodic = locked_periodic(schedule, name)(fan_out)
        periodic.for_tenant, periodic.run_tenant, periodic.task_name = for_tenant, run_tenant, tenant_name
        return periodic

    return decorate


def _run_captured(name: str, fn, *args, tenant_id=None) -> dict:
    """``fn(counts, *args)`` in the tenant's scope, its error caught, nothing recorded."""
    from mpanel.extensions import db

    counts: dict = {}
    with _app_context(), tenant_scope(tenant_id):
        try:
            failures, error = fn(counts, *args) or 0, None
        except Exception as exc:
            db.session.rollback()
            log.exception("%s (tenant %s) failed", name, tenant_id)
            failures, error = 1, f"{type(exc).__name__}: {exc}"
        finally:
            db.session.remove()
    return {"status": "failed" if failures else "ok", "counts": counts, "failures": failures, "error": error}


@contextmanager
def _run_lock(name: str, tenant_id: int | None):
    """A PostgreSQL advisory lock per (task, tenant), held for the run by a transaction
    of its own: one run at a time, released by the server when the transaction ends or
    a killed run's connection goes. A transaction-level lock, so that behind PgBouncer in
    transaction mode it stays on the one server connection that took it. Yields False
    when another run holds it."""
    from sqlalchemy import func, select

    from mpanel.extensions import db

    key = zlib.crc32(name.encode()) - 2**31, tenant_id or 0  # two int4 keys
    with db.engine.connect() as connection:
        try:
            yield connection.scalar(select(func.pg_try_advisory_xact_lock(*key)))
        finally:
            connection.rollback()


def _close_stale(session, name: str) -> int:
    """Runs of ``name`` (this tenant) still "running" although nobody holds their
    lock: killed mid-way. They are closed as failed."""
    from sqlalchemy import func, update

    from mpanel.modules.automation.models import AutomationRun

    result = session.execute(update(AutomationRun).where(AutomationRun.task == name,
                                                         AutomationRun.status == "running")
                             .values(status="failed", finished_at=func.now(),
                                     error="interrupted: the run stopped before it finished (closed by the next run)")
                             .execution_options(synchronize_session=False))
    return result.rowcount


def run_recorded(name: str, fn, *args, tenant_id=None):
    """Run ``fn(counts, *args)`` with an automation-status row for it, under the
    run's lock; stale "running" rows of the same task are closed first. Returns
    ``{"status", "counts", "failures", "error"}`` ("skipped" when another run holds the lock).
    The error texts noted with :func:`record_failure` become the row's ``error``."""
    from mpanel.extensions import db
    from mpanel.modules.automation.models import AutomationRun

    with _app_context(), tenant_scope(tenant_id), _run_lock(name, tenant_id) as held:
        if not held:
            log.info("%s (tenant %s) is already running; this run is skipped", name, tenant_id)
            return {"status": "skipped", "counts": {}, "failures": 0, "error": None}
        closed = _close_stale(db.session, name)
        entry = AutomationRun(task=name)
        db.session.add(entry)
        db.session.commit()
        entry_id = entry.id
        counts: dict = {"closed_stale_runs": closed} if closed else {}
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
        return {"status": status, "counts": counts, "failures": failures, "error": error}
