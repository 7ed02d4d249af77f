"""Set-based inserts of many rows: one array parameter per column, unnested.

The statement's text and parameter count do not grow with the rows, so it is
parsed and planned in constant time (a multi-row VALUES of 500 rows x 20
columns takes the server about a second to parse).
"""

from __future__ import annotations

import json
from functools import cache

from sqlalchemy import Table, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import JSONB

_DIALECT = postgresql.dialect()


@cache
def _statement(table: Table, columns: tuple[str, ...], suffix: str):
    arrays = ", ".join(f"CAST(:c{n} AS {table.c[name].type.compile(_DIALECT)}[])" for n, name in enumerate(columns))
    return text(f'INSERT INTO "{table.name}" ({", ".join(columns)}) SELECT * FROM unnest({arrays}) {suffix}')


def insert_rows(session, table: Table, rows: list[dict], suffix: str = ""):
    """INSERT ``rows`` (dicts with the same keys) into ``table``; ``suffix``: e.g.
    ``ON CONFLICT ... DO NOTHING RETURNING id``. Returns the result (None without rows)."""
    if not rows:
        return None
    columns = tuple(rows[0])
    params = {}
    for n, name in enumerate(columns):
        values = [row[name] for row in rows]
        if isinstance(table.c[name].type, JSONB):
            values = [None if value is None else json.dumps(value) for value in values]
        params[f"c{n}"] = values
    return session.execute(_statement(table, columns, suffix), params)
