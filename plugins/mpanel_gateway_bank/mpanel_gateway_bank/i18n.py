"""The plugin's own translation domain (``translations/<lang>/LC_MESSAGES/messages.po``)."""

from pathlib import Path

from mpanel.core.plugins.base import translation_domain

lazy_gettext = translation_domain(Path(__file__).parent).lazy_gettext
