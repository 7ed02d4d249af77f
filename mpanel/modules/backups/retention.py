"""Which backups to keep: the newest of each of the last N days, M ISO weeks
and K months that have a backup (and always the newest of all)."""

from __future__ import annotations

import datetime as dt
import re

NAME = re.compile(r"^mpanel-(\d{8}T\d{6}Z)\.backup$")


def backup_name(moment: dt.datetime) -> str:
    return f"mpanel-{moment.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}.backup"


def moment_of(name: str) -> dt.datetime | None:
    """The time in a backup's name; None for any other file (never deleted)."""
    match = NAME.match(name)
    if not match:
        return None
    return dt.datetime.strptime(match.group(1), "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)


def to_keep(moments, daily: int, weekly: int, monthly: int) -> set[dt.datetime]:
    newest_first = sorted(set(moments), reverse=True)
    keep = set(newest_first[:1])
    periods = ((daily, lambda m: m.date()), (weekly, lambda m: m.isocalendar()[:2]),
               (monthly, lambda m: (m.year, m.month)))
    for count, period in periods:
        seen = set()
        for moment in newest_first:
            if len(seen) >= count:
                break
            if period(moment) not in seen:
                seen.add(period(moment))
                keep.add(moment)
    return keep


def to_delete(names, daily: int, weekly: int, monthly: int) -> list[str]:
    dated = {name: moment_of(name) for name in names}
    keep = to_keep([m for m in dated.values() if m], daily, weekly, monthly)
    return sorted(name for name, moment in dated.items() if moment and moment not in keep)
