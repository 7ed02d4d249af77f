"""The registrar action queue: what callers use to get something done at a registrar.

Every function only writes rows in the caller's transaction: a
``domains_actions`` row and an outbox message that runs it after commit
(:mod:`mpanel_domains.runner`). So billing calls ``request_*`` after a payment
is recorded, and never waits for (or rolls back with) a registry.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import inspect, or_, select

from mpanel.core import audit, outbox
from mpanel.core.errors import FieldError
from mpanel_domains.constants import (
    CONTACT_ROLES,
    FAILED,
    GIVEN_UP,
    ID_PROTECTION,
    LOCK,
    PENDING_REGISTRATION,
    PENDING_TRANSFER,
    QUEUED,
    REDEMPTION,
    REGISTER,
    REGISTERED,
    RENEW,
    RESOLVED,
    RESTORE,
    RUNNING,
    TRANSFER,
    UPDATE_CONTACTS,
    UPDATE_NS,
)
from mpanel_domains.i18n import gettext as _
from mpanel_domains.models import Domain, DomainAction
from mpanel_domains.names import check_auth_code, check_years
from mpanel_domains.signals import domain_action_finished

OUTBOX_KIND = "domains.action"


def enqueue(session, domain: Domain, action: str, params: dict | None = None,
            reference: str | None = None) -> DomainAction:
    """Queue ``action`` for ``domain`` (``reference``: the caller's idempotency key)."""
    row = DomainAction(domain=domain, customer_id=domain.customer_id, action=action, params=params or {},
                       reference=reference, status=QUEUED, attempts=0)
    session.add(row)
    session.flush()
    _schedule(session, row)
    return row


def _schedule(session, row: DomainAction) -> None:
    # One outbox message per run of the row: a staff retry gets a new key.
    outbox.enqueue(session, OUTBOX_KIND, {"action_id": row.id}, dedupe_key=f"{OUTBOX_KIND}:{row.id}:{row.attempts}")


def _by_reference(session, reference: str | None) -> DomainAction | None:
    if reference is None:
        return None
    return session.scalar(select(DomainAction).where(DomainAction.reference == reference))


def _queued(session, domain: Domain, action: str, lock: bool = False) -> DomainAction | None:
    """The action of this kind not run yet. ``lock``: wait for a run under way to
    end first (it may not count any more), so a change is never lost to it."""
    query = select(DomainAction).where(DomainAction.domain_id == domain.id, DomainAction.action == action,
                                       DomainAction.status.in_((QUEUED, RUNNING)))
    return session.scalar(query.with_for_update() if lock else query)


def _require_status(domain: Domain, allowed, field: str = "status") -> None:
    if domain.status not in allowed:
        raise FieldError(field, _("%(domain)s is %(status)s", domain=domain.display_name,
                                  status=domain.status.replace("_", " ")))


def request_registration(session, domain: Domain, years: int, reference: str | None = None) -> DomainAction:
    """Register a domain prepared with :func:`mpanel_domains.service.prepare_domain`."""
    if existing := _by_reference(session, reference):
        return existing
    years = check_years(years)
    _require_status(domain, (PENDING_REGISTRATION,))
    return _queued(session, domain, REGISTER) or enqueue(session, domain, REGISTER, {"years": years}, reference)


def request_transfer(session, domain: Domain, auth_code: str | None = None, years: int = 1,
                     reference: str | None = None) -> DomainAction:
    """Transfer a domain in with its EPP code (given here or when it was prepared)."""
    if existing := _by_reference(session, reference):
        return existing
    years = check_years(years)
    _require_status(domain, (PENDING_TRANSFER,))
    if auth_code is not None:
        domain.auth_code = check_auth_code(auth_code)
    elif not domain.auth_code:
        raise FieldError("auth_code", _("Enter the transfer (EPP) code"))
    return _queued(session, domain, TRANSFER) or enqueue(session, domain, TRANSFER, {"years": years}, reference)


def request_renewal(session, domain: Domain, years: int = 1, reference: str | None = None) -> DomainAction:
    """Renew by ``years``. Each call is one more renewal (pass ``reference`` to make
    a repeated call a no-op); the target expiry counts the renewals still queued."""
    if existing := _by_reference(session, reference):
        return existing
    years = check_years(years)
    _require_status(domain, REGISTERED)
    if domain.expires_at is None:
        raise FieldError("expires_at", _("%(domain)s has no expiry date yet; sync it first",
                                         domain=domain.display_name))
    target = _add_years(_renewal_base(session, domain), years)
    return enqueue(session, domain, RENEW, {"years": years, "target": target.isoformat()}, reference)


def request_restore(session, domain: Domain, years: int = 1, reference: str | None = None) -> DomainAction:
    """Restore a domain from the redemption period, then renew it so it runs
    ``years`` past its old expiry (the restore is one registrar action)."""
    if existing := _by_reference(session, reference):
        return existing
    years = check_years(years)
    _require_status(domain, (REDEMPTION,))
    target = _add_years(domain.expires_at or dt.date.today(), years)
    return _queued(session, domain, RESTORE) or enqueue(
        session, domain, RESTORE, {"years": years, "target": target.isoformat()}, reference)


def _renewal_base(session, domain: Domain) -> dt.date:
    """The expiry once the renewals already queued (or failed, awaiting staff) are done."""
    targets = session.scalars(select(DomainAction.params["target"].astext).where(
        DomainAction.domain_id == domain.id, DomainAction.action == RENEW,
        DomainAction.status.in_((QUEUED, RUNNING, FAILED))))
    return max([domain.expires_at, *(dt.date.fromisoformat(t) for t in targets if t)])


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


# Attribute -> the action that brings the registry in line with it.
_CHANGES = {"nameservers": UPDATE_NS, "registrar_lock": LOCK, "id_protection": ID_PROTECTION}


def queue_changes(session, domain: Domain) -> list[DomainAction]:
    """After name servers, lock or ID protection changed on a registered domain:
    queue the registrar update with the new value (one queued action per kind).
    Before registration nothing is queued: registration uses the values."""
    if domain.status not in REGISTERED:
        return []
    state = inspect(domain)
    # Read every change before the first query, whose autoflush clears the history.
    changed = {action: {attribute: getattr(domain, attribute)} for attribute, action in _CHANGES.items()
               if state.attrs[attribute].history.has_changes()}
    rows = []
    for action, params in changed.items():
        row = _queued(session, domain, action, lock=True)
        if row is not None:
            row.params = params  # not sent yet: it sends the latest value
        rows.append(row or enqueue(session, domain, action, params))
    return rows


def queue_contact_update(session, contact) -> list[DomainAction]:
    """After a contact changed: update it at the registrar of every registered domain using it."""
    uses = or_(*(getattr(Domain, f"{role}_id") == contact.id for role in CONTACT_ROLES))
    domains = session.scalars(select(Domain).where(Domain.status.in_(REGISTERED), uses).order_by(Domain.id)).all()
    return [_queued(session, d, UPDATE_CONTACTS) or enqueue(session, d, UPDATE_CONTACTS) for d in domains]


def retry(session, action: DomainAction) -> DomainAction:
    """Staff: run a failed action again."""
    if action.status != FAILED:
        raise FieldError("status", _("Only a failed action can be retried"))
    action.status, action.finished_at = QUEUED, None
    session.flush()
    _schedule(session, action)
    audit.record(session, "domain_action_retried", "DomainAction", action.id, {"action": action.action})
    return action


def resolve(session, action: DomainAction, actor: str | None, note: str = "", failed: bool = False) -> DomainAction:
    """Staff: the action was handled by hand (or is not needed); it will not run again.

    ``failed``: staff give it up as not done. Then ``domain_action_finished`` is
    sent (status failed, error ``ResolvedAsFailed``) so billing credits a paid action."""
    if action.status not in (FAILED, QUEUED):
        raise FieldError("status", _("Only a failed or queued action can be marked resolved"))
    action.status, action.resolved_by = RESOLVED, actor
    action.finished_at = dt.datetime.now(dt.UTC)
    prefix = "resolved as failed" if failed else "resolved"
    if note or failed:
        action.last_error = f"{action.last_error or ''}\n{prefix}: {note}".strip()
    audit.record(session, "domain_action_resolved", "DomainAction", action.id,
                 {"action": action.action, "note": note, "failed": failed})
    if failed:
        domain_action_finished.send(action, domain=action.domain, status=FAILED, error=GIVEN_UP)
    return action


@domain_action_finished.connect
def _tell_name_taken(action, status=None, error=None, **kwargs):
    """A registration failed because someone else holds the name (billing credits it):
    the customer and the tenant's staff hear of it, once per action."""
    if status != FAILED or error != "NameTaken" or action.action != REGISTER:
        return
    from sqlalchemy.orm import object_session

    from mpanel.core import alerts, mail

    session, domain = object_session(action), action.domain
    name = domain.display_name
    if domain.customer is not None and domain.customer.email:
        mail.enqueue(session, domain.customer.email, _("%(name)s could not be registered", name=name),
                     _("Another holder has registered %(name)s, so we could not register it for you. "
                       "What you paid for it is credited to your account.", name=name) + "\n",
                     dedupe_key=f"domains:taken:{action.id}")
    alerts.tell_staff(session, f"Domain registration failed: {name} is held by another registrar",
                      f"The registration of {name} (action #{action.id}) failed: {action.last_error}\n"
                      "The customer was told; a paid registration is credited.\n",
                      dedupe_key=f"alert:domains:taken:{action.id}")
