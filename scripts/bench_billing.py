"""Benchmark the recurring billing run.

Seeds T tenants x C customers x S services with set-based inserts as the owner
role, then runs the real billing run (runtime role, `run_tenant`: the code path
of `flask mpanel billing run` and of the per-tenant task) for every tenant and
prints invoices per second and peak memory. Run against a scratch database:

    .venv/bin/python scripts/bench_billing.py --tenants 10 --customers 1000

(all installed plugins, as in production; ``MPANEL_ENABLED_PLUGINS=catalog,billing`` for billing alone)

``--workers N`` runs the tenants on N threads of one process, as production
dispatches them: the periodic task ``billing.run`` queues one
``run_for_tenant`` task per tenant, which the Huey consumer
(``huey_consumer mpanel.worker.huey -w 4 -k thread``) runs on its worker
threads. The default, 1, runs them one after the other.

Time is measured without tracemalloc (it slows this run about 3x);
``--trace-memory`` adds its peak of Python allocations.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import tempfile
import time
import tracemalloc
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import psycopg

from mpanel.testing.pytest_plugin import Factory, fresh_database

DAY = dt.date(2025, 3, 1)

SEED = """
INSERT INTO customers (tenant_id, first_name, last_name, country, currency, email, language, tax_exempt, active)
SELECT %(tenant)s, 'Bench', 'Customer ' || n, 'DE', 'EUR', 'bench' || n || '@t' || %(tenant)s || '.example', 'en',
       false, true
FROM generate_series(1, %(customers)s) AS n;
INSERT INTO billing_services (tenant_id, customer_id, product_id, description, cycle, currency, recurring_amount,
       tax_class, options, addons, status, start_date, anchor_date, periods_billed, next_due_date, created_at)
SELECT c.tenant_id, c.id, 1, 'Web S (monthly)', 'monthly', 'EUR', 10, 'standard', '{}', '[]', 'active',
       %(day)s, %(day)s, 0, %(day)s, now()
FROM customers c CROSS JOIN generate_series(1, %(services)s) AS s WHERE c.tenant_id = %(tenant)s;
"""


def activate_billing(session) -> None:
    """Activate billing and flush its seeded rows inside the tenant's scope (create_tenant
    sends plugin_activated without flushing, see the report)."""
    from mpanel.core.plugins.engine import set_active
    from mpanel.core.settings import set_settings
    from mpanel.core.signals.tenancy import plugin_activated

    set_active(session, "billing", True)
    plugin_activated.send("billing")
    # Invoices are issued only with the seller's legal data (parties.LEGAL_SELLER_FIELDS).
    set_settings(session, "billing", {"seller_name": "Bench Hosting GmbH", "seller_street": "Torstrasse 1",
                                      "seller_postcode": "10119", "seller_city": "Berlin",
                                      "seller_vat_id": "DE123456788"})
    session.flush()


def seed(app, owner, tenants: int, customers: int, services: int) -> list:
    """Tenants (test handles) with billing active and ``customers`` x ``services`` due services each."""
    from mpanel.core.dbroles import libpq_url

    factory = Factory(app)
    handles = [factory.tenant(plugins=[], country="DE") for _ in range(tenants)]
    tenant_ids = [handle.id for handle in handles]
    for tenant_id in tenant_ids:
        factory.commit(activate_billing, tenant_id)
    with psycopg.connect(libpq_url(owner)) as conn:
        for tenant_id in tenant_ids:
            values = {"tenant": tenant_id, "customers": customers, "services": services, "day": DAY}
            conn.execute("SELECT set_config('mpanel.tenant_id', %s, true)", (str(tenant_id),))  # forced RLS
            for statement in SEED.split(";")[:2]:
                conn.execute(statement, values)
        conn.execute("ANALYZE customers, billing_services")  # as autovacuum would have in production
    return handles


def bill(tenant_ids: list[int], workers: int) -> int:
    """The real billing run for every tenant; the number of invoices it issued."""
    from mpanel_billing.run import run_tenant

    invoices = 0
    with ThreadPoolExecutor(workers) as pool:
        for result in pool.map(run_tenant, tenant_ids, [DAY] * len(tenant_ids)):
            assert result["status"] == "ok", result
            invoices += result["counts"].get("invoices", 0)
    return invoices


@contextmanager
def bench_app():
    """(app, owner URL, runtime URL) on a scratch database, migrated and initialised."""
    with fresh_database(f"mpanel_bench_{os.getpid()}") as (owner, runtime):
        from mpanel import create_app
        from mpanel.core.plugins.migrations import upgrade_all

        # HUEY_IMMEDIATE off: the outbox (PDF, mail) is left to workers, as in production.
        app = create_app({"DATABASE_URL": runtime, "MIGRATION_DATABASE_URL": owner, "HUEY_IMMEDIATE": False,
                          "SERVER_NAME": None, "HUEY_SQLITE_PATH": str(Path(tempfile.mkdtemp()) / "huey.db")})
        with app.app_context():
            upgrade_all()
            app.test_cli_runner().invoke(args=["mpanel", "init"], catch_exceptions=False)
        yield app, owner, runtime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tenants", type=int, default=10)
    parser.add_argument("--customers", type=int, default=1000, help="per tenant")
    parser.add_argument("--services", type=int, default=1, help="per customer")
    parser.add_argument("--workers", type=int, default=1, help="tenants billed at once (Huey worker threads)")
    parser.add_argument("--trace-memory", action="store_true",
                        help="also report tracemalloc's peak (slows the run about 3x)")
    args = parser.parse_args()
    with bench_app() as (app, owner, _runtime):
        started = time.perf_counter()
        tenant_ids = [t.id for t in seed(app, owner, args.tenants, args.customers, args.services)]
        print(f"seeded {len(tenant_ids) * args.customers * args.services} services "
              f"in {time.perf_counter() - started:.1f}s")
        if args.trace_memory:
            tracemalloc.start()
        started, cpu_started = time.perf_counter(), time.process_time()
        invoices = bill(tenant_ids, args.workers)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        assert invoices == args.tenants * args.customers, invoices  # one invoice per customer
        traced = ""
        if args.trace_memory:
            traced = f"peak traced memory {tracemalloc.get_traced_memory()[1] / 2**20:.1f} MiB, "
        print(f"{invoices} invoices in {elapsed:.1f}s: {invoices / elapsed:.0f} invoices/s; {traced}max RSS "
              f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
        print(f"this process's CPU: {cpu:.1f}s, {cpu / invoices * 1e6:.0f} µs per invoice (PostgreSQL's not included); "
              f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
