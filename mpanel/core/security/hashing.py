"""Random secrets and the form they are stored in.

Every secret made here carries at least 256 random bits (recovery codes: 50 bits,
salted per user), so a plain SHA-256 is enough to store it: unlike a password
there is nothing to guess, and lookups by hash stay indexable.
"""

from __future__ import annotations

import hashlib
import secrets


def new_token() -> str:
    return secrets.token_urlsafe(32)


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()
