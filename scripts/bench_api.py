"""Benchmark the REST API and the client area over many invoices (issue 20).

Seeds T tenants x C customers with one due service each and bills them with the real
billing run (so every invoice has its lines and taxes), starts gunicorn on the scratch
database, then drives each scenario at a fixed arrival rate (open loop: a request is sent
at its scheduled time whether or not earlier ones came back, and its latency counts from
that time, so a slow server cannot slow the load down) and prints p50/p95/p99, errors,
and the CPU each request cost in the app's workers and in PostgreSQL's backends:

    .venv/bin/python scripts/bench_api.py --tenants 10 --customers 100000 --rate 200 --seconds 30

CPU per request is read from /proc (the workers' and the database backends' own time), so
it does not depend on what else the machine runs; latency does.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
from bench_billing import bench_app, bill, seed

from mpanel.core.dbroles import libpq_url
from mpanel.testing.pytest_plugin import PASSWORD, TenantHandle

ROOT = Path(__file__).resolve().parents[1]
TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def cpu_seconds(pids) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICKS


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


def backends(owner: str) -> list[int]:
    with psycopg.connect(libpq_url(owner)) as conn:
        return [row[0] for row in conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")]


def as_tenant(owner: str, tenant_id: int, sql: str, params=()) -> list:
    """Rows of ``sql`` read as the owner in one tenant's scope (row-level security is forced)."""
    with psycopg.connect(libpq_url(owner)) as conn:
        conn.execute("SELECT set_config('mpanel.tenant_id', %s, true)", (str(tenant_id),))
        return conn.execute(sql, params).fetchall()


class Server:
    """gunicorn with the project's settings on a free port, against the scratch database."""

    def __init__(self, owner: str, runtime: str, workers: int, threads: int):
        self.port = free_port()
        env = {**os.environ, "MPANEL_DATABASE_URL": runtime, "MPANEL_MIGRATION_DATABASE_URL": owner,
               "MPANEL_BIND": f"127.0.0.1:{self.port}", "MPANEL_WORKERS": str(workers),
               "MPANEL_THREADS": str(threads), "MPANEL_API_RATE_LIMIT": "10000000 per minute",
               "MPANEL_API_ANONYMOUS_RATE_LIMIT": "10000000 per minute",
               "MPANEL_LOGIN_RATE_LIMIT": "100000 per minute", "MPANEL_ACCOUNT_LOGIN_RATE_LIMIT": "100000 per minute"}
        self.process = subprocess.Popen(
            [str(Path(sys.executable).with_name("gunicorn")), "-c", "gunicorn.conf.py", "--access-logfile", "/dev/null",
             "wsgi:app"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    return
            except OSError:
                time.sleep(0.5)
        raise SystemExit("gunicorn did not start")

    def workers(self) -> list[int]:
        return children(self.process.pid)

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(30)


def call(port, method, path, host, headers=None, body=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request(method, path, body=body, headers={"Host": host, **(headers or {})})
    response = conn.getresponse()
    return response.status, dict(response.getheaders()), response.read()


def token(port, tenant: TenantHandle, email: str) -> str:
    status, _, body = call(port, "POST", "/api/v1/security/login", tenant.host.split("//")[1],
                           {"Content-Type": "application/json"},
                           json.dumps({"username": email, "password": PASSWORD}))
    assert status == 200, body
    return json.loads(body)["access_token"]


def client_cookie(port, tenant: TenantHandle, email: str) -> str:
    host = tenant.host.split("//")[1]
    status, headers, body = call(port, "GET", "/login/", host)
    cookie = headers["Set-Cookie"].split(";")[0]
    csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', body.decode()).group(1)
    form = f"username={email}&password={PASSWORD.replace(' ', '+')}&csrf_token={csrf}"
    status, headers, _ = call(port, "POST", "/login/", host,
                              {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}, form)
    assert status == 302, status
    return headers["Set-Cookie"].split(";")[0]


def open_loop(port, requests, rate: float, seconds: float):
    """Send ``requests`` (cycled) at ``rate`` per second; (latencies in s, error count)."""
    local = threading.local()
    latencies, errors, lock = [], [0], threading.Lock()

    def send(scheduled, method, path, host, headers):
        if not hasattr(local, "conn"):
            local.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            local.conn.request(method, path, headers={"Host": host, **headers})
            response = local.conn.getresponse()
            response.read()
            ok = response.status == 200
        except (OSError, http.client.HTTPException):
            local.conn.close()
            del local.conn
            ok = False
        with lock:
            latencies.append(time.perf_counter() - scheduled)
            errors[0] += not ok

    total = int(rate * seconds)
    with ThreadPoolExecutor(128) as pool:
        start = time.perf_counter()
        for number in range(total):
            scheduled = start + number / rate
            delay = scheduled - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            pool.submit(send, scheduled, *requests[number % len(requests)])
    return sorted(latencies), errors[0]


def percentile(values, share: float) -> float:
    return values[min(len(values) - 1, int(len(values) * share))] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tenants", type=int, default=10)
    parser.add_argument("--customers", type=int, default=100_000, help="per tenant (one invoice each)")
    parser.add_argument("--rate", type=float, default=200, help="requests per second")
    parser.add_argument("--seconds", type=float, default=30, help="per scenario")
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--bill-workers", type=int, default=2)
    args = parser.parse_args()
    with bench_app() as (app, owner, runtime):
        started = time.perf_counter()
        tenants = seed(app, owner, args.tenants, args.customers, 1)
        tenant_ids = [t.id for t in tenants]
        invoices = bill(tenant_ids, args.bill_workers)
        with psycopg.connect(libpq_url(owner)) as conn:
            conn.execute("ANALYZE")
        print(f"seeded and billed {invoices} invoices in {time.perf_counter() - started:.0f}s")

        staff = {t.id: t.staff("Owner") for t in tenants}
        sample = "SELECT id FROM billing_invoices ORDER BY random() LIMIT 200"
        ids = {t.id: [r[0] for r in as_tenant(owner, t.id, sample)] for t in tenants}
        first_customer = {t.id: as_tenant(owner, t.id, "SELECT min(id) FROM customers")[0][0] for t in tenants}
        contacts = {t.id: t.contact(first_customer[t.id]) for t in tenants}

        server = Server(owner, runtime, args.web_workers, args.threads)
        try:
            auth = {t.id: {"Authorization": f"Bearer {token(server.port, t, staff[t.id])}"} for t in tenants}
            cookie = {t.id: {"Cookie": client_cookie(server.port, t, contacts[t.id])} for t in tenants}
            own_invoice = {t.id: as_tenant(owner, t.id, "SELECT id FROM billing_invoices WHERE customer_id = %s",
                                           (first_customer[t.id],))[0][0] for t in tenants}
            host = {t.id: t.host.split("//")[1] for t in tenants}
            deep = max(1, args.customers // 25 - 1)
            scenarios = {
                "REST invoice list, page 1": [("GET", "/api/v1/invoices/?page_size=25", host[t], auth[t])
                                              for t in tenant_ids],
                f"REST invoice list, page {deep}": [("GET", f"/api/v1/invoices/?page_size=25&page={deep}", host[t],
                                                     auth[t]) for t in tenant_ids],
                "REST invoice get": [("GET", f"/api/v1/invoices/{random.choice(ids[t])}", host[t], auth[t])
                                     for _ in range(50) for t in tenant_ids],
                "REST invoices of a customer": [
                    ("GET", f"/api/v1/invoices/?customer_id={first_customer[t]}", host[t], auth[t])
                    for t in tenant_ids],
                "REST customer list": [("GET", "/api/v1/customers/?page_size=25", host[t], auth[t])
                                       for t in tenant_ids],
                "client invoice list": [("GET", "/client/billing/", host[t], cookie[t]) for t in tenant_ids],
                "client invoice page": [("GET", f"/client/billing/{own_invoice[t]}", host[t], cookie[t])
                                        for t in tenant_ids],
            }
            print(f"{args.rate:.0f} requests/s for {args.seconds:.0f}s per scenario, gunicorn "
                  f"{args.web_workers} workers x {args.threads} threads, {os.cpu_count()} cores")
            for name, requests in scenarios.items():
                open_loop(server.port, requests, min(args.rate, 20), 1)  # warm the workers' caches
                workers, database = server.workers(), backends(owner)
                app_cpu, db_cpu = cpu_seconds(workers), cpu_seconds(database)
                latencies, errors = open_loop(server.port, requests, args.rate, args.seconds)
                app_cpu, db_cpu = cpu_seconds(workers) - app_cpu, cpu_seconds(database) - db_cpu
                count = len(latencies)
                print(f"{name:32s} n={count} errors={errors} p50={percentile(latencies, .5):.1f}ms "
                      f"p95={percentile(latencies, .95):.1f}ms p99={percentile(latencies, .99):.1f}ms "
                      f"app CPU {app_cpu / count * 1000:.1f}ms/req, PostgreSQL CPU {db_cpu / count * 1000:.1f}ms/req, "
                      f"load {os.getloadavg()[0]:.1f}")
        finally:
            server.stop()


if __name__ == "__main__":
    main()
