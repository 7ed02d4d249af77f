"""HMAC-signed, expiring links to the local back-end's objects."""

from __future__ import annotations

import hashlib
import hmac
import time
from urllib.parse import quote, urlencode


def _signature(secret: str, key: str, expires: int, filename: str) -> str:
    message = f"{key}\n{expires}\n{filename}".encode()
    return hmac.new(f"mpanel-storage:{secret}".encode(), message, hashlib.sha256).hexdigest()


def signed_path(prefix: str, key: str, seconds: int, secret: str, filename: str | None = None) -> str:
    expires = int(time.time()) + int(seconds)
    query = {"expires": expires, "signature": _signature(secret, key, expires, filename or "")}
    if filename:
        query["filename"] = filename
    return f"{prefix}/{quote(key)}?{urlencode(query)}"


def check_signature(secret: str, key: str, expires: str, signature: str, filename: str = "") -> bool:
    """True when the link is genuine and not yet expired."""
    try:
        moment = int(expires)
    except (TypeError, ValueError):
        return False
    expected = _signature(secret, key, moment, filename or "")
    return hmac.compare_digest(expected, signature or "") and moment >= time.time()
