"""The storage service: both back-ends behind one interface, tenant namespaces
that keys cannot escape, signed links, and S3 errors reported and retried
(S3 against moto's server over HTTP, not a mock of boto3)."""

from __future__ import annotations

import threading
import time

import boto3
import pytest
import requests

from mpanel.core import storage
from mpanel.core.storage import ChecksumMismatch, NotFound, ScopedStorage, StorageError
from mpanel.core.storage.local import LocalBackend
from mpanel.core.storage.s3 import S3Backend
from mpanel.core.tenancy import tenant_scope
from tests.servers.s3 import ACCESS_KEY, REGION, SECRET_KEY, s3_server


@pytest.fixture(scope="module")
def moto():
    with s3_server() as (server, endpoint):
        boto3.client("s3", endpoint_url=endpoint, region_name=REGION, aws_access_key_id=ACCESS_KEY,
                     aws_secret_access_key=SECRET_KEY).create_bucket(
            Bucket="mpanel", CreateBucketConfiguration={"LocationConstraint": REGION})
        yield server, endpoint


def s3(endpoint, bucket="mpanel", secret=SECRET_KEY, **options):
    return S3Backend(bucket, endpoint_url=endpoint, region=REGION, prefix="inst-a", access_key_id=ACCESS_KEY,
                     secret_access_key=secret, backoff=0.05, timeout=2, **options)


@pytest.fixture(params=["local", "s3"])
def store(request, tmp_path):
    if request.param == "local":
        return LocalBackend(tmp_path / "files", "signing-secret")
    return s3(request.getfixturevalue("moto")[1], server_side_encryption="AES256")


def test_put_get_stream_list_delete(store):
    big = bytes(range(256)) * 1000
    digest = store.put("tenants/1/docs/a.pdf", b"%PDF-1 first", "application/pdf")
    store.put("tenants/1/docs/a.pdf", b"%PDF-1 second", "application/pdf")
    store.put("tenants/1/docs/big.bin", big)
    store.put("tenants/2/docs/b.pdf", b"other tenant")
    assert digest == storage.sha256(b"%PDF-1 first")
    assert store.get("tenants/1/docs/a.pdf") == b"%PDF-1 second"
    assert b"".join(store.stream("tenants/1/docs/big.bin")) == big
    assert len(list(store.stream("tenants/1/docs/big.bin"))) > 1
    assert store.checksum("tenants/1/docs/big.bin") == storage.sha256(big)
    assert [(e.key, e.size) for e in store.list("tenants/1/")] == [
        ("tenants/1/docs/a.pdf", 13), ("tenants/1/docs/big.bin", len(big))]
    with pytest.raises(ChecksumMismatch):
        store.get("tenants/1/docs/a.pdf", sha256=digest)
    store.delete("tenants/1/docs/a.pdf")
    store.delete("tenants/1/docs/a.pdf")  # deleting twice is fine
    with pytest.raises(NotFound):
        store.get("tenants/1/docs/a.pdf")
    assert [e.key for e in store.list("tenants/")] == ["tenants/1/docs/big.bin", "tenants/2/docs/b.pdf"]


@pytest.mark.parametrize("key", ["../2/docs/b.pdf", "docs/../../2/docs/b.pdf", "/tenants/2/docs/b.pdf",
                                 "docs\\..\\b.pdf", "", "docs//b.pdf", "..", "docs/.hidden"])
def test_a_tenant_key_cannot_leave_its_namespace(tmp_path, key):
    backend = LocalBackend(tmp_path, "secret")
    backend.put("tenants/2/docs/b.pdf", b"secret of tenant 2")
    mine = ScopedStorage(backend, "tenants/1")
    attempts = [lambda: mine.get(key), lambda: mine.put(key, b"x"), lambda: mine.delete(key)]
    if key:  # listing "" is listing one's own namespace
        attempts.append(lambda: mine.list(key))
    for attempt in attempts:
        with pytest.raises(StorageError):
            attempt()
    assert backend.get("tenants/2/docs/b.pdf") == b"secret of tenant 2"


@pytest.fixture
def app_files(app, tmp_path, monkeypatch):
    """The app's storage in a folder of the test's own (tenant ids repeat across test sessions)."""
    monkeypatch.setitem(app.extensions, storage.EXTENSION, LocalBackend(tmp_path / "app", app.config["SECRET_KEY"]))


def test_the_tenant_comes_from_the_scope(app, factory, app_files):
    one, two = factory.tenant(), factory.tenant()
    with app.app_context():
        with tenant_scope(two.id):
            storage.tenant_storage().put("notes/x.txt", b"two's")
        with tenant_scope(one.id):
            mine = storage.tenant_storage()
            assert mine.list() == []
            with pytest.raises(NotFound):
                mine.get("notes/x.txt")
            with pytest.raises(StorageError):
                mine.get(f"../{two.id}/notes/x.txt")
        with tenant_scope(two.id):
            assert storage.tenant_storage().get("notes/x.txt") == b"two's"
        with pytest.raises(Exception, match="tenant"):
            storage.tenant_storage()


def test_local_signed_links_check_signature_and_expiry(app, client, factory, app_files):
    tenant = factory.tenant()
    with app.app_context(), tenant_scope(tenant.id):
        files = storage.tenant_storage()
        files.put("exports/report.csv", b"a,b\n1,2\n")
        url = files.signed_url("exports/report.csv", 60, filename="report.csv")
        expired = files.signed_url("exports/report.csv", -1)
        other = files.signed_url("exports/other.csv", 60)
    response = client.get(url)
    assert response.status_code == 200 and response.data == b"a,b\n1,2\n"
    assert 'filename="report.csv"' in response.headers["Content-Disposition"]
    assert client.get(expired).status_code == 403
    assert client.get(url.replace("exports/report.csv", "exports/other.csv")).status_code == 403
    assert client.get(url.replace("signature=", "signature=0")).status_code == 403
    assert client.get(url.replace("expires=", "expires=9")).status_code == 403
    assert client.get(other).status_code == 404


def test_s3_signed_url_is_fetched_over_http(moto):
    store = s3(moto[1])
    store.put("tenants/1/exports/r.csv", b"x;y\n")
    url = store.signed_url("tenants/1/exports/r.csv", 60, filename="r.csv")
    response = requests.get(url, timeout=5)
    assert response.status_code == 200 and response.content == b"x;y\n"
    assert "r.csv" in response.headers["Content-Disposition"]
    tampered = requests.get(url.replace("r.csv", "s.csv", 1), timeout=5)
    assert tampered.status_code == 403


def test_s3_missing_bucket_and_wrong_credentials_are_clear_errors(moto):
    with pytest.raises(StorageError, match="bucket 'no-such-bucket' does not exist"):
        s3(moto[1], bucket="no-such-bucket").put("k/a", b"x")
    good = s3(moto[1])
    good.put("tenants/1/kept.pdf", b"version 1")
    # moto checks signatures against its IAM users once told to authenticate every request.
    requests.post(f"{moto[1]}/moto-api/reset-auth", data=b"0", timeout=5).raise_for_status()
    try:
        with pytest.raises(StorageError, match="credentials were refused"):
            s3(moto[1], secret="wrong").put("tenants/1/kept.pdf", b"version 2")
    finally:
        requests.post(f"{moto[1]}/moto-api/reset-auth", data=b"inf", timeout=5).raise_for_status()
    assert good.get("tenants/1/kept.pdf") == b"version 1"


def test_s3_server_down_is_retried_then_reported_and_nothing_is_lost(moto):
    server, endpoint = moto
    store = s3(endpoint)
    store.put("tenants/1/doc.pdf", b"version 1")
    server.stop()
    try:
        started = time.monotonic()
        with pytest.raises(StorageError, match="after 3 attempts: cannot reach"):
            store.put("tenants/1/doc.pdf", b"version 2")
        assert time.monotonic() - started >= 0.05 + 0.1  # two back-offs: it did retry
    finally:
        server.start()
    assert store.get("tenants/1/doc.pdf") == b"version 1"


def test_s3_transient_outage_is_retried_to_success(moto):
    server, endpoint = moto
    store = s3(endpoint, attempts=6)
    server.stop()
    threading.Timer(0.3, server.start).start()
    store.put("tenants/1/late.pdf", b"arrived")
    assert store.get("tenants/1/late.pdf") == b"arrived"
