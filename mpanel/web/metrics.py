"""Prometheus metrics: request histograms per endpoint and status, kernel
counters, multiprocess-safe under gunicorn (``PROMETHEUS_MULTIPROC_DIR``).
``/metrics`` answers only a bearer token or an allow-listed address."""

from __future__ import annotations

import hmac
import ipaddress
import os

from flask import Response, abort, current_app, request
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_flask_exporter import PrometheusMetrics

from mpanel.core import counters  # noqa: F401 (defines the kernel counters on the registry)


def _allowed() -> bool:
    token = current_app.config["METRICS_TOKEN"]
    given = request.headers.get("Authorization", "").removeprefix("Bearer ")
    if token and hmac.compare_digest(given.encode(), token.encode()):
        return True
    try:
        address = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(net, strict=False) for net in current_app.config["METRICS_ALLOW"])


def _registry():
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
        return registry
    return REGISTRY


def metrics_view():
    if not _allowed():
        abort(404)
    # content_type, not mimetype: Flask would append a second charset to the exposition type.
    return Response(generate_latest(_registry()), content_type=CONTENT_TYPE_LATEST)


def install(app) -> None:
    # The exporter only records (once per process); our view serves, with access control.
    PrometheusMetrics(app, path=None, group_by="endpoint")
    app.add_url_rule("/metrics", "metrics", metrics_view)
