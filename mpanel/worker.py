"""Huey consumer entry point: ``huey_consumer mpanel.worker.huey`` (``make worker``)."""

from mpanel import create_app
from mpanel.core.tasks import huey

app = create_app()

__all__ = ["app", "huey"]
