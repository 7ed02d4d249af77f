"""Fresh Stripe objects built from Stripe's published fixtures, and Stripe-like ids."""

from __future__ import annotations

import copy
import hashlib
import secrets
import string
import time

from . import spec

_ALPHABET = string.ascii_letters + string.digits


def new_id(prefix: str) -> str:
    return f"{prefix}_{''.join(secrets.choice(_ALPHABET) for _ in range(24))}"


def account_id(api_key: str) -> str:
    """Each API key is its own Stripe account; its id is derived from the key."""
    return "acct_" + hashlib.sha256(api_key.encode()).hexdigest()[:16]


def new_object(kind: str, prefix: str, **fields) -> dict:
    """A copy of the fixture for ``kind`` (e.g. "payment_intent") with a fresh id and ``fields``."""
    obj = copy.deepcopy(spec.fixtures()[kind])
    obj.update(id=new_id(prefix), created=int(time.time()), livemode=False)
    obj.update(fields)
    return obj
