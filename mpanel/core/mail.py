"""Mail through the outbox, and the sandboxed template renderer for mails and documents.

``enqueue`` adds a ``mail.send`` message to the current transaction; the
handler sends it with smtplib to ``SMTP_HOST``:``SMTP_PORT`` after commit. The
payload is ``{"to", "subject", "text", "html"?, "attachments"?: [{"filename",
"content_b64", "mime"}], "message_id", "from", "reply_to"?, "sender"?}``: who it is
from and its Message-ID are decided once, at enqueue, so every retry sends the
same message and receivers can drop the rare duplicate (the outbox runs a
handler at least once).

Senders, per tenant (settings namespace ``mail``): ``platform`` (the default)
sends from the platform's ``MAIL_FROM`` with the tenant's name and the tenant's
address as Reply-To, so SPF, DKIM and DMARC are the platform domain's;
``tenant`` sends From the tenant's address with the platform as Sender, for
tenants whose domain authorises the platform's relay (SPF include and DKIM key).
The envelope sender is always ``MAIL_FROM``, so bounces reach the platform.

``render`` runs tenant-editable templates in Jinja's immutable sandbox with no
loader (no include, import or extends of files) and, for HTML, autoescaping.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import hashlib
import hmac
import smtplib
import ssl
import sys
import time
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr

from flask import current_app
from jinja2 import TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from mpanel.core import outbox
from mpanel.core.settings import get_settings
from mpanel.core.tenancy import current_tenant_id

NAMESPACE = "mail"
TENANT_DEFAULTS = {"sender_mode": "platform", "from_address": "", "from_name": ""}
SENDER_MODES = ("platform", "tenant")
_FINAL_DOT = b"\r\n.\r\n"
# Cost limits of a tenant's template: source size, output size, render time, and the size
# of what one operation may build ("x" * 10**9, "x"|center(10**9)).
MAX_SOURCE_CHARS = 200_000
MAX_OUTPUT_CHARS = 5_000_000
MAX_RENDER_SECONDS = 3.0
MAX_ARGUMENT = 1_000_000


class TemplateLimitError(TemplateError):
    """A template exceeds a cost limit (its message says which)."""


def _bounded_argument(value) -> None:
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_ARGUMENT:
        raise TemplateLimitError(f"the number {value} is too large for a template (at most {MAX_ARGUMENT})")


def _bounded(fn):
    @functools.wraps(fn)
    def call(*args, **kwargs):
        for value in (*args, *kwargs.values()):
            _bounded_argument(value)
        return fn(*args, **kwargs)

    return call


class _LimitedSandbox(ImmutableSandboxedEnvironment):
    intercepted_binops = frozenset({"*", "**"})

    def __init__(self, **options):
        super().__init__(**options)
        self.filters = {name: _bounded(fn) for name, fn in self.filters.items()}

    def call_binop(self, context, operator, left, right):
        if operator == "**":
            _bounded_argument(right if isinstance(right, int) else 0)
            if isinstance(right, (int, float)) and abs(right) > 64:
                raise TemplateLimitError("exponents above 64 are not allowed in templates")
        elif operator == "*":
            for sequence, times in ((left, right), (right, left)):
                if isinstance(sequence, (str, list, tuple)) and isinstance(times, int) \
                        and len(sequence) * times > MAX_OUTPUT_CHARS:
                    raise TemplateLimitError("a repeated text in the template is too long")
        return super().call_binop(context, operator, left, right)

    def call(self, __context, __obj, *args, **kwargs):
        for value in (*args, *kwargs.values()):
            _bounded_argument(value)
        return super().call(__context, __obj, *args, **kwargs)


_ENVIRONMENTS = {True: _LimitedSandbox(autoescape=True), False: _LimitedSandbox(autoescape=False)}


@functools.lru_cache(maxsize=256)
def _compiled(source: str, html: bool):
    """Compiling costs several times the rendering (18 ms for the PDF invoice): each
    tenant's few templates are compiled once per process."""
    return _ENVIRONMENTS[html].from_string(source)


def render(source: str, context: dict, html: bool = True) -> str:
    """Render a template string in the sandbox (HTML escaped unless ``html`` is False),
    within the cost limits above (:class:`TemplateLimitError` past one)."""
    if len(source) > MAX_SOURCE_CHARS:
        raise TemplateLimitError(f"the template is longer than {MAX_SOURCE_CHARS} characters")
    template = _compiled(source, html)
    deadline = time.monotonic() + MAX_RENDER_SECONDS
    parts, size = [], 0
    with _time_limit(deadline):
        for part in template.generate(**context):
            size += len(part)
            if size > MAX_OUTPUT_CHARS:
                raise TemplateLimitError(f"the template writes more than {MAX_OUTPUT_CHARS} characters")
            parts.append(part)
    return "".join(parts)


@contextlib.contextmanager
def _time_limit(deadline: float):
    """Abort the render in this thread past ``deadline`` (a trace checked every 1,000 lines,
    so even a loop that writes nothing stops)."""
    ticks = [0]

    def local(frame, event, arg):
        ticks[0] += 1
        if ticks[0] % 1000 == 0 and time.monotonic() > deadline:
            raise TemplateLimitError(f"the template took longer than {MAX_RENDER_SECONDS} s to render")
        return local

    def trace(frame, event, arg):
        return local

    previous = sys.gettrace()
    sys.settrace(trace)
    try:
        yield
    finally:
        sys.settrace(previous)


def enqueue(session, to: str, subject: str, text: str, html: str | None = None, attachments=(),
            dedupe_key: str | None = None, alert: bool = False) -> None:
    """Queue a mail in the current transaction; a repeated ``dedupe_key`` queues nothing.
    ``alert``: a mail to staff about a failure (never itself alerted about)."""
    payload = {"to": to, "subject": subject, "text": text, **sender_headers(session)}
    payload["message_id"] = message_id(dedupe_key, payload["from"])
    if html:
        payload["html"] = html
    if attachments:
        payload["attachments"] = [{"filename": name, "mime": mime, "content_b64": base64.b64encode(data).decode()}
                                  for name, mime, data in attachments]
    if alert:
        payload["alert"] = True
    outbox.enqueue(session, "mail.send", payload, dedupe_key=dedupe_key)


def sender_headers(session) -> dict:
    """From (and Reply-To or Sender) of the tenant in scope's mail."""
    platform = current_app.config["MAIL_FROM"]
    settings = get_settings(session, NAMESPACE, TENANT_DEFAULTS) if current_tenant_id() is not None else {}
    own, name = settings.get("from_address", ""), settings.get("from_name", "")
    if not own:
        return {"from": _named(name, platform) if name else platform}
    if settings.get("sender_mode") == "tenant":
        return {"from": _named(name, own), "sender": platform}
    return {"from": _named(name, platform), "reply_to": own}


def _named(name: str, address: str) -> str:
    return str(Address(name, addr_spec=parseaddr(address)[1])) if name else address


def message_id(dedupe_key: str | None, sender: str) -> str:
    """An RFC 5322 Message-ID in the sending domain, unique across installations: for a
    deduplicated mail derived from the installation's secret, the tenant and the key."""
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    if dedupe_key is None:
        return make_msgid(domain=domain)
    secret = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(secret, f"{current_tenant_id()}:{dedupe_key}".encode(), hashlib.sha256).hexdigest()
    return f"<{digest[:40]}@{domain}>"


def build_message(payload: dict, platform_sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = (payload.get("from") or platform_sender, payload["to"],
                                                          payload["subject"])
    for header, key in (("Reply-To", "reply_to"), ("Sender", "sender")):
        if payload.get(key):
            message[header] = payload[key]
    message["Date"] = formatdate(localtime=False, usegmt=True)
    if payload.get("message_id"):
        message["Message-ID"] = payload["message_id"]
    message.set_content(payload["text"])
    if payload.get("html"):
        message.add_alternative(payload["html"], subtype="html")
    for item in payload.get("attachments", ()):
        maintype, _, subtype = item.get("mime", "application/octet-stream").partition("/")
        message.add_attachment(base64.b64decode(item["content_b64"]), maintype=maintype, subtype=subtype,
                               filename=item["filename"])
    return message


class _SMTP(smtplib.SMTP):
    """Notes when the whole message, final dot included, has gone to the server."""

    final_dot_sent = False

    def send(self, s):
        super().send(s)
        if isinstance(s, bytes) and s.endswith(_FINAL_DOT):
            self.final_dot_sent = True


def _late_acknowledgement(smtp: _SMTP, exc: smtplib.SMTPServerDisconnected) -> bool:
    """The server has the whole message and we timed out waiting for its answer."""
    return smtp.final_dot_sent and isinstance(exc.__context__, TimeoutError)


@outbox.handler("mail.send", priority=10)  # before document rendering: mail is never starved
def send(payload: dict) -> None:
    config = current_app.config
    message = build_message(payload, config["MAIL_FROM"])
    smtp = _SMTP(config["SMTP_HOST"], int(config["SMTP_PORT"]), timeout=float(config["SMTP_TIMEOUT"]))
    try:
        if config["SMTP_STARTTLS"]:
            smtp.starttls(context=ssl.create_default_context())
        if config["SMTP_USERNAME"]:
            smtp.login(config["SMTP_USERNAME"], config["SMTP_PASSWORD"])
        smtp.send_message(message, from_addr=parseaddr(config["MAIL_FROM"])[1])
        _quit(smtp)
    except smtplib.SMTPServerDisconnected as exc:
        if not _late_acknowledgement(smtp, exc):
            raise
        # Sending again would deliver it twice: the server has it and was only slow to say so.
        outbox.note(f"delivered without acknowledgement within {config['SMTP_TIMEOUT']} s")
        return
    except smtplib.SMTPRecipientsRefused as exc:
        if all(code >= 500 for code, _ in exc.recipients.values()):
            raise outbox.PermanentError(f"refused by the mail server: {exc.recipients}") from exc
        raise
    except smtplib.SMTPResponseException as exc:
        if exc.smtp_code >= 500:
            raise outbox.PermanentError(f"refused by the mail server: {exc.smtp_code} {exc.smtp_error!r}") from exc
        raise
    finally:
        smtp.close()


def _quit(smtp) -> None:
    try:
        smtp.quit()
    except smtplib.SMTPException:
        pass  # the message was accepted; a lost QUIT changes nothing
