"""Bringing domain records in line with their registries.

:func:`sync_tenant` runs per tenant (see :mod:`mpanel_domains.tasks`): it reads
each registrar's message queue, then pages through the domains in batches,
least recently synced first, committing per batch.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict

from sqlalchemy import exists, select, update
from sqlalchemy.orm import object_session

from mpanel.core.clock import tenant_today
from mpanel.core.errors import FieldError
from mpanel.extensions import db
from mpanel_domains import settings as domain_settings
from mpanel_domains.constants import (
    CLOSED,
    PENDING_TRANSFER,
    QUEUED,
    REGISTERED,
    RUNNING,
    TRANSFERRED_AWAY,
)
from mpanel_domains.lookup import get_registrar
from mpanel_domains.models import Domain, DomainAction
from mpanel_domains.registrar import DomainState, RegistrarError
from mpanel_domains.signals import domain_status_changed

log = logging.getLogger(__name__)
SYNCED = (*REGISTERED, PENDING_TRANSFER)


def apply_state(domain: Domain, state: DomainState) -> None:
    """Copy what the registry reports onto the record (and signal a new status).
    A transfer still pending stays pending while another registrar holds the name."""
    if domain.status == PENDING_TRANSFER and not state.ours:
        return
    new_status = state.status if state.ours else TRANSFERRED_AWAY
    if state.ours:
        domain.expires_at = state.expires_at or domain.expires_at
        if state.nameservers:
            domain.nameservers = list(state.nameservers)
        if state.locked is not None:
            domain.registrar_lock = state.locked
        if domain.registered_at is None and new_status in REGISTERED:
            domain.registered_at = tenant_today(object_session(domain))
    set_status(domain, new_status)


def set_status(domain: Domain, status: str) -> None:
    old, domain.status = domain.status, status
    if old != status:
        domain_status_changed.send(domain, old=old, new=status)


def _mark_synced(session, ids, error: str | None = None) -> None:
    # A plain UPDATE, not an ORM change: bookkeeping stays out of the audit log.
    if ids:
        session.execute(update(Domain).where(Domain.id.in_(ids))
                        .values(last_synced_at=dt.datetime.now(dt.UTC), sync_error=error)
                        .execution_options(synchronize_session=False))


def _registrar(session, registrars: dict, name: str):
    if name not in registrars:
        try:
            registrars[name] = get_registrar(session, name)
        except FieldError as exc:
            registrars[name] = RegistrarError(str(exc))
    return registrars[name]


def apply_events(session, registrar, counts: dict) -> None:
    """Registry notices (e.g. a completed transfer away) for this registrar's domains."""
    for event in registrar.poll():
        counts["poll_messages"] = counts.get("poll_messages", 0) + 1
        domain = session.scalar(select(Domain).where(Domain.name == event.name, Domain.registrar == registrar.name,
                                                     Domain.status.not_in(CLOSED)))
        if domain is not None and event.kind == TRANSFERRED_AWAY and domain.status != PENDING_TRANSFER:
            set_status(domain, TRANSFERRED_AWAY)
            counts["transferred_away"] = counts.get("transferred_away", 0) + 1
    session.commit()


def _due(session, started: dt.datetime, limit: int) -> list[Domain]:
    """The next batch: synced least recently, not synced in this run, no action under way
    (the queue would otherwise be overtaken by the registry's older state)."""
    busy = exists().where(DomainAction.domain_id == Domain.id, DomainAction.status.in_((QUEUED, RUNNING)))
    return session.scalars(
        select(Domain)
        .where(Domain.status.in_(SYNCED), ~busy,
               (Domain.last_synced_at.is_(None)) | (Domain.last_synced_at < started))
        .order_by(Domain.last_synced_at.asc().nulls_first(), Domain.id)
        .limit(limit)
    ).all()


def _sync_batch(session, batch: list[Domain], registrars: dict, counts: dict) -> int:
    failures = 0
    by_registrar = defaultdict(list)
    for domain in batch:
        by_registrar[domain.registrar].append(domain)
    for name, domains in by_registrar.items():
        registrar = _registrar(session, registrars, name)
        results = ({d.name: registrar for d in domains} if isinstance(registrar, RegistrarError)
                   else registrar.sync([d.name for d in domains]))
        for domain in domains:
            result = results.get(domain.name) or RegistrarError("no answer from the registrar")
            if isinstance(result, RegistrarError):
                failures += 1
                _mark_synced(session, [domain.id], f"{type(result).__name__}: {result}")
                continue
            before = (domain.status, domain.expires_at)
            apply_state(domain, result)
            counts["updated"] = counts.get("updated", 0) + ((domain.status, domain.expires_at) != before)
            _mark_synced(session, [domain.id])
    counts["checked"] = counts.get("checked", 0) + len(batch)
    counts["failed"] = counts.get("failed", 0) + failures
    counts["batches"] = counts.get("batches", 0) + 1
    session.commit()
    return failures


def sync_tenant(counts: dict) -> int:
    """Sync the tenant in scope; fills ``counts`` and returns the number of failures."""
    session = db.session
    config = domain_settings.load(session)
    started = dt.datetime.now(dt.UTC)
    registrars: dict = {}
    failures = 0
    try:
        in_use = session.scalars(select(Domain.registrar).where(Domain.status.in_(SYNCED)).distinct()).all()
        for name in sorted(in_use):
            registrar = _registrar(session, registrars, name)
            if isinstance(registrar, RegistrarError):
                continue
            try:
                apply_events(session, registrar, counts)
            except RegistrarError as exc:
                log.warning("domains sync: poll of %s failed: %s", name, exc)
                failures += 1
        while (remaining := config.sync_max_per_run - counts.get("checked", 0)) > 0:
            batch = _due(session, started, min(config.sync_batch_size, remaining))
            if not batch:
                break
            failures += _sync_batch(session, batch, registrars, counts)
    finally:
        for registrar in registrars.values():
            if not isinstance(registrar, RegistrarError):
                registrar.close()
    return failures
