"""The restore drill of docs/operations.md: back up, restore into a fresh
database, find the same invoices (numbers, totals, PDF checksums) and serve
them from an app on the restored database; verify; refuse a non-empty target."""

import hashlib
import os
import subprocess
import sys

import psycopg
import pytest
from cryptography.fernet import Fernet
from mpanel_billing import credit
from mpanel_billing.models import Invoice
from mpanel_billing.pdf import stored_pdf
from sqlalchemy.engine import make_url

from mpanel.core import storage
from mpanel.core.dbroles import libpq_url
from mpanel.core.storage.local import LocalBackend
from mpanel.testing.pytest_plugin import PASSWORD, SUPERUSER_URL, fresh_database

INVOICES = ("SELECT i.tenant_id, i.number, i.total, i.currency, d.variant, d.sha256 FROM billing_invoices i "
            "JOIN billing_documents d ON d.invoice_id = i.id WHERE i.number IS NOT NULL ORDER BY i.id, d.variant")


def superuser(url: str) -> str:
    return make_url(SUPERUSER_URL).set(database=make_url(url).database).render_as_string(hide_password=False)


def rows(url: str):
    with psycopg.connect(libpq_url(superuser(url))) as conn:
        return conn.execute(INVOICES).fetchall()


@pytest.fixture
def backups(app, tmp_path, monkeypatch, database_urls):
    root = tmp_path / "storage"
    monkeypatch.setitem(app.extensions, storage.EXTENSION, LocalBackend(root, app.config["SECRET_KEY"]))
    monkeypatch.setitem(app.config, "BACKUP_KEY", Fernet.generate_key().decode())
    monkeypatch.setitem(app.config, "BACKUP_DATABASE_URL", superuser(database_urls[0]))
    return root


RESTORED_APP = """
import hashlib, sys
from mpanel import create_app
host, email, password, invoice_id = sys.argv[1:]
client = create_app().test_client()
token = client.post("/api/v1/security/login", base_url=host,
                    json={"username": email, "password": password}).get_json()["access_token"]
response = client.get(f"/api/v1/invoices/{invoice_id}/pdf", base_url=host, headers={"Authorization": f"Bearer {token}"})
print(response.status_code, hashlib.sha256(response.data).hexdigest())
"""


def serve_from_restored(app, runtime, owner, files, host, email, invoice_id) -> str:
    """Status and sha256 of the PDF an app on the restored database serves (its own process)."""
    env = {**os.environ, "MPANEL_ENV": "testing", "MPANEL_DATABASE_URL": runtime,
           "MPANEL_MIGRATION_DATABASE_URL": owner, "MPANEL_REDIS_URL": app.config["REDIS_URL"],
           "MPANEL_HUEY_IMMEDIATE": "true", "MPANEL_STORAGE_PATH": str(files),
           "MPANEL_SECRET_KEY": app.config["SECRET_KEY"], "MPANEL_LOGIN_RATE_LIMIT": "1000 per minute"}
    result = subprocess.run([sys.executable, "-c", RESTORED_APP, host, email, PASSWORD, str(invoice_id)],
                            env=env, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout.strip().splitlines()[-1]


def cli(app, *args):
    return app.test_cli_runner().invoke(args=["mpanel", "backup", *args])


def test_backup_restore_gives_the_same_invoices_and_the_restored_app_serves_them(app, billing, backups,
                                                                                  database_urls):
    invoice_id = billing.invoice(billing.customer(), [("Hosting", "3", "19.99")])
    note_id = billing.run(lambda s: credit.credit_note(s, s.get(Invoice, invoice_id)).id)
    pdf = billing.run(lambda s: stored_pdf(s, s.get(Invoice, invoice_id)).content)
    billing.run(lambda s: stored_pdf(s, s.get(Invoice, note_id)))
    staff = billing.tenant.staff("Billing")

    made = cli(app, "run")
    assert made.exit_code == 0, made.output
    name = made.output.split(":")[0]
    assert cli(app, "list").output.startswith(name)
    verified = cli(app, "verify", name)
    assert verified.exit_code == 0 and f"{name}: ok" in verified.output, verified.output
    source = rows(database_urls[0])
    assert any(row[1] == billing.load(invoice_id, lambda i: i.number) for row in source)

    with fresh_database(f"mpanel_restore_{os.getpid()}") as (owner, runtime):
        restored = cli(app, "restore", name, "--into", superuser(owner))
        assert restored.exit_code == 0, restored.output
        assert rows(owner) == source
        again = cli(app, "restore", name, "--into", superuser(owner))
        assert again.exit_code != 0 and "is not empty" in again.output
        forced = cli(app, "restore", name, "--into", superuser(owner), "--force")
        assert forced.exit_code == 0, forced.output
        assert rows(owner) == source

        served = serve_from_restored(app, runtime, owner, backups, billing.host, staff, invoice_id)
    assert served == f"200 {hashlib.sha256(pdf).hexdigest()}"
    assert served.split()[1] in {row[5] for row in source}


def test_a_backup_with_a_wrong_key_or_cut_short_is_refused(app, billing, backups):
    billing.invoice(billing.customer())
    name = cli(app, "run").output.split(":")[0]
    path = backups / "platform" / "backups" / name
    app.config["BACKUP_KEY"] = Fernet.generate_key().decode()
    wrong = cli(app, "verify", name)
    assert wrong.exit_code != 0 and "backup key is wrong" in wrong.output
    path.write_bytes(path.read_bytes()[:-1000])
    cut = cli(app, "restore", name, "--into", "postgresql+psycopg://nobody@127.0.0.1/none")
    assert cut.exit_code != 0 and "truncated" in cut.output
    missing = cli(app, "verify", "mpanel-20200101T000000Z.backup")
    assert missing.exit_code != 0 and "no backup named" in missing.output
