"""Running queued panel actions (the outbox handler for ``provisioning.action``).

Runs at least once per action, so each step is idempotent: ``create`` adopts an
account the panel already has (an earlier attempt whose answer was lost), and the
action row is locked while it runs, so two workers never both call the panel.
A retryable failure (panel down, timeout) is re-raised for the outbox's back-off,
up to ``outbox.MAX_ATTEMPTS`` runs; then, or at once for a refusal, the action is
failed, the panel's message kept, and the tenant's staff told.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from mpanel_catalog.models import Product

from mpanel.core import alerts, crypto, mail, outbox
from mpanel.extensions import db
from mpanel_provisioning.actions import OUTBOX_KIND
from mpanel_provisioning.models import (
    ACTIVE,
    CHANGE_PACKAGE,
    CHANGE_PASSWORD,
    CREATE,
    DONE,
    FAILED,
    PENDING,
    QUEUED,
    RUNNING,
    SUSPEND,
    SUSPENDED,
    TERMINATE,
    TERMINATED,
    UNSUSPEND,
    ProvisioningAction,
    ServiceAccount,
)
from mpanel_provisioning.module import AccountRequest, Connection, ProvisioningError, get_module

WELCOME = Path(__file__).parent / "templates" / "provisioning" / "welcome.txt"


def connect(account: ServiceAccount):
    return connect_server(account.server, account.module)


def connect_server(server, module_name: str | None = None):
    """The module for ``server``, connected with its decrypted secret."""
    module = get_module(module_name or server.group.module)
    return module(Connection(host=server.host, port=server.port, username=server.username, secret=server.secret,
                             verify_tls=server.verify_tls, secure=server.secure))


def _settings(session, action: ProvisioningAction) -> dict:
    product = session.get(Product, action.service.product_id)
    return get_module(action.account.module).parse_settings(product.provisioning_settings or {})


def _create(session, module, action: ProvisioningAction) -> str:
    account = action.account
    password = crypto.decrypt(action.params["password_encrypted"])
    customer = action.service.customer
    result = module.create(AccountRequest(username=account.username, password=password, domain=account.domain,
                                          email=customer.email if customer else "",
                                          settings=_settings(session, action)))
    if result.adopted:  # the account exists: make the password the one we send
        module.change_password(account.username, password)
    account.status, account.details = ACTIVE, result.details
    _welcome(session, action, password)
    action.params = {k: v for k, v in action.params.items() if k != "password_encrypted"}
    return ("adopted the existing account: " if result.adopted else "") + (result.message or "created")


def _welcome(session, action: ProvisioningAction, password: str) -> None:
    """The product's welcome mail (a tenant's template named by the product, else the built-in one)."""
    from mpanel_billing.models import MailTemplate
    from sqlalchemy import select

    customer, account = action.service.customer, action.account
    if customer is None or not customer.email:
        return
    product = session.get(Product, action.service.product_id)
    source = None
    if product.welcome_email:
        own = session.scalars(select(MailTemplate).where(MailTemplate.kind == product.welcome_email)).all()
        chosen = min(own, key=lambda t: t.language != (customer.language or ""), default=None)
        source = f"{chosen.subject}\n{chosen.body}" if chosen else None
    values = {"name": f"{customer.first_name} {customer.last_name}",
              "product": product.name, "username": account.username, "password": password,
              "domain": account.domain, "server": account.server.host}
    subject, _, body = mail.render(source or WELCOME.read_text(), values, html=False).strip().partition("\n")
    mail.enqueue(session, customer.email, subject.strip(), body.strip() + "\n",
                 dedupe_key=f"provisioning:welcome:{account.id}")


def _suspend(session, module, action):
    module.suspend(action.account.username, action.params.get("reason") or "overdue")
    action.account.status = SUSPENDED


def _unsuspend(session, module, action):
    module.unsuspend(action.account.username)
    action.account.status = ACTIVE


def _terminate(session, module, action):
    module.terminate(action.account.username)
    action.account.status = TERMINATED


def _change_package(session, module, action):
    module.change_package(action.account.username, _settings(session, action))


def _change_password(session, module, action):
    module.change_password(action.account.username, crypto.decrypt(action.params["password_encrypted"]))
    action.params = {k: v for k, v in action.params.items() if k != "password_encrypted"}


STEPS = {CREATE: _create, SUSPEND: _suspend, UNSUSPEND: _unsuspend, TERMINATE: _terminate,
         CHANGE_PACKAGE: _change_package, CHANGE_PASSWORD: _change_password}


def _fail(session, action: ProvisioningAction, message: str) -> None:
    action.status, action.finished_at, action.message = FAILED, dt.datetime.now(dt.UTC), message
    alerts.tell_staff(session, f"Provisioning failed: {action.action} for service #{action.service_id}",
                      f"{action.action} of {action.account} for service #{action.service_id} failed after "
                      f"{action.attempts} attempt(s):\n{message}\n\n"
                      "Retry it from the service's provisioning page once the cause is fixed.\n",
                      dedupe_key=f"alert:provisioning:{action.id}:{action.params.get('retries', 0)}")


@outbox.handler(OUTBOX_KIND)
def run_action(payload: dict) -> None:
    session = db.session
    action = session.get(ProvisioningAction, payload["action_id"], with_for_update=True)  # one run at a time
    if action is None or action.status not in (QUEUED, RUNNING):
        return  # done, resolved, or failed and not retried
    action.status = RUNNING
    action.attempts += 1
    try:
        if action.action != CREATE and action.account.status == PENDING:
            raise ProvisioningError("the account is not created yet", retryable=True)
        message = STEPS[action.action](session, connect(action.account), action)
    except ProvisioningError as exc:
        if exc.retryable and action.attempts < outbox.MAX_ATTEMPTS:
            action.status, action.message = QUEUED, f"attempt {action.attempts}: {exc}"
            session.commit()  # keep this attempt's record: the outbox rolls back a failed handler's work
            raise  # the outbox tries again later, with back-off
        _fail(session, action, str(exc))
        return
    action.status, action.finished_at = DONE, dt.datetime.now(dt.UTC)
    action.message = message or "ok"
