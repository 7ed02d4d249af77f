"""The backup file: a header (size and sha256 of what follows), then a Fernet
token of a gzipped tar with the database dump, the storage manifest and the
source's table statistics. Each way a file can be unusable has its own error."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import tarfile

from cryptography.fernet import Fernet, InvalidToken

MAGIC = b"MPANEL-BACKUP-1\n"
DUMP, MANIFEST, META = "database.dump", "manifest.json", "meta.json"


class BackupError(RuntimeError):
    """A backup cannot be made, read or restored; the message says why."""


def fernet(key: str) -> Fernet:
    if not key:
        raise BackupError("MPANEL_BACKUP_KEY is not set (see docs/operations.md, Backups, for how to make one)")
    try:
        return Fernet(key.encode() if isinstance(key, str) else key)
    except (ValueError, TypeError):
        raise BackupError("MPANEL_BACKUP_KEY is not a Fernet key (32 url-safe base64-encoded bytes)") from None


def _member(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    tar.addfile(info, io.BytesIO(data))


def pack(dump: bytes, manifest: list[dict], meta: dict, key: str) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        _member(tar, DUMP, dump)
        _member(tar, MANIFEST, json.dumps(manifest, sort_keys=True).encode())
        _member(tar, META, json.dumps(meta, sort_keys=True).encode())
    token = fernet(key).encrypt(gzip.compress(buffer.getvalue(), compresslevel=6))
    header = json.dumps({"size": len(token), "sha256": hashlib.sha256(token).hexdigest()}).encode()
    return MAGIC + header + b"\n" + token


def unpack(blob: bytes, key: str) -> tuple[bytes, list[dict], dict]:
    """(dump, manifest, meta) of a backup file, or a BackupError saying what is wrong."""
    box = fernet(key)
    if not blob.startswith(MAGIC):
        raise BackupError("not an MPanel backup file (its header is missing)")
    header_line, _, token = blob[len(MAGIC):].partition(b"\n")
    try:
        header = json.loads(header_line)
        size, digest = int(header["size"]), header["sha256"]
    except (ValueError, KeyError, TypeError):
        raise BackupError("the backup's header is damaged") from None
    if len(token) < size:
        raise BackupError(f"the backup is truncated: {len(token)} of {size} bytes")
    if len(token) > size or hashlib.sha256(token).hexdigest() != digest:
        raise BackupError("the backup is damaged: its content does not match its checksum")
    try:
        plain = gzip.decompress(box.decrypt(token))
    except InvalidToken:
        raise BackupError("the backup key is wrong: this backup was encrypted with another key") from None
    with tarfile.open(fileobj=io.BytesIO(plain), mode="r") as tar:
        read = {name: tar.extractfile(name).read() for name in (DUMP, MANIFEST, META)}
    return read[DUMP], json.loads(read[MANIFEST]), json.loads(read[META])
