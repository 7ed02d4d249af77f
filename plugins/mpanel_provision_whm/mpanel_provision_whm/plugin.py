"""The cPanel/WHM provisioning module as a plugin (its module: :mod:`mpanel_provision_whm.module`)."""

from mpanel.core.plugins.base import Plugin
from mpanel_provision_whm import __version__


class WhmPlugin(Plugin):
    version = __version__
    title = "cPanel/WHM"
    description = "Creates, suspends and removes cPanel accounts through WHM API 1 (API token)."
    category = "provisioning"
    requires = ("provisioning",)
