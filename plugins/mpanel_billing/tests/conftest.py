"""Fixtures of the billing tests (helpers in billing_testing.py)."""

import sys
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

sys.path.insert(0, str(Path(__file__).parent))
from billing_testing import Billing, Inbox, free_port


@pytest.fixture
def billing(app, factory):
    return Billing(app, factory)


@pytest.fixture
def make_billing(app, factory):
    return lambda **settings: Billing(app, factory, **settings)


@pytest.fixture
def smtp(app):
    """A real SMTP server; the app sends to it for the test's duration."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    saved = app.config["SMTP_HOST"], app.config["SMTP_PORT"]
    app.config["SMTP_HOST"], app.config["SMTP_PORT"] = "127.0.0.1", controller.port
    yield inbox
    app.config["SMTP_HOST"], app.config["SMTP_PORT"] = saved
    controller.stop()
