import os
import pathlib
import pwd
import re
import shutil
import stat
import tempfile
from decimal import Decimal

import psycopg
import pytest

from mpanel.embedded.postgres import EmbeddedPostgres, EmbeddedPostgresError


def _traversable_by_others(path: pathlib.Path) -> bool:
    return all(p.stat().st_mode & stat.S_IXOTH for p in [path, *path.parents])


@pytest.fixture
def base_dir(tmp_path):
    """A folder the server's OS user can reach when the tests run as root."""
    if os.geteuid() != 0 or _traversable_by_others(tmp_path):
        yield tmp_path
        return
    # pytest creates its tmp_path base with mode 0700, which the unprivileged server user cannot enter.
    base = pathlib.Path(tempfile.mkdtemp(prefix="mpanel-pg-test-"))
    base.chmod(0o755)
    try:
        yield base
    finally:
        shutil.rmtree(base)


def _connect(data_dir: pathlib.Path) -> psycopg.Connection:
    return psycopg.connect(
        host=str(data_dir / "run"), user="postgres", dbname="postgres"
    )


def _postmaster_pid(data_dir: pathlib.Path) -> int:
    return int((data_dir / "pgdata" / "postmaster.pid").read_text().split("\n", 1)[0])


@pytest.mark.slow
def test_data_survives_restart(base_dir):
    data_dir = base_dir / "pg"
    socket = data_dir / "run" / ".s.PGSQL.5432"
    pg = EmbeddedPostgres(data_dir)
    try:
        url = pg.start()
        assert (
            url
            == pg.url
            == f"postgresql+psycopg://postgres@/postgres?host={data_dir}/run"
        )
        assert pg.is_running()
        assert socket.is_socket()
        pid = _postmaster_pid(data_dir)
        if os.geteuid() == 0:
            assert pwd.getpwuid(os.stat(f"/proc/{pid}").st_uid).pw_name == "mpanel-pg"
        assert pg.start() == url
        assert _postmaster_pid(data_dir) == pid  # the running server was reused

        with _connect(data_dir) as conn:
            assert conn.execute("SHOW listen_addresses").fetchone() == ("",)
            assert conn.execute("SHOW server_encoding").fetchone() == ("UTF8",)
            conn.execute(
                "CREATE TABLE invoice (id int PRIMARY KEY, total numeric NOT NULL)"
            )
            conn.execute("INSERT INTO invoice VALUES (1, 9.99)")

        pg.stop()
        assert not pg.is_running()
        assert not socket.exists()
        pg.stop()  # stopping a stopped server is not an error

        pg_version = (data_dir / "pgdata" / "PG_VERSION").stat().st_mtime_ns
        assert pg.start() == url
        assert (
            data_dir / "pgdata" / "PG_VERSION"
        ).stat().st_mtime_ns == pg_version  # no second initdb
        with _connect(data_dir) as conn:
            assert conn.execute("SELECT id, total FROM invoice").fetchall() == [
                (1, Decimal("9.99"))
            ]
    finally:
        pg.stop()
    assert not pg.is_running()


@pytest.mark.slow
def test_too_long_socket_path_is_rejected(tmp_path):
    data_dir = tmp_path / ("d" * 120)
    with pytest.raises(
        EmbeddedPostgresError, match=r"Unix socket paths are limited to 107 bytes"
    ):
        EmbeddedPostgres(data_dir).start()
    assert not data_dir.exists()


@pytest.mark.slow
@pytest.mark.skipif(
    os.geteuid() != 0, reason="only root hands the server to another OS user"
)
def test_untraversable_parent_is_reported_not_chmodded(base_dir):
    locked = base_dir / "locked"
    locked.mkdir(mode=0o700)
    pg = EmbeddedPostgres(locked / "pg")
    with pytest.raises(
        EmbeddedPostgresError,
        match=f"cannot enter {re.escape(str(locked))} .*choose a data folder",
    ):
        pg.start()
    assert stat.S_IMODE(locked.stat().st_mode) == 0o700
    assert not pg.is_running()
