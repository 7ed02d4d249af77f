"""Documents and mails speak the customer's language (the plugin's catalogue)."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

from flask_babel import force_locale

from mpanel.core.plugins.base import translation_domain
from mpanel.core.plugins.engine import loaded_plugins

domain = translation_domain(Path(__file__).parent)
lazy_gettext = domain.lazy_gettext  # labels and menus of the admin views


@contextmanager
def language(code: str):
    """Yield the plugin's gettext with ``code`` as the locale."""
    plugin = loaded_plugins()["billing"]
    with force_locale(code):
        yield plugin.gettext


def in_language(code: str, fn, *args, **kwargs):
    """``fn(*args, **kwargs)`` with ``code`` as the locale: texts that become invoice lines
    (and a service's description, which every renewal repeats) speak the customer's language.
    An error is raised again in the requester's language."""
    try:
        with force_locale(code or "en"):
            return fn(*args, **kwargs)
    except ValueError:
        return fn(*args, **kwargs)
