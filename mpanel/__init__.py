"""MPanel: multi-tenant billing and hosting management."""

__version__ = "0.1.0"


def create_app(overrides=None):
    """Build the Flask app; see :mod:`mpanel.app`."""
    from mpanel.app import create_app as _create_app

    return _create_app(overrides)
