"""Fixtures of the account-security tests: a real SMTP server, a clock the test
moves, and helpers for the second factor."""

import datetime as dt
import socket
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller

from mpanel.core.security import clock as security_clock


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd calls this hook by name
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def to(self, address):
        return [m for m in self.messages if m["To"] == address]


@pytest.fixture
def smtp(app):
    """A real SMTP server; the app sends to it for the test's duration."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    saved = app.config["SMTP_HOST"], app.config["SMTP_PORT"]
    app.config["SMTP_HOST"], app.config["SMTP_PORT"] = "127.0.0.1", port
    yield inbox
    app.config["SMTP_HOST"], app.config["SMTP_PORT"] = saved
    controller.stop()


class Clock:
    """Security time, frozen at a step boundary until the test moves it."""

    def __init__(self):
        now = dt.datetime.now(dt.UTC)
        self.now = now.replace(second=0, microsecond=0) + dt.timedelta(minutes=1)

    def __call__(self):
        return self.now

    def advance(self, **delta):
        self.now += dt.timedelta(**delta)


@pytest.fixture
def clock(monkeypatch):
    fake = Clock()
    monkeypatch.setattr(security_clock, "now", fake)
    return fake


@pytest.fixture
def tenant(factory):
    return factory.tenant()
