"""S3-compatible object storage (AWS S3, MinIO, Ceph, Wasabi...) through boto3.

Every call is retried on transient failures (network, timeouts, throttling,
5xx) with a short back-off; the error that is finally raised is a
``StorageError`` naming the bucket, the key and the number of attempts.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from botocore.exceptions import ConnectionError as BotoConnectionError

from .base import CHUNK, Backend, Entry, NotFound, StorageError, check_key, file_sha256, sha256

log = logging.getLogger(__name__)

_THROTTLED = {"Throttling", "ThrottlingException", "SlowDown", "RequestTimeout", "RequestTimeTooSkewed",
              "InternalError", "ServiceUnavailable"}
_CREDENTIALS = {"InvalidAccessKeyId", "SignatureDoesNotMatch", "AccessDenied", "InvalidToken", "ExpiredToken"}


def _transient(exc: Exception) -> bool:
    if isinstance(exc, BotoConnectionError):
        return True
    if isinstance(exc, ClientError):
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
        return status >= 500 or exc.response.get("Error", {}).get("Code") in _THROTTLED
    return False


class S3Backend(Backend):
    name = "s3"

    def __init__(self, bucket: str, *, endpoint_url: str | None = None, region: str | None = None,
                 prefix: str = "", access_key_id: str | None = None, secret_access_key: str | None = None,
                 server_side_encryption: str = "", kms_key_id: str = "", attempts: int = 3,
                 backoff: float = 0.2, timeout: float = 10.0):
        if not bucket:
            raise StorageError("MPANEL_S3_BUCKET must be set for the s3 storage back-end")
        self.bucket, self.endpoint = bucket, endpoint_url or "AWS"
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.sse, self.kms_key_id = server_side_encryption, kms_key_id
        self.attempts, self.backoff = max(1, attempts), backoff
        self.client = boto3.session.Session().client(
            "s3", endpoint_url=endpoint_url or None, region_name=region or None,
            aws_access_key_id=access_key_id or None, aws_secret_access_key=secret_access_key or None,
            config=Config(retries={"total_max_attempts": 1}, connect_timeout=timeout, read_timeout=timeout,
                          signature_version="s3v4", s3={"addressing_style": "path"}))

    def _call(self, action: str, key: str, fn):
        for attempt in range(1, self.attempts + 1):
            try:
                return fn()
            except (ClientError, BotoCoreError) as exc:
                if _transient(exc) and attempt < self.attempts:
                    log.warning("storage %s %s failed (%s), attempt %d of %d", action, key, exc, attempt,
                                self.attempts)
                    time.sleep(self.backoff * 2 ** (attempt - 1))
                    continue
                raise self._error(action, key, exc, attempt) from exc
        raise AssertionError("unreachable")

    def _error(self, action: str, key: str, exc: Exception, attempts: int) -> StorageError:
        where = f"s3://{self.bucket}/{self.prefix}{key} at {self.endpoint}"
        tries = f" after {attempts} attempts" if attempts > 1 else ""
        if isinstance(exc, ClientError):
            code = exc.response.get("Error", {}).get("Code", "")
            if code in ("NoSuchKey", "404", "NotFound"):
                return NotFound(f"{key} is not in storage ({where})")
            if code == "NoSuchBucket":
                return StorageError(f"storage {action} failed: bucket {self.bucket!r} does not exist at "
                                    f"{self.endpoint}")
            if code in _CREDENTIALS:
                return StorageError(f"storage {action} failed: the S3 credentials were refused ({code}) "
                                    f"for {where}")
            return StorageError(f"storage {action} failed{tries}: {code} for {where}")
        return StorageError(f"storage {action} failed{tries}: cannot reach {self.endpoint} ({exc})")

    def _key(self, key: str) -> str:
        return self.prefix + check_key(key)

    def put(self, key, data, content_type="application/octet-stream"):
        digest = sha256(data)
        params = {"Bucket": self.bucket, "Key": self._key(key), "Body": data, "ContentType": content_type,
                  "Metadata": {"sha256": digest}}
        if self.sse:
            params["ServerSideEncryption"] = self.sse
            if self.kms_key_id:
                params["SSEKMSKeyId"] = self.kms_key_id
        self._call("put", key, lambda: self.client.put_object(**params))
        return digest

    def put_file(self, key, handle, content_type="application/octet-stream"):
        """A multipart upload in 8 MiB parts, two at a time: bounded memory for any size."""
        digest = file_sha256(handle)
        extra = {"ContentType": content_type, "Metadata": {"sha256": digest}}
        if self.sse:
            extra["ServerSideEncryption"] = self.sse
            if self.kms_key_id:
                extra["SSEKMSKeyId"] = self.kms_key_id
        transfer = TransferConfig(multipart_chunksize=8 * 1024 * 1024, max_concurrency=2)

        def upload():
            handle.seek(0)
            self.client.upload_fileobj(handle, self.bucket, self._key(key), ExtraArgs=extra, Config=transfer)

        self._call("put", key, upload)
        return digest

    def stream(self, key) -> Iterator[bytes]:
        response = self._call("get", key, lambda: self.client.get_object(Bucket=self.bucket, Key=self._key(key)))

        def chunks():
            try:
                yield from response["Body"].iter_chunks(CHUNK)
            except (BotoCoreError, OSError) as exc:
                raise StorageError(f"storage get of {key} broke off: {exc}") from exc

        return chunks()

    def delete(self, key):
        self._call("delete", key, lambda: self.client.delete_object(Bucket=self.bucket, Key=self._key(key)))

    def list(self, prefix=""):
        def collect():
            entries = []
            paginator = self.client.get_paginator("list_objects_v2")
            for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix + prefix):
                for item in page.get("Contents", []):
                    entries.append(Entry(item["Key"][len(self.prefix):], item["Size"]))
            return sorted(entries, key=lambda entry: entry.key)

        return self._call("list", prefix or "/", collect)

    def checksum(self, key):
        head = self._call("head", key, lambda: self.client.head_object(Bucket=self.bucket, Key=self._key(key)))
        return head.get("Metadata", {}).get("sha256") or super().checksum(key)

    def signed_url(self, key, seconds, filename=None):
        params = {"Bucket": self.bucket, "Key": self._key(key)}
        if filename:
            params["ResponseContentDisposition"] = f'attachment; filename="{filename}"'
        return self._call("sign", key, lambda: self.client.generate_presigned_url(
            "get_object", Params=params, ExpiresIn=int(seconds)))
