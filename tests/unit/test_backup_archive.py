"""The backup file format and the retention rule (pure functions)."""

import datetime as dt

import pytest
from cryptography.fernet import Fernet

from mpanel.modules.backups.archive import BackupError, pack, unpack
from mpanel.modules.backups.retention import backup_name, moment_of, to_delete
from mpanel.modules.backups.service import compare

KEY = Fernet.generate_key().decode()
DUMP = b"PGDMP" + bytes(range(256)) * 50
MANIFEST = [{"key": "tenants/1/billing/documents/1/invoice-ab.pdf", "size": 3, "sha256": "ab" * 32}]
META = {"tables": {"billing_invoices": {"rows": 2, "checksum": "c0ffee"}}}


def test_pack_and_unpack_round_trip_and_hide_the_content():
    blob = pack(DUMP, MANIFEST, META, KEY)
    assert b"PGDMP" not in blob and b"tenants/1" not in blob
    assert unpack(blob, KEY) == (DUMP, MANIFEST, META)


def test_wrong_key_truncated_and_altered_files_are_refused_with_their_reason():
    blob = pack(DUMP, MANIFEST, META, KEY)
    with pytest.raises(BackupError, match="backup key is wrong"):
        unpack(blob, Fernet.generate_key().decode())
    with pytest.raises(BackupError, match=r"truncated: \d+ of \d+ bytes"):
        unpack(blob[:-100], KEY)
    altered = blob[:-10] + (b"A" if blob[-10:-9] != b"A" else b"B") + blob[-9:]
    with pytest.raises(BackupError, match="damaged"):
        unpack(altered, KEY)
    with pytest.raises(BackupError, match="not an MPanel backup"):
        unpack(b"PGDMP...", KEY)
    with pytest.raises(BackupError, match="MPANEL_BACKUP_KEY is not set"):
        pack(DUMP, MANIFEST, META, "")
    with pytest.raises(BackupError, match="not a Fernet key"):
        unpack(blob, "short")


def test_compare_names_each_difference():
    source = {"a": {"rows": 1, "checksum": "x"}, "b": {"rows": 2, "checksum": "y"}, "c": {"rows": 0, "checksum": "z"}}
    restored = {"a": {"rows": 1, "checksum": "x"}, "b": {"rows": 2, "checksum": "other"}, "d": {"rows": 0,
                                                                                           "checksum": "z"}}
    assert compare(source, source) == []
    assert compare(source, restored) == ["b: same row count, different content", "c: missing in the restore",
                                         "d: unexpected in the restore"]
    assert compare(source, {**source, "a": {"rows": 5, "checksum": "x"}}) == ["a: 5 rows, the source had 1"]


def names(*moments):
    return [backup_name(dt.datetime(*m, tzinfo=dt.UTC)) for m in moments]


def test_retention_keeps_newest_per_day_week_and_month_and_nothing_else():
    # Two backups a day from 2026-01-01 to 2026-03-31 (at 02:30 and 14:30).
    start = dt.datetime(2026, 1, 1, 2, 30, tzinfo=dt.UTC)
    everything = [backup_name(start + dt.timedelta(hours=12 * i)) for i in range(180)]
    others = ["notes.txt", "mpanel-latest.backup"]
    doomed = set(to_delete(everything + others, daily=3, weekly=2, monthly=2))
    kept = sorted(set(everything) - doomed)
    assert kept == [
        "mpanel-20260228T143000Z.backup",  # newest of February (monthly)
        "mpanel-20260329T143000Z.backup",  # daily; newest of ISO week 13 (weekly)
        "mpanel-20260330T143000Z.backup",  # daily
        "mpanel-20260331T143000Z.backup",  # daily; newest of ISO week 14 and of March
    ]
    assert "mpanel-20260329T143000Z.backup" in kept and "mpanel-20260329T023000Z.backup" not in kept
    assert not set(others) & doomed
    assert len(kept) + len(doomed) == len(everything)


def test_retention_counts_days_that_have_backups_and_always_keeps_the_newest():
    sparse = names((2026, 1, 1, 2), (2026, 2, 10, 2), (2026, 2, 10, 3), (2026, 3, 5, 2))
    assert to_delete(sparse, daily=2, weekly=0, monthly=0) == ["mpanel-20260101T020000Z.backup",
                                                               "mpanel-20260210T020000Z.backup"]
    assert to_delete(sparse, daily=0, weekly=0, monthly=0) == sparse[:3]
    assert moment_of("mpanel-20260305T020000Z.backup") == dt.datetime(2026, 3, 5, 2, tzinfo=dt.UTC)
    assert moment_of("../mpanel-20260305T020000Z.backup") is None


def _v2(dump_chunks, key=KEY) -> bytes:
    import io

    from mpanel.modules.backups.archive import write

    sink = io.BytesIO()
    size = write(sink, dump_chunks, MANIFEST, META, key)
    assert size == len(sink.getvalue())
    return sink.getvalue()


def _read_all(blob: bytes, key=KEY, piece=1000):
    from mpanel.modules.backups.archive import read

    manifest, meta, dump = read((blob[i:i + piece] for i in range(0, len(blob), piece)), key)
    return b"".join(dump), manifest, meta


def test_format_2_streams_in_frames_and_reads_format_1_too(monkeypatch):
    import os

    from mpanel.modules.backups import archive

    monkeypatch.setattr(archive, "FRAME", 4096)  # many frames from a small dump
    big = os.urandom(50_000) + DUMP * 3
    blob = _v2(big[i:i + 7000] for i in range(0, len(big), 7000))
    assert blob.startswith(archive.MAGIC2) and b"PGDMP" not in blob and b"tenants/1" not in blob
    assert _read_all(blob) == (big, MANIFEST, META)
    assert _read_all(_v2([])) == (b"", MANIFEST, META)
    assert _read_all(pack(DUMP, MANIFEST, META, KEY)) == (DUMP, MANIFEST, META)  # old backups stay readable


def test_format_2_refuses_a_wrong_key_truncation_and_tampering(monkeypatch):
    import os
    import struct

    from mpanel.modules.backups import archive

    monkeypatch.setattr(archive, "FRAME", 4096)
    blob = _v2([os.urandom(30_000)])
    with pytest.raises(BackupError, match="backup key is wrong"):
        _read_all(blob, Fernet.generate_key().decode())
    for cut in (len(blob) - 10, len(blob) - 200, len(archive.MAGIC2) + 2):
        with pytest.raises(BackupError, match="truncated"):
            _read_all(blob[:cut])
    frames, offset = [], len(archive.MAGIC2)
    while offset < len(blob):
        (length,) = struct.unpack(">I", blob[offset:offset + 4])
        frames.append(blob[offset:offset + 4 + length])
        offset += 4 + length
    assert len(frames) > 3
    head = archive.MAGIC2
    with pytest.raises(BackupError, match="truncated"):  # the last frame dropped
        _read_all(head + b"".join(frames[:-1]))
    with pytest.raises(BackupError, match="missing or out of order"):
        _read_all(head + frames[0] + frames[2] + frames[1] + b"".join(frames[3:]))
    altered = bytearray(blob)
    altered[-20] ^= 1
    with pytest.raises(BackupError, match="damaged"):
        _read_all(bytes(altered))
    with pytest.raises(BackupError, match="damaged"):
        _read_all(blob + b"extra")
