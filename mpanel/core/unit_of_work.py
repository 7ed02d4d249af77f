"""The unit of work: a service call that changes money or state.

``with unit_of_work(session, "invoice.issue") as work:`` (or ``@service("invoice.issue")``
on a function whose first argument is the session) runs the call

- in one transaction: a savepoint inside the caller's, so a failure undoes all of
  the call's writes and leaves the caller's transaction usable; the caller commits;
- audited: ``work.audit(obj, **summary)`` adds one row for the call (the flush hook
  records every row it changed as well);
- with after-commit work: ``work.after_commit(fn, *args)`` runs once the caller's
  transaction commits (in the same tenant scope, a fresh app context), never after a
  rollback; ``work.enqueue(kind, payload, dedupe_key)`` puts a side effect in the
  outbox, in the transaction;
- with no network call inside: code about to talk to another system calls
  :func:`forbid_network`, which raises while a unit of work is open. Outside calls
  happen before (a registry's availability check) or after commit (the outbox).

Units nest: an inner one (issue inside checkout) joins the outer one's savepoint.
"""

from __future__ import annotations

import functools
import logging
from contextlib import contextmanager
from contextvars import ContextVar

from sqlalchemy import event
from sqlalchemy.orm import Session

from mpanel.core import audit, outbox
from mpanel.core.tenancy import current_tenant_id, tenant_scope

log = logging.getLogger(__name__)
_open: ContextVar[UnitOfWork | None] = ContextVar("mpanel_unit_of_work", default=None)
_PENDING = "mpanel_after_commit"


class NetworkInUnitOfWork(RuntimeError):
    """An outside call was attempted while a unit of work holds the transaction."""


class UnitOfWork:
    def __init__(self, session, action: str):
        self.session, self.action = session, action
        self._after: list = []

    def audit(self, obj=None, **summary) -> None:
        ident = getattr(obj, "id", None)
        audit.record(self.session, self.action, type(obj).__name__ if obj is not None else None, ident, summary)

    def after_commit(self, fn, *args, **kwargs) -> None:
        self._after.append((current_tenant_id(), fn, args, kwargs))

    def enqueue(self, kind: str, payload: dict, dedupe_key: str | None = None) -> None:
        outbox.enqueue(self.session, kind, payload, dedupe_key=dedupe_key)


def forbid_network(what: str) -> None:
    """Call before talking to another system (registry, payment provider, mail server)."""
    work = _open.get()
    if work is not None:
        raise NetworkInUnitOfWork(f"{what} called inside the unit of work {work.action!r}: "
                                  "call it before the transaction or after commit (outbox)")


@contextmanager
def unit_of_work(session, action: str):
    outer = _open.get()
    if outer is not None:  # joins the unit already open
        yield outer
        return
    work = UnitOfWork(session, action)
    token = _open.set(work)
    try:
        with session.begin_nested():
            yield work
    finally:
        _open.reset(token)
    session.info.setdefault(_PENDING, []).extend(work._after)


def service(action: str):
    """Decorate ``fn(session, ...)`` to run as a unit of work named ``action``."""

    def decorate(fn):
        @functools.wraps(fn)
        def run(session, *args, **kwargs):
            with unit_of_work(session, action):
                return fn(session, *args, **kwargs)

        return run

    return decorate


def _run_after_commit(session) -> None:
    from mpanel.core.tasks import _app_context

    if session.in_nested_transaction():  # a savepoint released, not the transaction committed
        return
    for tenant_id, fn, args, kwargs in session.info.pop(_PENDING, ()):
        try:
            with _app_context(), tenant_scope(tenant_id):
                fn(*args, **kwargs)
        except Exception:  # the change is committed; a failed follow-up must not undo it
            log.exception("after-commit work %s failed", getattr(fn, "__name__", fn))


def _drop_after_rollback(session, previous_transaction) -> None:
    if previous_transaction.parent is None:  # the transaction, not a savepoint
        session.info.pop(_PENDING, None)


if not event.contains(Session, "after_commit", _run_after_commit):
    event.listen(Session, "after_commit", _run_after_commit)
    event.listen(Session, "after_soft_rollback", _drop_after_rollback)
