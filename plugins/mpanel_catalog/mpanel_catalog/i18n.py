"""The plugin's own translation domain (``translations/<lang>/LC_MESSAGES/messages.po``)."""

from pathlib import Path

from flask_babel import Domain

domain = Domain(translation_directories=[str(Path(__file__).parent / "translations")])
gettext = domain.gettext
lazy_gettext = domain.lazy_gettext
