"""``make run``: the whole product on one machine with nothing but Python.

Starts an embedded PostgreSQL (data in ./var/, unless MPANEL_DATABASE_URL is
set), creates the owner and runtime roles, migrates, initialises, seeds the
demo, then runs gunicorn and a Huey worker until Ctrl-C.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy.engine import make_url

from mpanel.core.dbroles import ensure_database
from mpanel.embedded import mailcatcher
from mpanel.embedded.postgres import EmbeddedPostgres

ROOT = Path(__file__).resolve().parents[2]


def _database_env(var: Path, env: dict) -> EmbeddedPostgres | None:
    if env.get("MPANEL_DATABASE_URL"):
        return None
    pg = EmbeddedPostgres(var / "pg")
    superuser = make_url(pg.start())
    owner = superuser.set(username="mpanel_owner", database="mpanel").render_as_string(False)
    runtime = superuser.set(username="mpanel_app", database="mpanel").render_as_string(False)
    ensure_database(superuser.render_as_string(False), owner, runtime)
    env["MPANEL_DATABASE_URL"], env["MPANEL_MIGRATION_DATABASE_URL"] = runtime, owner
    return pg


def _secret(var: Path) -> str:
    path = var / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def _flask(env: dict, *args: str) -> None:
    subprocess.run([sys.executable, "-m", "flask", "mpanel", *args], env=env, cwd=ROOT, check=True)


def main() -> int:
    var = Path(os.environ.get("MPANEL_VAR_DIR", ROOT / "var")).resolve()
    var.mkdir(parents=True, exist_ok=True)
    port = os.environ.get("MPANEL_PORT", "5000")
    env = {**os.environ, "FLASK_APP": "mpanel:create_app", "PYTHONUNBUFFERED": "1"}
    env.setdefault("MPANEL_SECRET_KEY", _secret(var))
    env.setdefault("MPANEL_HUEY_SQLITE_PATH", str(var / "huey.sqlite3"))
    metrics_dir = var / "prometheus"
    shutil.rmtree(metrics_dir, ignore_errors=True)
    metrics_dir.mkdir()
    env["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)

    pg = _database_env(var, env)
    catcher = None
    children: list[subprocess.Popen] = []
    stop: list[int] = []
    # Explicit handlers: a shell may start us with SIGINT ignored. Children run in process
    # groups of their own, so Ctrl-C reaches only us and we stop them in order.
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda signum, _frame: stop.append(signum))
    left: list[str] = []
    try:
        _flask(env, "db", "upgrade")
        _flask(env, "init")
        demo = subprocess.run([sys.executable, "-m", "flask", "mpanel", "demo"], env=env, cwd=ROOT, check=True,
                              capture_output=True, text=True).stdout
        catcher = mailcatcher.start_for(env)
        web_env = {**env, "MPANEL_BIND": f"127.0.0.1:{port}"}
        children.append(_spawn([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"], web_env))
        children.append(_spawn([sys.executable, "-m", "huey.bin.huey_consumer", "mpanel.worker.huey",
                                "-w", "2", "-k", "thread"], env))
        mailcatcher.announce(port, demo, catcher)
        while not stop and all(child.poll() is None for child in children):
            time.sleep(0.5)
    finally:
        left = _stop_all(children)
        if catcher is not None:
            catcher.stop()
        if pg is not None:
            pg.stop()
    if left:
        print(f"MPanel did not stop cleanly: still running after SIGKILL: {', '.join(left)}", flush=True)
        return 1
    print("MPanel stopped.", flush=True)
    return 0


def _spawn(command: list[str], env: dict) -> subprocess.Popen:
    return subprocess.Popen(command, env=env, cwd=ROOT, start_new_session=True)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _stop_all(children: list[subprocess.Popen], grace: float = 20) -> list[str]:
    """SIGTERM each child's whole process group (gunicorn's workers, Huey's threads), wait
    for every process of them, SIGKILL what is left; returns the groups that survived."""
    for child in children:
        if _group_alive(child.pid):
            os.killpg(child.pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    for child in children:
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
    while any(_group_alive(child.pid) for child in children) and time.monotonic() < deadline:
        time.sleep(0.1)  # a worker may outlive its master briefly
    for child in children:
        if _group_alive(child.pid):
            os.killpg(child.pid, signal.SIGKILL)
    for child in children:
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.wait(timeout=5)
    kill_deadline = time.monotonic() + 5
    while any(_group_alive(child.pid) for child in children) and time.monotonic() < kill_deadline:
        time.sleep(0.1)
    return [" ".join(child.args[1:4]) for child in children if _group_alive(child.pid)]


if __name__ == "__main__":
    sys.exit(main())
