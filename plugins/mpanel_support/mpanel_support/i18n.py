"""The plugin's own translation domain (``translations/<lang>/LC_MESSAGES/messages.po``)."""

from pathlib import Path

from mpanel.core.plugins.base import translation_domain

domain = translation_domain(Path(__file__).parent)
gettext = domain.gettext
lazy_gettext = domain.lazy_gettext
