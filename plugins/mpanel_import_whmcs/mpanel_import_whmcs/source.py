"""Reading a WHMCS database (MariaDB/MySQL) through PyMySQL, read-only.

Column names follow WHMCS's own schema (7.x/8.x: ``tblclients``, ``tblhosting``,
``tblinvoices``, ``tblaccounts``, ...). Money columns come back as Decimal, never float.
"""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from mpanel.core.errors import FieldError


def parse_dsn(dsn: str) -> dict:
    """``mysql://user:password@host:port/database`` -> PyMySQL connect arguments."""
    parts = urlsplit(dsn or "")
    database = parts.path.lstrip("/")
    if parts.scheme not in ("mysql", "mariadb") or not parts.hostname or not database:
        raise FieldError("source", "expected mysql://user:password@host[:port]/database")
    return {"host": parts.hostname, "port": parts.port or 3306, "user": unquote(parts.username or "root"),
            "password": unquote(parts.password or ""), "database": database}


def safe_label(dsn: str) -> str:
    """The DSN without its password, for reports and the runs list."""
    args = parse_dsn(dsn)
    return f"mysql://{args['user']}@{args['host']}:{args['port']}/{args['database']}"


class Source:
    """A read-only session on the WHMCS database; ``rows(sql)`` yields dicts."""

    def __init__(self, dsn: str):
        import pymysql

        args = parse_dsn(dsn)
        try:
            self.connection = pymysql.connect(**args, charset="utf8mb4", cursorclass=pymysql.cursors.DictCursor,
                                              connect_timeout=10, read_timeout=300)
        except pymysql.MySQLError as exc:
            raise FieldError("source", f"cannot connect to the WHMCS database: {exc.args[-1]}") from None
        with self.connection.cursor() as cursor:
            # One consistent snapshot for the whole read while WHMCS keeps running.
            cursor.execute("SET SESSION TRANSACTION READ ONLY")
            cursor.execute("START TRANSACTION WITH CONSISTENT SNAPSHOT")

    def rows(self, sql: str, args=()) -> list[dict]:
        with self.connection.cursor() as cursor:
            cursor.execute(sql, args)
            return list(cursor.fetchall())

    def has_table(self, name: str) -> bool:
        return bool(self.rows("SELECT 1 FROM information_schema.tables WHERE table_schema = DATABASE() "
                              "AND table_name = %s", (name,)))

    def setting(self, name: str, default: str = "") -> str:
        rows = self.rows("SELECT value FROM tblconfiguration WHERE setting = %s", (name,))
        return rows[0]["value"] if rows else default

    def close(self) -> None:
        self.connection.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
