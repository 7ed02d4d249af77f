"""A folder on the local disk (the embedded default, ``var/storage``).

Writes go to a temporary file beside the target, then replace it atomically.
Signed URLs point at the kernel route in ``web.py``, which checks their HMAC.
"""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from .base import CHUNK, Backend, Entry, NotFound, StorageError, check_key, file_sha256
from .signing import signed_path


class LocalBackend(Backend):
    name = "local"

    def __init__(self, root: str | Path, secret: str, url_prefix: str = "/storage/signed"):
        self.root = Path(root).resolve()
        self.secret = secret
        self.url_prefix = url_prefix

    def _path(self, key: str) -> Path:
        path = (self.root / check_key(key)).resolve()
        if self.root not in path.parents:
            raise StorageError(f"invalid storage key {key!r}")
        return path

    def put(self, key, data, content_type="application/octet-stream"):
        return self.put_file(key, io.BytesIO(data), content_type)

    def put_file(self, key, handle, content_type="application/octet-stream"):
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".put-")
            try:
                with os.fdopen(fd, "wb") as target:
                    handle.seek(0)
                    while chunk := handle.read(CHUNK):
                        target.write(chunk)
                    target.flush()
                    os.fsync(target.fileno())
                os.replace(temporary, path)
            except BaseException:
                os.unlink(temporary)
                raise
        except OSError as exc:
            raise StorageError(f"cannot write {key} under {self.root}: {exc.strerror or exc}") from exc
        return file_sha256(handle)

    def stream(self, key) -> Iterator[bytes]:
        path = self._path(key)
        try:
            handle = path.open("rb")
        except FileNotFoundError:
            raise NotFound(f"{key} is not in storage") from None
        except OSError as exc:
            raise StorageError(f"cannot read {key}: {exc.strerror or exc}") from exc

        def chunks():
            with handle:
                while chunk := handle.read(CHUNK):
                    yield chunk

        return chunks()

    def delete(self, key):
        try:
            self._path(key).unlink(missing_ok=True)
        except OSError as exc:
            raise StorageError(f"cannot delete {key}: {exc.strerror or exc}") from exc

    def list(self, prefix=""):
        folder = self.root  # walk only the prefix's deepest folder
        if "/" in prefix:
            folder = self._path(prefix.rpartition("/")[0])
        if not folder.is_dir():
            return []
        entries = []
        for path in folder.rglob("*"):
            if path.is_file() and not path.name.startswith(".put-"):
                key = path.relative_to(self.root).as_posix()
                if key.startswith(prefix):
                    entries.append(Entry(key, path.stat().st_size))
        return sorted(entries, key=lambda entry: entry.key)

    def signed_url(self, key, seconds, filename=None):
        self._path(key)
        return signed_path(self.url_prefix, key, seconds, self.secret, filename)
