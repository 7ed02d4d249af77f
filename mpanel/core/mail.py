"""Mail through the outbox, and the sandboxed template renderer for mails and documents.

``enqueue`` adds a ``mail.send`` message to the current transaction; the
handler sends it with smtplib to ``SMTP_HOST``:``SMTP_PORT`` from ``MAIL_FROM``
after commit. The payload is ``{"to", "subject", "text", "html"?,
"attachments"?: [{"filename", "content_b64", "mime"}], "message_id"?}``. A
message id derived from the dedupe key lets receivers drop the rare resend
(the outbox runs a handler at least once).

``render`` runs tenant-editable templates in Jinja's immutable sandbox with no
loader (no include, import or extends of files) and, for HTML, autoescaping.
"""

from __future__ import annotations

import base64
import hashlib
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate

from flask import current_app
from jinja2.sandbox import ImmutableSandboxedEnvironment

from mpanel.core import outbox

_ENVIRONMENTS = {True: ImmutableSandboxedEnvironment(autoescape=True),
                 False: ImmutableSandboxedEnvironment(autoescape=False)}


def render(source: str, context: dict, html: bool = True) -> str:
    """Render a template string in the sandbox (HTML escaped unless ``html`` is False)."""
    return _ENVIRONMENTS[html].from_string(source).render(**context)


def enqueue(session, to: str, subject: str, text: str, html: str | None = None, attachments=(),
            dedupe_key: str | None = None) -> None:
    """Queue a mail in the current transaction; a repeated ``dedupe_key`` queues nothing."""
    payload = {"to": to, "subject": subject, "text": text}
    if html:
        payload["html"] = html
    if attachments:
        payload["attachments"] = [{"filename": name, "mime": mime, "content_b64": base64.b64encode(data).decode()}
                                  for name, mime, data in attachments]
    if dedupe_key:
        payload["message_id"] = f"<{hashlib.sha256(dedupe_key.encode()).hexdigest()[:32]}@mpanel>"
    outbox.enqueue(session, "mail.send", payload, dedupe_key=dedupe_key)


def build_message(payload: dict, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, payload["to"], payload["subject"]
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


@outbox.handler("mail.send")
def send(payload: dict) -> None:
    config = current_app.config
    message = build_message(payload, config["MAIL_FROM"])
    with smtplib.SMTP(config["SMTP_HOST"], int(config["SMTP_PORT"]), timeout=30) as smtp:
        if config["SMTP_STARTTLS"]:
            smtp.starttls(context=ssl.create_default_context())
        if config["SMTP_USERNAME"]:
            smtp.login(config["SMTP_USERNAME"], config["SMTP_PASSWORD"])
        smtp.send_message(message)
