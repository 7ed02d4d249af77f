"""A local EPP registry (RFC 5730-5734) over TLS for tests."""

from .server import DEFAULT_REGISTRARS, EppTestServer, Violation

__all__ = ["DEFAULT_REGISTRARS", "EppTestServer", "Violation"]
