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

