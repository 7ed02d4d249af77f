"""Peak memory of writing and reading a backup (format 2) of a large dump.

    .venv/bin/python scripts/backup_memory.py [MEGABYTES]

A synthetic dump of MEGABYTES (default 300; half random, half compressible) is
streamed through the archive writer into a temporary file and read back; the
script prints the process's peak resident memory before and after, which stays
near the interpreter's own size whatever MEGABYTES is (format 1 needed several
times the dump's size)."""

from __future__ import annotations

import os
import resource
import sys
import tempfile
import time

from cryptography.fernet import Fernet

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from mpanel.modules.backups.archive import read, write

CHUNK = 1024 * 1024


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def dump_chunks(megabytes: int):
    line = b"INSERT INTO billing_invoices VALUES (42, 'INV-2026-0001', 121.00);\n"
    pattern = (line * (CHUNK // len(line) + 1))[:CHUNK]
    for n in range(megabytes):
        yield os.urandom(CHUNK) if n % 2 else pattern


def main() -> None:
    megabytes = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    key = Fernet.generate_key().decode()
    before = peak_mib()
    started = time.perf_counter()
    with tempfile.TemporaryFile() as spool:
        size = write(spool, dump_chunks(megabytes), [], {"tables": {}}, key)
        written = peak_mib()
        spool.seek(0)
        _manifest, _meta, chunks = read(iter(lambda: spool.read(CHUNK), b""), key)
        restored = sum(len(chunk) for chunk in chunks)
    assert restored == megabytes * CHUNK, restored
    print(f"dump {megabytes} MiB -> backup {size / CHUNK:.1f} MiB in {time.perf_counter() - started:.1f} s")
    print(f"peak RSS: {before:.1f} MiB at start, {written:.1f} MiB after writing, {peak_mib():.1f} MiB after reading")


if __name__ == "__main__":
    main()
