"""Webhook events: Event objects, Stripe's signature scheme and delivery."""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import time

import requests

from . import spec
from .objects import new_object


def build_event(type: str, data_object: dict, account: str | None = None, request: dict | None = None) -> dict:
    """An ``event`` shaped like Stripe's fixture, carrying a snapshot of ``data_object``.
    ``account`` (the originating account) is left out when unknown, as the schema has no null."""
    event = new_object(
        "event",
        "evt",
        type=type,
        data={"object": copy.deepcopy(data_object)},
        api_version=spec.load().version,
        pending_webhooks=1,
        request=request or {"id": None, "idempotency_key": None},
    )
    if account:
        event["account"] = account
    return event


def sign_event(payload: dict | str | bytes, secret: str, timestamp: int | None = None) -> tuple[bytes, str]:
    """``(body, Stripe-Signature header)``: ``t=<ts>,v1=<hex HMAC-SHA256(secret, "<ts>.<body>")>``."""
    if isinstance(payload, dict):
        payload = json.dumps(payload)
    body = payload.encode() if isinstance(payload, str) else payload
    timestamp = int(time.time()) if timestamp is None else timestamp
    signature = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return body, f"t={timestamp},v1={signature}"


def deliver(url: str, event: dict, secret: str, timestamp: int | None = None) -> requests.Response:
    """POST the signed event to a webhook endpoint, as Stripe does."""
    body, header = sign_event(event, secret, timestamp)
    headers = {"Content-Type": "application/json; charset=utf-8", "Stripe-Signature": header}
    return requests.post(url, data=body, headers=headers, timeout=10)
