"""Files: one interface, a local folder or S3-compatible object storage behind it.

Tenant code uses ``tenant_storage()``: its keys live under ``tenants/<id>/``,
the tenant coming from the current scope, never from the key, so no key a
caller builds can reach another tenant's files. Platform jobs (backups) use
``platform_storage()`` (keys under ``platform/``).
"""

from __future__ import annotations

from flask import current_app

from mpanel.core.tenancy import require_tenant_id
from mpanel.paths import HOME

from .base import Backend, ChecksumMismatch, Entry, NotFound, StorageError, check_key, sha256, verified

EXTENSION = "mpanel_storage"


def build_backend(config) -> Backend:
    kind = config.get("STORAGE_BACKEND", "local")
    if kind == "local":
        from .local import LocalBackend

        root = HOME / config["STORAGE_PATH"]  # an absolute STORAGE_PATH replaces HOME
        return LocalBackend(root, config["SECRET_KEY"])
    if kind == "s3":
        from .s3 import S3Backend

        return S3Backend(config["S3_BUCKET"], endpoint_url=config["S3_ENDPOINT_URL"], region=config["S3_REGION"],
                         prefix=config["S3_PREFIX"], access_key_id=config["S3_ACCESS_KEY_ID"],
                         secret_access_key=config["S3_SECRET_ACCESS_KEY"],
                         server_side_encryption=config["S3_SERVER_SIDE_ENCRYPTION"],
                         kms_key_id=config["S3_KMS_KEY_ID"], attempts=config["STORAGE_ATTEMPTS"])
    raise StorageError(f"MPANEL_STORAGE_BACKEND must be local or s3, not {kind!r}")


def init_app(app) -> None:
    from .web import blueprint

    app.extensions[EXTENSION] = build_backend(app.config)
    app.register_blueprint(blueprint)


def backend() -> Backend:
    return current_app.extensions[EXTENSION]


class ScopedStorage:
    """A back-end seen through one namespace: every key is checked, then prefixed."""

    def __init__(self, store: Backend, namespace: str):
        self.backend, self.namespace = store, namespace

    def full_key(self, key: str) -> str:
        return f"{self.namespace}/{check_key(key)}"

    def put(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> str:
        return self.backend.put(self.full_key(key), data, content_type)

    def put_file(self, key: str, handle, content_type: str = "application/octet-stream") -> str:
        return self.backend.put_file(self.full_key(key), handle, content_type)

    def get(self, key: str, sha256: str | None = None) -> bytes:
        return self.backend.get(self.full_key(key), sha256)

    def stream(self, key: str):
        return self.backend.stream(self.full_key(key))

    def delete(self, key: str) -> None:
        self.backend.delete(self.full_key(key))

    def checksum(self, key: str) -> str:
        return self.backend.checksum(self.full_key(key))

    def list(self, prefix: str = "") -> list[Entry]:
        if prefix:
            check_key(prefix.rstrip("/"))
        cut = len(self.namespace) + 1
        return [Entry(entry.key[cut:], entry.size) for entry in self.backend.list(f"{self.namespace}/{prefix}")]

    def signed_url(self, key: str, seconds: int | None = None, filename: str | None = None) -> str:
        seconds = seconds or current_app.config["STORAGE_URL_SECONDS"]
        return self.backend.signed_url(self.full_key(key), seconds, filename)


def tenant_storage() -> ScopedStorage:
    """The current tenant's files (raises outside a tenant scope)."""
    return ScopedStorage(backend(), f"tenants/{require_tenant_id()}")


def platform_storage() -> ScopedStorage:
    return ScopedStorage(backend(), "platform")


__all__ = ["Backend", "ChecksumMismatch", "Entry", "NotFound", "ScopedStorage", "StorageError", "backend",
           "init_app", "platform_storage", "sha256", "tenant_storage", "verified"]
