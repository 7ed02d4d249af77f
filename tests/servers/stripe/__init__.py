"""Local Stripe API test server for pointing the real ``stripe`` SDK at.

with StripeTestServer() as server:
    client = server.client()  # stripe.StripeClient(..., base_addresses={"api": server.url})
    client.v1.payment_intents.create({"amount": 1000, "currency": "eur", ...})
    assert server.violations == []
"""

from .cards import MAGIC_CARDS
from .server import FAULT_MODES, TEST_API_KEY, RecordedRequest, StripeTestServer, Violation

__all__ = ["FAULT_MODES", "MAGIC_CARDS", "TEST_API_KEY", "RecordedRequest", "StripeTestServer", "Violation"]
