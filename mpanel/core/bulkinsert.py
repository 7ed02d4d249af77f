"""Set-based statements over many rows: the rows travel as one JSON parameter,
expanded on the server by ``json_populate_recordset`` (or ``_record``) with the
table's row type, which converts each field with its column's type.

The statement's text and parameter count do not grow with the rows, so it is
parsed and planned in constant time (a multi-row VALUES of 500 rows x 20
columns takes the server about a second to parse), and the rows are encoded by
the C JSON encoder: psycopg's pure-Python array dumper costs about 0.1 ms per
row of 20 columns.
"""

from __future__ import annotations

import json
from functools import cache

from sqlalchemy import Table, text


def rows_json(rows: list[dict]) -> str:
    """``rows`` as one JSON array, for ``json_populate_recordset``. Values JSON has no
    type for (Decimal, date, datetime, UUID) go as their text, which PostgreSQL
    parses with the column's type."""
    return json.dumps(rows, default=str)


def keyed_json(rows: list[dict], key: str = "id") -> str:
    """``rows`` as one JSON object by their ``key``, for per-row lookups in an UPDATE:
    ``jsonb_populate_record(NULL::t, (SELECT CAST(:rows AS jsonb)) -> CAST(t.id AS text))``.
    The scalar subquery parses the JSON once; a join with ``json_populate_recordset``
    instead leaves the join method to estimates that RLS and fresh rows make unreliable
    (a nested loop comparing every row with every row)."""
    return json.dumps({str(row[key]): row for row in rows}, default=str)


@cache
def _statement(table: Table, columns: tuple[str, ...], suffix: str):
    names = ", ".join(f'"{name}"' for name in columns)
    return text(f'INSERT INTO "{table.name}" ({names}) SELECT {names} '
                f'FROM json_populate_recordset(NULL::"{table.name}", :rows) {suffix}')


def insert_rows(session, table: Table, rows: list[dict], suffix: str = ""):
    """INSERT ``rows`` (dicts with the same keys) into ``table``; ``suffix``: e.g.
    ``ON CONFLICT ... DO NOTHING RETURNING id``. Returns the result (None without rows)."""
    if not rows:
        return None
    return session.execute(_statement(table, tuple(rows[0]), suffix), {"rows": rows_json(rows)})
