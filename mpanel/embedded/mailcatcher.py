"""A local mail catcher for ``make run``: an SMTP server (aiosmtpd) that keeps
every message the installation sends, and a small web page listing them, so
invitations, verifications, resets and receipts can be followed without a mail
server. Used only when no ``MPANEL_SMTP_HOST`` is configured; production sends
through the configured SMTP server."""

from __future__ import annotations

import datetime as dt
import html
import re
import socket
import threading
import time
import urllib.request
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller

_LINK = re.compile(r"https?://[^\s<>\"']+")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class MailCatcher:
    def __init__(self, smtp_port: int | None = None, http_port: int | None = None):
        self.messages: list[tuple[dt.datetime, object]] = []
        self.smtp_port = smtp_port or _free_port()
        self._smtp = Controller(self, hostname="127.0.0.1", port=self.smtp_port)
        self._http = ThreadingHTTPServer(("127.0.0.1", http_port or 0), self._page_handler())
        self.url = f"http://127.0.0.1:{self._http.server_port}/"

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd calls this hook by name
        self.messages.append((dt.datetime.now(dt.UTC), message_from_bytes(envelope.content, policy=policy.default)))
        return "250 OK"

    def start(self) -> MailCatcher:
        self._smtp.start()
        threading.Thread(target=self._http.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self._smtp.stop()
        self._http.shutdown()

    def render(self, index: int | None) -> str:
        if index is None:
            rows = "".join(
                f'<tr><td>{when:%Y-%m-%d %H:%M:%S}</td><td>{html.escape(str(msg["To"]))}</td>'
                f'<td><a href="/{n}">{html.escape(str(msg["Subject"]))}</a></td></tr>'
                for n, (when, msg) in reversed(list(enumerate(self.messages))))
            body = f"<h1>Mail sent by MPanel ({len(self.messages)})</h1><table border=1 cellpadding=4>" \
                   f"<tr><th>Time (UTC)</th><th>To</th><th>Subject</th></tr>{rows}</table>"
        else:
            when, msg = self.messages[index]
            part = msg.get_body(("plain", "html"))
            text = html.escape(part.get_content() if part is not None else "")
            text = _LINK.sub(lambda m: f'<a href="{m.group(0)}">{m.group(0)}</a>', text)
            body = f'<p><a href="/">All mail</a></p><h1>{html.escape(str(msg["Subject"]))}</h1>' \
                   f'<p>To: {html.escape(str(msg["To"]))}<br>{when:%Y-%m-%d %H:%M:%S} UTC</p><pre>{text}</pre>'
        return f"<!doctype html><meta charset=utf-8><title>MPanel mail</title>{body}"

    def _page_handler(self):
        catcher = self

        class Page(BaseHTTPRequestHandler):
            def do_GET(self):
                path = self.path.strip("/")
                if path and (not path.isdigit() or int(path) >= len(catcher.messages)):
                    self.send_error(404)
                    return
                data = catcher.render(int(path) if path else None).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *_args):
                pass

        return Page


def start_for(env: dict) -> MailCatcher | None:
    """Start a catcher and point the app at it, unless SMTP is configured."""
    if env.get("MPANEL_SMTP_HOST"):
        return None
    catcher = MailCatcher().start()
    env["MPANEL_SMTP_HOST"], env["MPANEL_SMTP_PORT"] = "127.0.0.1", str(catcher.smtp_port)
    env["MPANEL_MAIL_CATCHER_URL"] = catcher.url
    return catcher


def announce(port: str, demo_lines: str, catcher: MailCatcher | None, timeout: float = 60) -> None:
    """Once the web server answers, print the URLs and demo logins last, below the servers' start messages."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2).close()
            break
        except OSError:
            time.sleep(0.5)
    time.sleep(1)  # let the worker finish its start messages
    lines = ["", "=" * 72, demo_lines.strip(),
             "  the demo operator must set up two-factor sign-in (TOTP) at the first sign-in"]
    if catcher is not None:
        lines.append(f"  mail sent by MPanel (local catcher): {catcher.url}")
    lines += [f"MPanel is running: http://localhost:{port}/ (platform) and http://acme.localhost:{port}/ (demo "
              "tenant). Ctrl-C stops everything.", "=" * 72, ""]
    print("\n".join(lines), flush=True)
