"""The backup file. Format 2 (:func:`write`, :func:`read`) streams: chunked
encryption in bounded memory. Format 1 (:func:`pack`, :func:`unpack`, still
read): a header (size and sha256 of what follows), then one Fernet token of a
gzipped tar with the database dump, the storage manifest and the source's table
statistics. Each way a file can be unusable has its own error."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import struct
import tarfile
import zlib

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


# Format 2, written in bounded memory: after MAGIC2, frames of a 4-byte length and a Fernet
# token. Each token holds its frame number (8 bytes), a last-frame flag (1 byte) and up to
# FRAME bytes of one zlib stream whose plain text is the length of a JSON header (8 bytes),
# the header ({"manifest", "meta"}) and the pg_dump output. Numbered frames and the flag
# catch frames dropped, reordered or cut off; each token is authenticated by the key.
MAGIC2 = b"MPANEL-BACKUP-2\n"
FRAME = 1024 * 1024
_LENGTH, _NUMBER = struct.Struct(">I"), struct.Struct(">QB")


def write(sink, dump_chunks, manifest: list[dict], meta: dict, key: str) -> int:
    """Write a format-2 backup of ``dump_chunks`` (an iterable of bytes) to ``sink``; its size."""
    box, squeeze = fernet(key), zlib.compressobj(6)
    pending, state = bytearray(), {"number": 0, "size": 0}

    def emit(data: bytes, last: bool) -> None:
        token = box.encrypt(_NUMBER.pack(state["number"], last) + data)
        sink.write(_LENGTH.pack(len(token)) + token)
        state["number"] += 1
        state["size"] += _LENGTH.size + len(token)

    def feed(plain: bytes) -> None:
        pending.extend(squeeze.compress(plain))
        while len(pending) >= FRAME:
            emit(bytes(pending[:FRAME]), False)
            del pending[:FRAME]

    sink.write(MAGIC2)
    state["size"] += len(MAGIC2)
    head = json.dumps({"manifest": manifest, "meta": meta}, sort_keys=True).encode()
    feed(struct.pack(">Q", len(head)) + head)
    for chunk in dump_chunks:
        feed(chunk)
    pending.extend(squeeze.flush())
    emit(bytes(pending), True)
    return state["size"]


class _Reader:
    """Exact reads from an iterable of byte chunks."""

    def __init__(self, chunks, first: bytes = b""):
        self.chunks, self.buffer = iter(chunks), bytearray(first)

    def read(self, size: int) -> bytes:
        while len(self.buffer) < size:
            chunk = next(self.chunks, None)
            if chunk is None:
                break
            self.buffer.extend(chunk)
        data = bytes(self.buffer[:size])
        del self.buffer[:size]
        return data


def _frames(reader: _Reader, box: Fernet):
    number = 0
    while True:
        length = reader.read(_LENGTH.size)
        if not length:
            raise BackupError(f"the backup is truncated: it ends after {number} parts without its last one")
        token = reader.read(_LENGTH.unpack(length)[0]) if len(length) == _LENGTH.size else b""
        if len(length) < _LENGTH.size or len(token) < _LENGTH.unpack(length)[0]:
            raise BackupError(f"the backup is truncated in part {number + 1}")
        try:
            plain = box.decrypt(token)
        except InvalidToken:
            if number == 0:
                raise BackupError("the backup key is wrong: this backup was encrypted with another key") from None
            raise BackupError(f"the backup is damaged in part {number + 1}") from None
        found, last = _NUMBER.unpack(plain[:_NUMBER.size])
        if found != number:
            raise BackupError(f"the backup is damaged: part {number + 1} is missing or out of order")
        yield plain[_NUMBER.size:]
        if last:
            if reader.read(1):
                raise BackupError("the backup is damaged: data after its last part")
            return
        number += 1


def _plain(frames):
    expand = zlib.decompressobj()
    try:
        for data in frames:
            if out := expand.decompress(data):
                yield out
        if tail := expand.flush():
            yield tail
    except zlib.error:
        raise BackupError("the backup is damaged: its compressed content does not decode") from None


def read(chunks, key: str) -> tuple[list[dict], dict, object]:
    """(manifest, meta, dump chunks) of a backup read from an iterable of byte chunks, in
    bounded memory for format 2 (a damage found later raises BackupError while the dump is
    read). Format 1 files are read whole, as before."""
    box = fernet(key)
    reader = _Reader(chunks)
    magic = reader.read(len(MAGIC2))
    if magic != MAGIC2:
        dump, manifest, meta = unpack(magic + b"".join([bytes(reader.buffer), *reader.chunks]), key)
        return manifest, meta, iter([dump])
    plain = _Reader(_plain(_frames(reader, box)))
    size = plain.read(8)
    if len(size) < 8:
        raise BackupError("the backup is damaged: its header is missing")
    head = plain.read(struct.unpack(">Q", size)[0])
    try:
        header = json.loads(head)
        manifest, meta = header["manifest"], header["meta"]
    except (ValueError, KeyError, TypeError):
        raise BackupError("the backup's header is damaged") from None

    def dump_chunks():
        if plain.buffer:
            yield bytes(plain.buffer)
            plain.buffer.clear()
        yield from plain.chunks

    return manifest, meta, dump_chunks()
