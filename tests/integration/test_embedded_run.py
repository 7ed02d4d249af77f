"""`make run`'s launcher on the embedded PostgreSQL: start, sign in, stop, restart."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def var_dir():
    # pytest's tmp_path is private to root; the embedded server's OS user must traverse it.
    path = Path(tempfile.mkdtemp(prefix="mpvar-", dir="/tmp"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def _start(var_dir: Path, port: int) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MPANEL_")}
    env.update(MPANEL_VAR_DIR=str(var_dir), MPANEL_PORT=str(port))
    return subprocess.Popen([sys.executable, "-m", "mpanel.embedded.run"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _wait_ready(proc: subprocess.Popen, timeout: float = 180) -> str:
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line and proc.poll() is not None:
            break
        seen.append(line)
        if "MPanel is running" in line:
            return "".join(seen)
    proc.kill()
    raise AssertionError("launcher did not become ready:\n" + "".join(seen[-40:]))


def _login(port: int) -> requests.Response:
    for _ in range(60):  # gunicorn may still be booting its workers
        try:
            return requests.post(f"http://127.0.0.1:{port}/api/v1/security/login", timeout=60,
                                 headers={"Host": f"acme.localhost:{port}"},
                                 json={"username": "owner@acme.example", "password": "demo-password-123"})
        except requests.ConnectionError:
            time.sleep(0.5)
    raise AssertionError("web server never answered")


def _stop(proc: subprocess.Popen) -> str:
    proc.send_signal(signal.SIGINT)
    output, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0
    return output


def _check_metrics_across_workers(port: int) -> None:
    """gunicorn runs two workers; /metrics must count the requests of both."""
    from prometheus_client.parser import text_string_to_metric_families

    for _ in range(20):
        requests.get(f"http://127.0.0.1:{port}/healthz", timeout=10)
    text = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text
    counted = sum(sample.value for family in text_string_to_metric_families(text)
                  for sample in family.samples
                  if sample.name == "flask_http_request_duration_seconds_count"
                  and sample.labels.get("endpoint") == "healthz")
    assert counted >= 20


@pytest.mark.slow
def test_launcher_runs_the_demo_on_embedded_postgres_and_reuses_its_data(var_dir):
    port = _free_port()
    proc = _start(var_dir, port)
    banner = _wait_ready(proc)
    assert "owner@acme.example" in banner and f"http://acme.localhost:{port}/" in banner
    response = _login(port)
    assert response.status_code == 200 and "access_token" in response.json()
    _check_metrics_across_workers(port)
    assert "MPanel stopped." in _stop(proc)
    assert (var_dir / "pg" / "pgdata" / "PG_VERSION").exists()

    proc = _start(var_dir, port)  # a second run reuses the data
    _wait_ready(proc)
    assert _login(port).status_code == 200
    _stop(proc)


def _ours(var_dir: Path) -> list[str]:
    """Processes started for this var folder (they inherit MPANEL_VAR_DIR)."""
    found = []
    for environ in Path("/proc").glob("[0-9]*/environ"):
        try:
            if f"MPANEL_VAR_DIR={var_dir}".encode() in environ.read_bytes().split(b"\0"):
                found.append((environ.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode()[:120])
        except OSError:
            continue
    return found


@pytest.mark.slow
def test_ctrl_c_stops_every_process_and_frees_the_port(var_dir):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MPANEL_")}
    env.update(MPANEL_VAR_DIR=str(var_dir), MPANEL_PORT=str(port))
    proc = subprocess.Popen([sys.executable, "-m", "mpanel.embedded.run"], cwd=ROOT, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    _wait_ready(proc)
    assert _login(port).status_code == 200  # workers are up and busy
    os.killpg(proc.pid, signal.SIGINT)  # what a terminal's Ctrl-C does: the whole foreground group
    output, _ = proc.communicate(timeout=90)
    assert proc.returncode == 0 and "MPanel stopped." in output, output[-2000:]
    assert _ours(var_dir) == []
    with socket.socket() as sock:
        # Nobody listens on the port (SO_REUSEADDR: closed connections' TIME_WAIT do not count).
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", port))
        sock.listen()
