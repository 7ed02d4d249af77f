"""The import's frame: the id map, batches (one transaction each), the report.

Every step reads its WHMCS table, then writes in batches of ``BATCH`` rows, each
batch one transaction (committed; in a dry run a savepoint, all rolled back at
the end, so a dry run reports exactly what a real run would do and writes
nothing). A row already in the id map with the same digest is left alone; with
another digest it is updated (or reported, when MPanel keeps it frozen).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select

from mpanel.core.clock import utcnow

from .models import ImportMap

BATCH = 200
COUNTS = ("read", "imported", "updated", "unchanged", "skipped")


def digest(row: dict) -> str:
    return hashlib.sha256(json.dumps(row, sort_keys=True, default=str).encode()).hexdigest()


def as_date(value) -> dt.date | None:
    """WHMCS writes '0000-00-00' for "no date"; PyMySQL returns it as a string."""
    if isinstance(value, dt.datetime):
        return value.date()
    return value if isinstance(value, dt.date) else None


def as_utc(value) -> dt.datetime | None:
    """WHMCS datetimes are the server's local time, without a zone; read as UTC (documented)."""
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=dt.UTC)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
    return None


def text(value, length: int | None = None) -> str:
    value = (value or "").strip() if isinstance(value, str) else ("" if value is None else str(value))
    return value[:length] if length else value


@dataclass
class Report:
    dry_run: bool = False
    tables: dict = field(default_factory=dict)
    problems: list = field(default_factory=list)
    reconciliation: dict = field(default_factory=dict)
    differences: list = field(default_factory=list)

    def count(self, table: str, what: str, n: int = 1) -> None:
        self.tables.setdefault(table, dict.fromkeys(COUNTS, 0))[what] += n

    def problem(self, table: str, source_id, reason: str, skipped: bool = True) -> None:
        self.problems.append({"table": table, "id": source_id, "reason": reason})
        if skipped:
            self.count(table, "skipped")

    @property
    def ok(self) -> bool:
        return not self.differences

    def as_dict(self) -> dict:
        return {"dry_run": self.dry_run, "tables": self.tables, "problems": self.problems,
                "reconciliation": self.reconciliation, "differences": self.differences, "ok": self.ok}


class Context:
    """What every step shares: the session (tenant in scope), the source, the map, the report."""

    def __init__(self, session, source, tenant, dry_run: bool = False, progress=None):
        self.session, self.source, self.tenant, self.dry_run = session, source, tenant, dry_run
        self.report = Report(dry_run=dry_run)
        self.progress = progress or (lambda table, done, total: None)
        self.map: dict[tuple[str, int], ImportMap] = {
            (row.source, row.source_id): row for row in session.scalars(select(ImportMap))}
        self.currencies: dict[int, str] = {}
        self.client_currency: dict[int, str] = {}

    def target(self, source: str, source_id: int) -> int | None:
        row = self.map.get((source, source_id))
        return row.target_id if row else None

    def seen(self, source: str, source_id: int, row_digest: str) -> str:
        """'new', 'unchanged' or 'changed'."""
        row = self.map.get((source, source_id))
        if row is None:
            return "new"
        return "unchanged" if row.digest == row_digest else "changed"

    def remember(self, source: str, source_id: int, target: str, target_id: int, row_digest: str) -> None:
        row = self.map.get((source, source_id))
        if row is None:
            row = ImportMap(source=source, source_id=source_id, target=target, target_id=target_id, digest=row_digest)
            self.session.add(row)
            self.map[(source, source_id)] = row
        else:
            row.digest, row.target_id, row.updated_at = row_digest, target_id, utcnow()

    def batches(self, table: str, rows: list[dict], handle) -> None:
        """``handle(row)`` per row, ``BATCH`` rows per transaction; counts 'read'."""
        total = len(rows)
        for start in range(0, total, BATCH):
            chunk = rows[start:start + BATCH]
            if self.dry_run:
                with self.session.begin_nested():
                    for row in chunk:
                        self._one(table, row, handle)
                    self.session.flush()
            else:
                for row in chunk:
                    self._one(table, row, handle)
                self.session.commit()
            self.progress(table, min(start + BATCH, total), total)
        if not rows:
            self.report.tables.setdefault(table, dict.fromkeys(COUNTS, 0))
            self.progress(table, 0, 0)

    def _one(self, table: str, row: dict, handle) -> None:
        self.report.count(table, "read")
        outcome = handle(row)
        if outcome:  # "imported", "updated", "unchanged"; a skip reports itself
            self.report.count(table, outcome)


def money_text(value: Decimal) -> str:
    return format(value, "f")
