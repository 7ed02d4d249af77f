"""Queueing panel actions for billing's services.

Billing's service signals arrive inside billing's transaction. The receivers here only
write rows in it: the service's account (server chosen, username generated) and a
``provisioning_actions`` row, plus an outbox message that runs it after commit
(:mod:`mpanel_provisioning.runner`). So a slow or dead panel never holds up billing,
and a rolled-back payment provisions nothing.
"""

from __future__ import annotations

import re
import secrets
import string

from mpanel_billing.services import signals
from mpanel_catalog.models import Product
from sqlalchemy import func, select

from mpanel.core import alerts, audit, crypto, outbox
from mpanel.core.errors import FieldError
from mpanel_provisioning.i18n import gettext as _
from mpanel_provisioning.models import (
    CREATE,
    FAILED,
    IN_ORDER,
    QUEUED,
    RESOLVED,
    SUSPEND,
    TERMINATE,
    TERMINATED,
    UNSUSPEND,
    ProvisioningAction,
    Server,
    ServerGroup,
    ServiceAccount,
)
from mpanel_provisioning.module import get_module

OUTBOX_KIND = "provisioning.action"
_ALPHABET = string.ascii_letters + string.digits


def strong_password(length: int = 20) -> str:
    """Letters and digits with at least one of each class, plus two symbols panels accept."""
    while True:
        chars = [secrets.choice(_ALPHABET) for _ in range(length - 2)] + [secrets.choice("!@#%^*-_")
                                                                           for _ in range(2)]
        secrets.SystemRandom().shuffle(chars)
        password = "".join(chars)
        if (any(c.islower() for c in password) and any(c.isupper() for c in password)
                and any(c.isdigit() for c in password)):
            return password


def username_for(session, server: Server, seed: str, max_length: int) -> str:
    """A panel username from ``seed`` (the domain or the customer): lower-case letters and
    digits, starting with a letter, at most ``max_length``, not yet used on ``server``."""
    base = re.sub(r"[^a-z0-9]", "", seed.lower().split(".")[0]).lstrip("0123456789") or "user"
    base = base[:max_length]
    taken = set(session.scalars(select(ServiceAccount.username).where(ServiceAccount.server_id == server.id)))
    candidate, n = base, 1
    while candidate in taken:
        suffix = str(n)
        candidate, n = base[:max_length - len(suffix)] + suffix, n + 1
    return candidate


def choose_server(session, group: ServerGroup) -> Server | None:
    """An active server of the group with room: the least full, or the first in order."""
    counts = dict(session.execute(select(ServiceAccount.server_id, func.count()).where(
        ServiceAccount.status != TERMINATED).group_by(ServiceAccount.server_id)).all())
    candidates = [s for s in group.servers if s.active
                  and (s.max_accounts is None or counts.get(s.id, 0) < s.max_accounts)]
    if not candidates:
        return None
    if group.fill_strategy == IN_ORDER:
        return candidates[0]
    return min(candidates, key=lambda s: (counts.get(s.id, 0) / (s.max_accounts or 10**9), s.position, s.id))


def group_for(session, product: Product) -> ServerGroup | None:
    """The product's server group: named in its provisioning settings (``server_group``),
    else the first group of the product's module."""
    name = (product.provisioning_settings or {}).get("server_group")
    query = select(ServerGroup).where(ServerGroup.module == product.provisioning_module)
    if name:
        query = query.where(ServerGroup.name == name)
    return session.scalars(query.order_by(ServerGroup.id)).first()


def _schedule(session, row: ProvisioningAction) -> None:
    # One outbox message per run of the row: a staff retry gets a new key.
    outbox.enqueue(session, OUTBOX_KIND, {"action_id": row.id}, dedupe_key=f"{OUTBOX_KIND}:{row.id}:{row.attempts}")


def queue(session, service, action: str, account: ServiceAccount | None, **params) -> ProvisioningAction:
    row = ProvisioningAction(service_id=service.id, customer_id=service.customer_id, account=account,
                             action=action, params=params, status=QUEUED, attempts=0)
    session.add(row)
    session.flush()
    _schedule(session, row)
    return row


def _failed_now(session, service, action: str, message: str) -> ProvisioningAction:
    """An action that cannot even be queued (no server): recorded as failed, staff told."""
    row = ProvisioningAction(service_id=service.id, customer_id=service.customer_id, action=action, params={},
                             status=FAILED, attempts=0, message=message)
    session.add(row)
    session.flush()
    alerts.tell_staff(session, f"Provisioning failed: service #{service.id}",
                      f"{action} for service #{service.id} ({service.description}) failed: {message}\n",
                      dedupe_key=f"alert:provisioning:{row.id}")
    return row


def account_of(session, service_id: int) -> ServiceAccount | None:
    return session.scalar(select(ServiceAccount).where(ServiceAccount.service_id == service_id))


def request_create(session, service) -> ProvisioningAction | None:
    product = session.get(Product, service.product_id)
    if product is None or not product.provisioning_module:
        return None
    if account_of(session, service.id) is not None:
        return None  # created already (a trial activated, then paid)
    group = group_for(session, product)
    server = choose_server(session, group) if group is not None else None
    if server is None:
        return _failed_now(session, service, CREATE, f"no active server with room for the module "
                                                     f"{product.provisioning_module!r}")
    module = get_module(product.provisioning_module)
    domain = str((service.options or {}).get("domain") or "")
    seed = domain or (service.customer.email.split("@")[0] if service.customer else "user")
    account = ServiceAccount(service_id=service.id, customer_id=service.customer_id, server=server,
                             module=product.provisioning_module, domain=domain or None,
                             username=username_for(session, server, seed, module.username_max_length))
    session.add(account)
    session.flush()
    if not domain:
        account.domain = f"{account.username}.{server.host}"
    return queue(session, service, CREATE, account, password_encrypted=crypto.encrypt(strong_password()))


def request(session, service, action: str, **params) -> ProvisioningAction | None:
    account = account_of(session, service.id)
    if account is None or account.status == TERMINATED:
        return None
    return queue(session, service, action, account, **params)


@signals.service_activated.connect
def _activated(service, previous=None, **kwargs):
    request_create(service_session(service), service)


@signals.service_suspended.connect
def _suspended(service, reason=None, **kwargs):
    request(service_session(service), service, SUSPEND, reason=reason or "overdue")


@signals.service_unsuspended.connect
def _unsuspended(service, **kwargs):
    request(service_session(service), service, UNSUSPEND)


@signals.service_terminated.connect
def _terminated(service, **kwargs):
    request(service_session(service), service, TERMINATE)


def service_session(service):
    from sqlalchemy.orm import object_session

    return object_session(service)


def retry(session, action: ProvisioningAction) -> ProvisioningAction:
    """Staff: run a failed action again (now, with a fresh attempt count)."""
    if action.status != FAILED:
        raise FieldError("status", _("Only a failed action can be retried"))
    if action.account is None:
        raise FieldError("status", _("The service has no account: fix the servers, then run the action again"))
    action.status, action.finished_at, action.attempts = QUEUED, None, 0
    action.params = {**action.params, "retries": action.params.get("retries", 0) + 1}
    session.flush()
    outbox.enqueue(session, OUTBOX_KIND, {"action_id": action.id},
                   dedupe_key=f"{OUTBOX_KIND}:{action.id}:retry{action.params['retries']}")
    audit.record(session, "provisioning_action_retried", "ProvisioningAction", action.id, {"action": action.action})
    return action


def resolve(session, action: ProvisioningAction, note: str = "") -> ProvisioningAction:
    """Staff: done by hand on the panel; it will not run again."""
    if action.status not in (FAILED, QUEUED):
        raise FieldError("status", _("Only a failed or queued action can be marked done"))
    import datetime as dt

    action.status, action.finished_at = RESOLVED, dt.datetime.now(dt.UTC)
    action.message = f"{action.message or ''}\nmarked done by hand: {note}".strip()
    audit.record(session, "provisioning_action_resolved", "ProvisioningAction", action.id, {"note": note})
    return action


