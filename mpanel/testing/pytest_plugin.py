"""pytest plugin shared by the kernel's and every plugin's tests.

One fresh database per test session (owner and runtime roles, all migrations),
one app for the session, and factories that make a new tenant per test, so
tests never depend on each other's rows. Services come from
``MPANEL_TEST_DATABASE_URL`` (a superuser URL) and ``MPANEL_TEST_REDIS_URL``.
"""

from __future__ import annotations

import os
import shutil
import threading
import uuid
from contextlib import contextmanager

import psycopg
import pytest
from flask import has_app_context
from flask.testing import FlaskClient

from mpanel.core.dbroles import ensure_database

SUPERUSER_URL = os.environ.get("MPANEL_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("MPANEL_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
PASSWORD = "correct horse battery staple"  # noqa: S105 (test accounts)


def _url(role: str, dbname: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(SUPERUSER_URL).set(username=role, password=None, database=dbname).render_as_string(False)


@contextmanager
def fresh_database(dbname: str):
    """(owner URL, runtime URL) of a new empty database, dropped afterwards."""
    from mpanel.core.dbroles import libpq_url

    def drop():
        with psycopg.connect(libpq_url(SUPERUSER_URL), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')

    owner, runtime = _url("mpanel_test_owner", dbname), _url("mpanel_test_app", dbname)
    drop()
    ensure_database(SUPERUSER_URL, owner, runtime)
    try:
        yield owner, runtime
    finally:
        drop()


@pytest.fixture(scope="session")
def database_urls():
    """The session's database; one per pytest process, so parallel runs never share rows."""
    with fresh_database(f"mpanel_test_{os.getpid()}") as urls:
        yield urls


@pytest.fixture(scope="session")
def app_config(database_urls):
    owner, runtime = database_urls
    return {
        "ENV": "testing",
        "DATABASE_URL": runtime,
        "MIGRATION_DATABASE_URL": owner,
        "REDIS_URL": REDIS_URL,
        "RATELIMIT_STORAGE_URI": REDIS_URL,
        "RATELIMIT_KEY_PREFIX": f"mpanel-test-{os.getpid()}",
        "HUEY_IMMEDIATE": True,
        "LOGIN_RATE_LIMIT": "10000 per minute",
        "ACCOUNT_LOGIN_RATE_LIMIT": "10000 per minute",
        "API_RATE_LIMIT": "100000 per minute",
        "API_ANONYMOUS_RATE_LIMIT": "100000 per minute",
        "WTF_CSRF_ENABLED": True,
        "SERVER_NAME": None,
    }


@pytest.fixture(scope="session")
def app(app_config):
    """The session's app, with the database migrated and roles initialised."""
    from mpanel import create_app
    from mpanel.core.plugins.migrations import upgrade_all

    application = create_app(app_config)
    with application.app_context():
        upgrade_all()
        application.test_cli_runner().invoke(args=["mpanel", "init"], catch_exceptions=False)
    return application


@pytest.fixture
def ctx(app):
    """An app context for the test body, with its own session."""
    from mpanel.extensions import db

    with app.app_context():
        yield
        db.session.rollback()
        db.session.remove()


class IsolatedClient(FlaskClient):
    """A test client that refuses to run inside an outer app context: Flask
    would reuse that context (and its ``g`` and database session) for every
    request, which no real request ever does."""

    def open(self, *args, **kwargs):
        if has_app_context():
            raise RuntimeError("do not use `client` inside `ctx`/app_context(); use `with app.app_context():` blocks")
        return super().open(*args, **kwargs)


@pytest.fixture
def client(app):
    app.test_client_class = IsolatedClient
    return app.test_client()


class Factory:
    """Makes tenants, staff, customers and contacts, each committed and unique."""

    def __init__(self, app):
        self.app = app

    def commit(self, fn, tenant_id=None):
        """Run ``fn(session)`` as the tenant and commit inside the same scope."""
        from mpanel.core.tenancy import tenant_scope
        from mpanel.extensions import db

        with self.app.app_context(), tenant_scope(tenant_id, session=db.session):
            result = fn(db.session)
            db.session.commit()
            return result

    def tenant(self, plugins=None, **kwargs):
        from mpanel.core.plugins.engine import loaded_plugins
        from mpanel.modules.tenants.service import create_tenant

        slug = kwargs.pop("slug", f"t{uuid.uuid4().hex[:10]}")
        with self.app.app_context():
            names = list(loaded_plugins()) if plugins is None else plugins
        name = kwargs.pop("name", slug.upper())
        tenant_id = self.commit(lambda s: create_tenant(s, slug, name, plugins=names, **kwargs).id)
        return TenantHandle(self, tenant_id, slug)


class TenantHandle:
    """A test tenant: its id, host and helpers to add people to it."""

    def __init__(self, factory, tenant_id, slug):
        self.factory, self.id, self.slug = factory, tenant_id, slug
        self.host = f"http://{slug}.localhost"

    def scope(self):
        from mpanel.core.tenancy import tenant_scope

        return tenant_scope(self.id)

    def _in_scope(self, fn):
        return self.factory.commit(fn, self.id)

    def staff(self, role="Owner", email=None):
        from mpanel.core.security.users import create_user

        email = email or f"{role.lower()}-{uuid.uuid4().hex[:6]}@{self.slug}.example"
        self._in_scope(lambda s: create_user(email, PASSWORD, role).id)
        return email

    def customer(self, **fields):
        from mpanel.modules.customers.models import Customer

        values = {"first_name": "Chris", "last_name": "Client", "country": "DE", "currency": "EUR",
                  "email": f"c-{uuid.uuid4().hex[:8]}@example.com", **fields}

        def add(session):
            customer = Customer(**values)
            session.add(customer)
            session.flush()
            return customer.id

        return self._in_scope(add)

    def contact(self, customer_id, email=None, permissions=("billing", "services", "technical", "domains")):
        from mpanel.core.security.users import create_contact
        from mpanel.modules.customers.models import Customer

        email = email or f"contact-{uuid.uuid4().hex[:6]}@example.com"
        self._in_scope(lambda s: create_contact(s.get(Customer, customer_id), email, PASSWORD, permissions).id)
        return email

    def api_token(self, client, email, password=PASSWORD, refresh=False):
        response = client.post("/api/v1/security/login", base_url=self.host,
                               json={"username": email, "password": password, "refresh": refresh})
        assert response.status_code == 200, response.get_json()
        return response.get_json() if refresh else response.get_json()["access_token"]

    def web_login(self, client, email, password=PASSWORD):
        """Sign in through the HTML form, CSRF token included; returns the response."""
        page = client.get("/login/", base_url=self.host)
        token = csrf_token(page.get_data(as_text=True))
        return client.post("/login/", base_url=self.host,
                           data={"username": email, "password": password, "csrf_token": token})


def csrf_token(html: str) -> str:
    import re

    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def factory(app):
    return Factory(app)


@pytest.fixture
def runtime_connection(database_urls):
    """A raw psycopg connection as the runtime role (what the app uses)."""
    from mpanel.core.dbroles import libpq_url

    with psycopg.connect(libpq_url(database_urls[1])) as conn:
        yield conn


@pytest.fixture
def query_counter(app):
    """``with query_counter() as counted: ...`` then ``counted[0]`` is the number of
    SQL statements the app ran meanwhile (for query budgets: no N+1)."""
    from sqlalchemy import event

    from mpanel.extensions import db

    @contextmanager
    def count():
        counted = [0]

        def before(*_args):
            counted[0] += 1

        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", before)
        try:
            yield counted
        finally:
            event.remove(engine, "before_cursor_execute", before)

    return count


CHROMIUM = shutil.which("chromium")
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium is not installed")


@pytest.fixture(scope="session")
def live_server(app):
    """The app served on 127.0.0.1 (any port) in a thread; tenants at <slug>.localhost:<port>."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_port
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    """Debian chromium, headless, through Playwright (mark tests with ``needs_chromium``)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--no-first-run", "--disable-sync"])
        yield browser
        browser.close()
