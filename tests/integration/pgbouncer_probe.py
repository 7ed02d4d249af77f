"""Run by test_pgbouncer.py in a process of its own: the app, configured as an operator
would behind PgBouncer in transaction mode, reads two tenants' rows from several threads
and takes a task's run lock twice. Prints what it saw as JSON."""

import json
import os
import sys
import threading

from sqlalchemy import select, text

from mpanel import create_app
from mpanel.core.tasks import _run_lock
from mpanel.core.tenancy import tenant_scope
from mpanel.extensions import db
from mpanel.modules.customers.models import Customer

ROUNDS = 40


def reader(app, tenants, seen, errors):
    try:
        for round_ in range(ROUNDS):
            tenant_id = tenants[round_ % len(tenants)]
            with app.app_context():
                with tenant_scope(tenant_id):
                    names = sorted(db.session.scalars(select(Customer.last_name)))
                    seen.setdefault(str(tenant_id), set()).update(names)
                db.session.commit()
                # A new transaction with no tenant set: whatever server connection it got,
                # no tenant setting is left on it, so row-level security shows nothing.
                leaked = db.session.execute(text("SELECT count(*) FROM customers")).scalar()
                db.session.commit()
                if leaked:
                    seen.setdefault("unscoped", set()).add(leaked)
    except Exception as exc:  # reported to the test, which fails on it
        errors.append(f"{type(exc).__name__}: {exc}")


def main():
    config = json.loads(os.environ["PROBE_CONFIG"])
    tenants = json.loads(os.environ["PROBE_TENANTS"])
    app = create_app(config)
    seen, errors = {}, []
    threads = [threading.Thread(target=reader, args=(app, tenants, seen, errors)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    locks = []
    with app.app_context():
        with _run_lock("pgbouncer-probe", tenants[0]) as first:
            locks.append(first)
            with _run_lock("pgbouncer-probe", tenants[0]) as second:
                locks.append(second)
        with _run_lock("pgbouncer-probe", tenants[0]) as again:
            locks.append(again)
    json.dump({"seen": {k: sorted(v) for k, v in seen.items()}, "errors": errors, "locks": locks}, sys.stdout)


if __name__ == "__main__":
    main()
