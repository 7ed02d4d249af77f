"""Mail against real SMTP servers (aiosmtpd) that are slow, drop the line or are gone:
one delivery per mail, the same Message-ID on every attempt, retries for the configured
time then failed with the reason, staff alerted and able to resend; mail before documents;
each tenant's sender."""

import asyncio
import datetime as dt
import socket
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select, update

from mpanel.core import mail, outbox
from mpanel.core.audit import AuditLog
from mpanel.core.settings import set_settings
from mpanel.core.tasks import record_failure, run_recorded
from mpanel.core.tenancy import tenant_scope
from mpanel.extensions import db
from mpanel.modules.automation.models import AutomationRun
from mpanel.testing.pytest_plugin import csrf_token


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """An SMTP server whose answer to the final dot can be late or missing."""

    def __init__(self, delay=0.0, drop_first=0):
        self.messages, self.envelopes, self.events = [], [], []
        self.delay, self.drop_first = delay, drop_first

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd calls this hook by name
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append(message)
        self.envelopes.append(envelope.mail_from)
        self.events.append(("mail", message["Subject"]))
        if self.drop_first:
            self.drop_first -= 1
            server.transport.abort()  # took the message, never said so
            return "250 OK"
        await asyncio.sleep(self.delay)
        return "250 OK"


@pytest.fixture
def smtp(app):
    servers = []

    def start(**options):
        server = Server(**options)
        controller = Controller(server, hostname="127.0.0.1", port=free_port())
        controller.start()
        servers.append(controller)
        app.config["SMTP_HOST"], app.config["SMTP_PORT"] = "127.0.0.1", controller.port
        return server

    saved = {k: app.config[k] for k in ("SMTP_HOST", "SMTP_PORT", "SMTP_TIMEOUT", "MAIL_FROM")}
    yield start
    app.config.update(saved)
    for controller in servers:
        controller.stop()


def _messages(app, tenant_id, kind="mail.send"):
    with app.app_context(), tenant_scope(tenant_id):
        return db.session.scalars(select(outbox.OutboxMessage).where(outbox.OutboxMessage.kind == kind)
                                  .order_by(outbox.OutboxMessage.id)).all()


def _due_now(factory, tenant_id, **values):
    past = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    factory.commit(lambda s: s.execute(update(outbox.OutboxMessage).values(next_attempt_at=past, **values)),
                   tenant_id)


def _sweep(app):
    with app.app_context():
        return outbox.sweep.call_local()


def test_the_final_dot_waits_ten_minutes_by_default(app):
    assert app.config["SMTP_TIMEOUT"] == 600  # RFC 5321 4.5.3.2.6


def test_a_late_acknowledgement_is_one_delivery(app, factory, smtp):
    server = smtp(delay=6)  # well past the timeout: a loaded machine must not answer in time
    app.config["SMTP_TIMEOUT"] = 2
    t = factory.tenant()
    factory.commit(lambda s: mail.enqueue(s, "a@example.com", "Slow", "text"), t.id)
    [message] = _messages(app, t.id)
    assert (message.status, message.attempts) == ("done", 1)
    assert "without acknowledgement" in message.last_error
    _due_now(factory, t.id)  # due again by its clock, but delivered: a sweep sends nothing
    _sweep(app)  # (it may deliver other tests' pending mail to this server: count this one only)
    assert [m["Subject"] for m in server.messages].count("Slow") == 1


def test_a_dropped_line_is_retried_with_the_same_message_id_in_the_sending_domain(app, factory, smtp):
    server = smtp(drop_first=1)
    app.config["MAIL_FROM"] = "billing@panel.example.net"
    t = factory.tenant()
    factory.commit(lambda s: mail.enqueue(s, "a@example.com", "Dropped", "text"), t.id)  # no dedupe key
    [message] = _messages(app, t.id)
    assert (message.status, message.attempts) == ("pending", 1)
    _due_now(factory, t.id)
    _sweep(app)
    assert [m.status for m in _messages(app, t.id)] == ["done"]
    first, second = [m for m in server.messages if m["Subject"] == "Dropped"]  # the sweep may bring others'
    assert first["Message-ID"] == second["Message-ID"]
    assert first["Message-ID"].endswith("@panel.example.net>")


def test_message_ids_differ_between_tenants_and_installations(app, factory):
    a, b = factory.tenant(), factory.tenant()
    with app.app_context():
        ids = set()
        for tenant in (a, b):
            with tenant_scope(tenant.id):
                ids.add(mail.message_id("mail:receipt:1", "x@shop.example"))
        app.config["SECRET_KEY"], saved = "another installation's secret key, 32+ chars", app.config["SECRET_KEY"]
        try:
            with tenant_scope(a.id):
                ids.add(mail.message_id("mail:receipt:1", "x@shop.example"))
        finally:
            app.config["SECRET_KEY"] = saved
    assert len(ids) == 3 and all(i.endswith("@shop.example>") for i in ids)


def test_a_dead_server_is_retried_for_the_configured_time_then_failed_alerted_and_resent(app, client, factory,
                                                                                        smtp):
    app.config["SMTP_HOST"], app.config["SMTP_PORT"] = "127.0.0.1", free_port()  # nobody listens
    t = factory.tenant()
    owner = t.staff("Owner")
    factory.commit(lambda s: mail.enqueue(s, "c@example.com", "Your invoice", "text", dedupe_key="inv-1"), t.id)
    [message] = _messages(app, t.id)
    assert message.status == "pending" and "refused" in message.last_error.lower()
    for _ in range(9):  # more failures than the old fixed limit of 8, within the window
        _due_now(factory, t.id)
        _sweep(app)
    assert [m.status for m in _messages(app, t.id)] == ["pending"]

    created = dt.datetime.now(dt.UTC) - dt.timedelta(hours=app.config["OUTBOX_RETRY_HOURS"], minutes=1)
    _due_now(factory, t.id, created_at=created)
    _sweep(app)
    failed, alert = _messages(app, t.id)
    assert failed.status == "failed" and "refused" in failed.last_error.lower()
    assert alert.payload["to"] == owner and alert.payload.get("alert") and "mail.send" in alert.payload["subject"]
    with app.app_context(), tenant_scope(t.id):
        audit = db.session.scalars(select(AuditLog).where(AuditLog.action == "outbox_failed")).one()
        assert audit.object_id == str(failed.id)
    with app.app_context(), tenant_scope(None):
        run = db.session.get(AutomationRun, _last_run_id("outbox.sweep"))
    assert run.status == "failed" and "refused" in run.error.lower()  # the run says why

    server = smtp()
    assert t.web_login(client, owner).status_code == 302
    page = client.get("/outboxview/list/", base_url=t.host)
    assert page.status_code == 200 and "Resend" in page.get_data(as_text=True)
    answer = client.post("/outboxview/action_post", base_url=t.host,
                         data={"action": "resend", "rowid": str(failed.id),
                               "csrf_token": csrf_token(page.get_data(as_text=True))})
    assert answer.status_code == 302
    assert _messages(app, t.id)[0].status == "done"
    assert [m["Subject"] for m in server.messages] == ["Your invoice"]
    assert server.messages[0]["Message-ID"] == failed.payload["message_id"]


def _last_run_id(task):
    return db.session.scalar(select(AutomationRun.id).where(AutomationRun.task == task)
                             .order_by(AutomationRun.id.desc()).limit(1))


def test_a_refused_recipient_fails_at_once_with_the_reason(app, factory, smtp):
    smtp()

    class Refusing(Server):
        async def handle_RCPT(self, server, session, envelope, address, options):
            return "550 no such user"

    controller = Controller(Refusing(), hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        app.config["SMTP_PORT"] = controller.port
        t = factory.tenant()
        factory.commit(lambda s: mail.enqueue(s, "gone@example.com", "Hi", "text"), t.id)
        [message] = _messages(app, t.id)
        assert message.status == "failed" and "550" in message.last_error
    finally:
        controller.stop()


@outbox.handler("test.document")
def _render_document(payload):
    _order.append(("document", payload["n"]))
    mail.enqueue(db.session, "c@example.com", f"Document {payload['n']}", "attached")


_order: list = []


def test_mail_is_not_starved_by_document_rendering(app, factory, smtp):
    server = smtp()
    _order.clear()
    t = factory.tenant()
    factory.commit(lambda s: outbox.enqueue_many(s, "test.document", [({"n": n}, f"doc-{n}") for n in (1, 2, 3)]),
                   t.id)
    mails = [("mail", subject) for _kind, subject in server.events]
    assert [m[1] for m in mails] == ["Document 1", "Document 2", "Document 3"]
    # Each document's mail went out before the next document was rendered.
    assert [m.status for m in _messages(app, t.id)] == ["done"] * 3
    assert _order == [("document", 1), ("document", 2), ("document", 3)]
    ids = [(m.id, m.processed_at) for m in _messages(app, t.id)]
    documents = [(m.id, m.processed_at) for m in _messages(app, t.id, "test.document")]
    assert documents[1][1] >= ids[0][1] and documents[2][1] >= ids[1][1]


@pytest.mark.parametrize("mode", ["platform", "tenant"])
def test_each_tenant_sends_as_itself_with_the_platform_as_envelope(app, factory, smtp, mode):
    server = smtp()
    app.config["MAIL_FROM"] = "billing@panel.example.net"
    t = factory.tenant()
    own = {"sender_mode": mode, "from_address": "office@acme.example", "from_name": "ACME Hosting"}
    factory.commit(lambda s: set_settings(s, mail.NAMESPACE, own), t.id)
    factory.commit(lambda s: mail.enqueue(s, "c@example.com", "Hello", "text"), t.id)
    [message] = server.messages
    assert server.envelopes == ["billing@panel.example.net"]  # bounces and SPF: the platform's
    if mode == "platform":
        assert message["From"] == "ACME Hosting <billing@panel.example.net>"
        assert message["Reply-To"] == "office@acme.example"
        assert message["Message-ID"].endswith("@panel.example.net>")
    else:
        assert message["From"] == "ACME Hosting <office@acme.example>"
        assert message["Sender"] == "billing@panel.example.net"
        assert message["Message-ID"].endswith("@acme.example>")


def test_failed_items_of_a_run_show_their_error_text(app, factory):
    t = factory.tenant()

    def work(counts):
        record_failure(counts, "customer 7", ValueError("no address"))
        return counts["failures"]

    with app.app_context():
        assert run_recorded("test.errors", work, tenant_id=t.id)["status"] == "failed"
    with app.app_context(), tenant_scope(t.id):
        run = db.session.scalars(select(AutomationRun).where(AutomationRun.task == "test.errors")).one()
        assert run.error == "customer 7: ValueError: no address" and "errors" not in run.counts
