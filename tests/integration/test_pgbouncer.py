"""The app behind PgBouncer in transaction mode (Debian's pgbouncer): several client
connections share two server connections, so any session state (a tenant setting, a
prepared statement, a session-level lock) would leak between them."""

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

PGBOUNCER = shutil.which("pgbouncer") or next(
    (p for p in ("/usr/sbin/pgbouncer",) if os.path.exists(p)), None)
pytestmark = pytest.mark.skipif(PGBOUNCER is None, reason="pgbouncer is not installed (.ci/run installs it)")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def pgbouncer(tmp_path, database_urls):
    runtime = make_url(database_urls[1])
    port = _free_port()
    tmp_path.chmod(0o755)
    (tmp_path / "users.txt").write_text(f'"{runtime.username}" ""\n')
    (tmp_path / "pgbouncer.ini").write_text(f"""
[databases]
{runtime.database} = host={runtime.host} port={runtime.port or 5432} dbname={runtime.database}
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = trust
auth_file = {tmp_path / 'users.txt'}
pool_mode = transaction
default_pool_size = 2
max_client_conn = 50
ignore_startup_parameters = extra_float_digits
""")
    command = [PGBOUNCER, str(tmp_path / "pgbouncer.ini")]
    if os.geteuid() == 0:  # pgbouncer refuses to run as root
        command[1:1] = ["-u", "postgres"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            assert process.poll() is None, process.stdout.read().decode()
            time.sleep(0.1)
    yield runtime.set(port=port, host="127.0.0.1").render_as_string(False)
    process.terminate()
    process.wait(10)


def test_tenants_stay_apart_and_run_locks_hold_through_pgbouncer(pgbouncer, app_config, factory):
    a, b = factory.tenant(), factory.tenant()
    a.customer(last_name="OfA")
    b.customer(last_name="OfB")
    config = {**app_config, "DATABASE_URL": pgbouncer, "DATABASE_PREPARED_STATEMENTS": False,
              "DATABASE_POOL_SIZE": 4, "DATABASE_MAX_OVERFLOW": 0}
    env = {**os.environ, "PROBE_CONFIG": json.dumps(config), "PROBE_TENANTS": json.dumps([a.id, b.id])}
    probe = Path(__file__).with_name("pgbouncer_probe.py")
    done = subprocess.run([sys.executable, str(probe)], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout)

    assert result["errors"] == []
    assert result["seen"] == {str(a.id): ["OfA"], str(b.id): ["OfB"]}  # no "unscoped" rows either
    # Held, refused to a second run meanwhile, free again once the first run ended.
    assert result["locks"] == [True, False, True]
