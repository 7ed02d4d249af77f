"""The storage interface every back-end implements, its errors and key rules."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass

CHUNK = 64 * 1024
_SEGMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._=+@-]*$")


class StorageError(RuntimeError):
    """The storage could not do what was asked; the message says what and where."""


class NotFound(StorageError):
    pass


class ChecksumMismatch(StorageError):
    """What was read is not what was stored."""


@dataclass(frozen=True)
class Entry:
    key: str
    size: int


def check_key(key: str) -> str:
    """A relative key of plain segments: no ``..``, no leading slash, no backslash."""
    segments = key.split("/") if isinstance(key, str) else [""]
    if not key or any(not _SEGMENT.match(segment) or ".." in segment for segment in segments):
        raise StorageError(f"invalid storage key {key!r}")
    return key


def file_sha256(handle) -> str:
    """The sha256 of an open binary file, read in chunks from its start."""
    handle.seek(0)
    digest = hashlib.sha256()
    while chunk := handle.read(CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def verified(key: str, data: bytes, expected: str | None) -> bytes:
    if expected is not None and sha256(data) != expected:
        raise ChecksumMismatch(f"{key}: stored content does not match its checksum {expected}")
    return data


class Backend:
    """put, get, stream, delete, signed temporary URL, list by prefix, checksum.

    Keys are full keys (``tenants/<id>/...``, ``platform/...``); tenants reach the
    back-end through ``TenantStorage`` only. ``put`` replaces an object whole or
    not at all: a failed put leaves the previous version.
    """

    name = "abstract"

    def put(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> str:
        """Store ``data`` under ``key``; returns its sha256."""
        raise NotImplementedError

    def put_file(self, key: str, handle, content_type: str = "application/octet-stream") -> str:
        """Store the content of the open binary file ``handle`` (from its start), for large
        files (backups); back-ends copy it in chunks. Returns its sha256."""
        handle.seek(0)
        return self.put(key, handle.read(), content_type)

    def get(self, key: str, sha256: str | None = None) -> bytes:
        return verified(key, b"".join(self.stream(key)), sha256)

    def stream(self, key: str) -> Iterator[bytes]:
        raise NotImplementedError

    def delete(self, key: str) -> None:
        """Remove ``key``; removing a missing key is not an error."""
        raise NotImplementedError

    def list(self, prefix: str = "") -> list[Entry]:
        """Entries whose key starts with ``prefix``, sorted by key."""
        raise NotImplementedError

    def checksum(self, key: str) -> str:
        """The sha256 of the stored object."""
        digest = hashlib.sha256()
        for chunk in self.stream(key):
            digest.update(chunk)
        return digest.hexdigest()

    def signed_url(self, key: str, seconds: int, filename: str | None = None) -> str:
        raise NotImplementedError
