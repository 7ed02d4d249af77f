"""Running queued registrar actions (the outbox handler for ``domains.action``).

Runs at least once per queued action, so each step is idempotent: a change
whose outcome is unknown (connection lost after sending) is checked against
the registry's state before it is tried again.
"""

from __future__ import annotations

import datetime as dt

from mpanel.core import outbox
from mpanel.core.errors import FieldError
from mpanel.extensions import db
from mpanel_domains.actions import OUTBOX_KIND, enqueue
from mpanel_domains.constants import (
    ACTIVE,
    DONE,
    FAILED,
    ID_PROTECTION,
    LOCK,
    QUEUED,
    REDEMPTION,
    REGISTER,
    RENEW,
    RESTORE,
    RUNNING,
    TRANSFER,
    UPDATE_CONTACTS,
    UPDATE_NS,
)
from mpanel_domains.contacts import to_registrar
from mpanel_domains.lookup import get_registrar
from mpanel_domains.models import Domain, DomainAction
from mpanel_domains.registrar import DomainState, NameTaken, Registrar, RegistrarError, RegistryUnavailable
from mpanel_domains.signals import domain_action_finished
from mpanel_domains.sync import apply_state


def push_contacts(registrar: Registrar, domain: Domain) -> dict[str, str]:
    """Create or update the domain's contacts at the registrar; role -> handle."""
    handles, saved = {}, {}
    for role, contact in domain.contacts().items():
        if contact.id not in saved:
            known = (contact.registry_handles or {}).get(registrar.name)
            saved[contact.id] = registrar.save_contact(to_registrar(contact), known)
            if saved[contact.id] != known:
                contact.registry_handles = {**(contact.registry_handles or {}), registrar.name: saved[contact.id]}
        handles[role] = saved[contact.id]
    return handles


def _ours(registrar: Registrar, name: str) -> DomainState | None:
    """The registry's state if this account already holds the name (a lost answer), else None."""
    try:
        state = registrar.info(name)
    except RegistrarError:
        return None
    return state if state.ours else None


def _settle(session, domain: Domain, state: DomainState) -> None:
    """A new registration or transfer: apply the registry's state, then queue the
    lock and ID protection the record asks for (registries start without them)."""
    wanted_lock = domain.registrar_lock
    apply_state(domain, state)
    if bool(state.locked) != wanted_lock:
        domain.registrar_lock = wanted_lock
        enqueue(session, domain, LOCK, {"registrar_lock": wanted_lock})
    if domain.id_protection:
        enqueue(session, domain, ID_PROTECTION, {"id_protection": True})


def _register(session, registrar: Registrar, action: DomainAction) -> None:
    domain = action.domain
    try:
        handles = push_contacts(registrar, domain)
        state = registrar.register(domain.name, action.params["years"], domain.nameservers, handles)
    except (NameTaken, RegistryUnavailable):
        state = _ours(registrar, domain.name)
        if state is None:
            raise
    _settle(session, domain, state)


def _transfer(session, registrar: Registrar, action: DomainAction) -> None:
    domain = action.domain
    try:
        state = registrar.transfer(domain.name, domain.auth_code, action.params.get("years", 1))
    except RegistryUnavailable:
        state = _ours(registrar, domain.name)
        if state is None:
            raise
    if state.status != ACTIVE:
        apply_state(domain, state)  # pending at the registry: the sync completes it
        return
    _settle(session, domain, state)
    if domain.contacts():
        enqueue(session, domain, UPDATE_CONTACTS)


def _renew(session, registrar: Registrar, action: DomainAction) -> None:
    domain = action.domain
    target = dt.date.fromisoformat(action.params["target"])
    state = registrar.info(domain.name)
    if not state.ours:
        apply_state(domain, state)
        raise RegistrarError(f"{domain.name} is no longer held by this registrar account")
    if state.expires_at is None:
        raise RegistrarError(f"the registry reports no expiry date for {domain.name}")
    if state.expires_at < target:  # else an earlier run renewed it already
        state = registrar.renew(domain.name, state.expires_at, action.params["years"])
    apply_state(domain, state)


def _restore(session, registrar: Registrar, action: DomainAction) -> None:
    """Restore from redemption (skipped when an earlier run did), then renew up to the target."""
    domain = action.domain
    target = dt.date.fromisoformat(action.params["target"])
    state = registrar.info(domain.name)
    if not state.ours:
        apply_state(domain, state)
        raise RegistrarError(f"{domain.name} is no longer held by this registrar account")
    if state.status == REDEMPTION:
        state = registrar.restore(domain.name)
    if state.expires_at is not None and state.expires_at < target:
        state = registrar.renew(domain.name, state.expires_at, action.params.get("years", 1))
    apply_state(domain, state)


def _update_contacts(session, registrar: Registrar, action: DomainAction) -> None:
    registrar.set_contacts(action.domain.name, push_contacts(registrar, action.domain))


def _setting(attribute: str, method: str):
    """A step that sends the value queued in the action's params (or the record's)
    with ``registrar.<method>(name, value)``, then records it on the domain."""

    def step(session, registrar: Registrar, action: DomainAction) -> None:
        value = action.params.get(attribute, getattr(action.domain, attribute))
        getattr(registrar, method)(action.domain.name, value)
        setattr(action.domain, attribute, value)

    return step


STEPS = {
    REGISTER: _register,
    TRANSFER: _transfer,
    RENEW: _renew,
    RESTORE: _restore,
    UPDATE_NS: _setting("nameservers", "update_nameservers"),
    LOCK: _setting("registrar_lock", "set_lock"),
    ID_PROTECTION: _setting("id_protection", "set_id_protection"),
    UPDATE_CONTACTS: _update_contacts,
}


def _finish(action: DomainAction, status: str, error: Exception | None = None) -> None:
    action.status, action.finished_at = status, dt.datetime.now(dt.UTC)
    domain_action_finished.send(action, domain=action.domain, status=status,
                                error=type(error).__name__ if error else None)


@outbox.handler(OUTBOX_KIND)
def run_action(payload: dict) -> None:
    """Run one action in the tenant's scope (the outbox drain sets it)."""
    session = db.session
    action = session.get(DomainAction, payload["action_id"], with_for_update=True)  # one run at a time
    if action is None or action.status not in (QUEUED, RUNNING):
        return  # done, resolved, or failed and not retried: nothing to do
    action.status = RUNNING
    action.attempts += 1
    try:
        with get_registrar(session, action.domain.registrar) as registrar:
            STEPS[action.action](session, registrar, action)
    except (RegistrarError, FieldError) as exc:
        action.last_error = f"{type(exc).__name__}: {exc}"
        if getattr(exc, "retryable", False) and action.attempts < outbox.MAX_ATTEMPTS:
            action.status = QUEUED
            # Keep this attempt's record: the outbox rolls back a failed handler's work.
            session.commit()
            raise  # the outbox tries again later, with back-off
        _finish(action, FAILED, exc)
        return
    action.last_error = None
    _finish(action, DONE)
