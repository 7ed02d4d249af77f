"""The Stripe tests' ``shop``: the gateway's fixtures (mpanel_gateway_stripe.testing)."""

import pytest


@pytest.fixture
def shop(stripe_shop):
    return stripe_shop
