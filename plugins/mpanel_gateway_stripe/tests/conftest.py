"""A billing tenant whose Stripe gateway talks to the local StripeTestServer
(tests/servers/stripe), and MPanel served on a port so the server can deliver
signed webhooks to it over HTTP. The billing tests' fixtures are reused."""

import importlib.util
import sys
import threading
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
BILLING_TESTS = REPO / "plugins" / "mpanel_billing" / "tests"
for path in (REPO, BILLING_TESTS, Path(__file__).parent):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from stripe_testing import Shop  # noqa: E402

from tests.servers.stripe import StripeTestServer  # noqa: E402


def _billing_fixtures():
    spec = importlib.util.spec_from_file_location("billing_tests_conftest", BILLING_TESTS / "conftest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_billing = _billing_fixtures()
billing, make_billing, smtp = _billing.billing, _billing.make_billing, _billing.smtp


@pytest.fixture
def stripe_server(app):
    """A Stripe test server; the app's Stripe clients point at it (no SDK retries, short timeouts)."""
    with StripeTestServer(hang_seconds=3) as server:
        keys = ("STRIPE_API_BASE", "STRIPE_TIMEOUT", "STRIPE_MAX_NETWORK_RETRIES")
        saved = {key: app.config.get(key) for key in keys}
        app.config.update(STRIPE_API_BASE=server.url, STRIPE_TIMEOUT=1.5, STRIPE_MAX_NETWORK_RETRIES=0)
        yield server
        app.config.update(saved)


@pytest.fixture(scope="session")
def live_url(app):
    """MPanel on a real port (the platform host), for webhooks sent over HTTP."""
    from werkzeug.serving import make_server

    server = make_server("localhost", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://localhost:{server.server_port}"
    server.shutdown()


@pytest.fixture
def shop(app, billing, stripe_server, live_url):
    return Shop(app, billing, stripe_server, live_url)
