"""Backups in the storage service: the nightly task is recorded on the
automation status, the retention deletes only what it should, and S3 errors
(through moto's server over HTTP) are reported, retried and lose nothing."""

import boto3
import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select
from sqlalchemy.engine import make_url

from mpanel.core import storage
from mpanel.core.storage.local import LocalBackend
from mpanel.core.storage.s3 import S3Backend
from mpanel.modules.automation.models import AutomationRun
from mpanel.modules.backups import service
from mpanel.modules.backups.tasks import nightly_backup
from mpanel.testing.pytest_plugin import SUPERUSER_URL
from tests.servers.s3 import ACCESS_KEY, REGION, SECRET_KEY, s3_server


@pytest.fixture
def configured(app, monkeypatch, database_urls):
    monkeypatch.setitem(app.config, "BACKUP_KEY", Fernet.generate_key().decode())
    monkeypatch.setitem(app.config, "BACKUP_DATABASE_URL", make_url(SUPERUSER_URL).set(
        database=make_url(database_urls[0]).database).render_as_string(hide_password=False))
    return app


@pytest.fixture
def local(configured, tmp_path, monkeypatch):
    backend = LocalBackend(tmp_path, "secret")
    monkeypatch.setitem(configured.extensions, storage.EXTENSION, backend)
    return backend


def last_run(app):
    from mpanel.extensions import db

    with app.app_context():
        run = db.session.scalars(select(AutomationRun).where(AutomationRun.task == "backups.nightly")
                                 .order_by(AutomationRun.id.desc())).first()
        return run.status, run.counts, run.error


def test_the_nightly_backup_is_recorded_and_keeps_the_retention(configured, local, monkeypatch):
    for day in range(1, 10):  # nine older daily backups and a file that is not one
        local.put(f"platform/backups/mpanel-202601{day:02d}T023000Z.backup", b"old")
    local.put("platform/backups/README", b"kept")
    monkeypatch.setitem(configured.config, "BACKUP_KEEP_DAILY", 3)
    monkeypatch.setitem(configured.config, "BACKUP_KEEP_WEEKLY", 0)
    monkeypatch.setitem(configured.config, "BACKUP_KEEP_MONTHLY", 0)
    with configured.app_context():
        result = nightly_backup.call_local()
    assert result["status"] == "ok", result
    status, counts, _ = last_run(configured)
    assert status == "ok" and counts["deleted"] == 7 and counts["rows"] > 0
    names = [entry.key.rsplit("/", 1)[1] for entry in local.list("platform/backups/")]
    assert names == ["README", "mpanel-20260108T023000Z.backup", "mpanel-20260109T023000Z.backup", counts["name"]]


def test_a_failed_backup_is_recorded_as_failed(configured, local, monkeypatch):
    monkeypatch.setitem(configured.config, "BACKUP_KEY", "")
    with configured.app_context():
        assert nightly_backup.call_local()["status"] == "failed"
    status, _, error = last_run(configured)
    assert status == "failed" and "MPANEL_BACKUP_KEY is not set" in error
    assert local.list("platform/backups/") == []


def test_backups_on_s3_are_listed_and_an_outage_is_reported_without_losing_one(configured, monkeypatch):
    with s3_server() as (server, endpoint):
        boto3.client("s3", endpoint_url=endpoint, region_name=REGION, aws_access_key_id=ACCESS_KEY,
                     aws_secret_access_key=SECRET_KEY).create_bucket(
            Bucket="backups", CreateBucketConfiguration={"LocationConstraint": REGION})
        backend = S3Backend("backups", endpoint_url=endpoint, region=REGION, prefix="mpanel",
                            access_key_id=ACCESS_KEY, secret_access_key=SECRET_KEY, backoff=0.05, timeout=2,
                            server_side_encryption="AES256")
        monkeypatch.setitem(configured.extensions, storage.EXTENSION, backend)
        runner = configured.test_cli_runner()
        first = runner.invoke(args=["mpanel", "backup", "run"])
        assert first.exit_code == 0, first.output
        name = first.output.split(":")[0]
        server.stop()
        try:
            down = runner.invoke(args=["mpanel", "backup", "run"])
            assert down.exit_code == 1 and "after 3 attempts: cannot reach" in down.output
            assert "Traceback" not in down.output
        finally:
            server.start()
        listed = runner.invoke(args=["mpanel", "backup", "list"])
        assert listed.output.split() == [name, str(backend.list("platform/backups/")[0].size)]
        with configured.app_context():
            files, meta, chunks = service.load(name)
            dump = b"".join(chunks)
        assert meta["format"] == 2 and dump.startswith(b"PGDMP") and "billing_invoices" in meta["tables"]
