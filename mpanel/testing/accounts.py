"""Helpers of the accounts tests: a signed-in platform operator, links in mails."""

import re
import uuid

from mpanel.testing.pytest_plugin import PASSWORD, csrf_token
from mpanel.testing.security import code_at, enable_totp

PLATFORM = "http://localhost"


def operator_login(app, client, clock):
    """Sign a new operator in on the platform host (password and TOTP); returns the e-mail."""
    from mpanel.core.security.users import create_user
    from mpanel.core.tenancy import tenant_scope
    from mpanel.extensions import db

    email = f"op-{uuid.uuid4().hex[:8]}@platform.example"
    with app.app_context(), tenant_scope(None, session=db.session):
        create_user(email, PASSWORD, "Operator")
        db.session.commit()
    secret, _codes = enable_totp(app, None, email)
    clock.advance(seconds=30)
    page = client.get("/login/", base_url=PLATFORM)
    step = client.post("/login/", base_url=PLATFORM, data={
        "username": email, "password": PASSWORD, "csrf_token": csrf_token(page.get_data(as_text=True))})
    assert step.headers["Location"].endswith("/login/mfa/"), step.headers
    page = client.get("/login/mfa/", base_url=PLATFORM)
    done = client.post("/login/mfa/", base_url=PLATFORM, data={
        "code": code_at(secret, clock.now), "csrf_token": csrf_token(page.get_data(as_text=True))})
    assert done.headers["Location"] == "/operator/", done.headers
    return email


def link_in(message, path):
    return re.search(rf"https?://\S+/{path}/\S+", message.get_body(("plain",)).get_content()).group(0)
