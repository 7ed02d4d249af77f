"""Make, list, verify and restore backups; apply the retention."""

from __future__ import annotations

import datetime as dt
import secrets
import tempfile

from flask import current_app
from sqlalchemy.engine import make_url

from mpanel.core.storage import NotFound, StorageError, backend, platform_storage
from mpanel.core.storage.base import check_key

from . import database
from .archive import BackupError, read, write
from .retention import backup_name, moment_of, to_delete

FOLDER = "backups"
MANIFEST_SKIPS = "platform/backups/"  # backups are not part of their own manifest


def manifest() -> list[dict]:
    """Every stored file but the backups: key, size and sha256."""
    store = backend()
    return [{"key": entry.key, "size": entry.size, "sha256": store.checksum(entry.key)}
            for entry in store.list("") if not entry.key.startswith(MANIFEST_SKIPS)]


def run_backup(now: dt.datetime | None = None) -> dict:
    """pg_dump's output compressed and encrypted as it comes (format 2) into a temporary
    file, then uploaded from it: memory stays bounded whatever the database's size."""
    config = current_app.config
    now = now or dt.datetime.now(dt.UTC)
    files = manifest()
    name = backup_name(now)
    with tempfile.TemporaryFile(dir=config.get("BACKUP_TMP_DIR") or None) as spool:
        def consume(chunks, stats):
            meta = {"created_at": now.isoformat(), "tables": stats, "format": 2,
                    "database": make_url(config["BACKUP_DATABASE_URL"]).database}
            return write(spool, chunks, files, meta, config["BACKUP_KEY"]), stats

        size, stats = database.dump(config["BACKUP_DATABASE_URL"], consume)
        spool.flush()
        platform_storage().put_file(f"{FOLDER}/{name}", spool)
    return {"name": name, "size": size, "tables": len(stats), "rows": sum(t["rows"] for t in stats.values()),
            "files": len(files)}


def list_backups() -> list[dict]:
    cut = len(FOLDER) + 1
    return [{"name": entry.key[cut:], "size": entry.size, "created_at": moment_of(entry.key[cut:])}
            for entry in platform_storage().list(f"{FOLDER}/")]


def load(name: str) -> tuple[list[dict], dict, object]:
    """(manifest, meta, dump chunks) of a backup, streamed from storage."""
    check_key(name)
    try:
        chunks = platform_storage().stream(f"{FOLDER}/{name}")
    except NotFound:
        raise BackupError(f"no backup named {name}") from None
    return read(chunks, current_app.config["BACKUP_KEY"])


def compare(expected: dict, found: dict) -> list[str]:
    """Differences between two sets of table statistics, one line each."""
    problems = []
    for table in sorted(set(expected) | set(found)):
        want, have = expected.get(table), found.get(table)
        if want is None or have is None:
            problems.append(f"{table}: {'missing' if have is None else 'unexpected'} in the restore")
        elif want["rows"] != have["rows"]:
            problems.append(f"{table}: {have['rows']} rows, the source had {want['rows']}")
        elif want["checksum"] != have["checksum"]:
            problems.append(f"{table}: same row count, different content")
    return problems


def missing_files(files: list[dict]) -> list[str]:
    store, problems = backend(), []
    for item in files:
        try:
            if store.checksum(item["key"]) != item["sha256"]:
                problems.append(f"{item['key']}: changed since the backup")
        except NotFound:
            problems.append(f"{item['key']}: missing from storage")
    return problems


def verify(name: str) -> dict:
    """Restore into a scratch database, compare with the source's statistics, drop it."""
    files, meta, dump = load(name)
    url = current_app.config["BACKUP_DATABASE_URL"]
    scratch = f"mpanel_verify_{secrets.token_hex(4)}"
    scratch_url = database.create_database(url, scratch)
    try:
        database.restore(dump, scratch_url)
        problems = compare(meta["tables"], database.stats_of(scratch_url))
    finally:
        database.drop_database(url, scratch)
    problems += missing_files(files)
    return {"name": name, "tables": len(meta["tables"]), "rows": sum(t["rows"] for t in meta["tables"].values()),
            "files": len(files), "problems": problems}


def restore(name: str, into: str, force: bool = False) -> dict:
    files, meta, dump = load(name)
    database.restore(dump, into, force=force)
    problems = compare(meta["tables"], database.stats_of(into))
    return {"name": name, "tables": len(meta["tables"]), "problems": problems + missing_files(files)}


def apply_retention() -> list[str]:
    config, store = current_app.config, platform_storage()
    names = [entry["name"] for entry in list_backups()]
    doomed = to_delete(names, config["BACKUP_KEEP_DAILY"], config["BACKUP_KEEP_WEEKLY"],
                       config["BACKUP_KEEP_MONTHLY"])
    for name in doomed:
        store.delete(f"{FOLDER}/{name}")
    return doomed


__all__ = ["BackupError", "StorageError", "apply_retention", "list_backups", "restore", "run_backup", "verify"]
