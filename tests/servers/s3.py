"""A local S3-compatible server for the tests: moto's server mode on a free
port of 127.0.0.1, spoken to over HTTP by the real boto3 client."""

from __future__ import annotations

import socket
from contextlib import contextmanager

from moto.server import ThreadedMotoServer

ACCESS_KEY, SECRET_KEY, REGION = "testing", "testing-secret", "eu-central-1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def s3_server():
    """Yields the endpoint URL; the server (and its buckets) stops afterwards."""
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield server, f"http://127.0.0.1:{port}"
    finally:
        server.stop()
