"""A tenant with billing and the bank transfer gateway (the billing tests' helpers)."""

import sys
from pathlib import Path

import pytest

BILLING_TESTS = Path(__file__).resolve().parents[2] / "mpanel_billing" / "tests"
for path in (BILLING_TESTS, Path(__file__).parent):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from billing_testing import Billing  # noqa: E402


@pytest.fixture
def billing(app, factory):
    return Billing(app, factory)
