"""The Provisioning plugin: servers, the module contract (:mod:`mpanel_provisioning.module`),
and panel actions queued from billing's service signals (:mod:`mpanel_provisioning.actions`)."""

from mpanel.core.plugins.base import N_, Plugin
from mpanel_provisioning import __version__, i18n

_VIEWS = "ServerGroupView|ServerView|ProvisioningActionView|ServiceAccountView"
_READ = "can_list|can_show"
_MENU = ("Provisioning|Hosting accounts|Provisioning actions|Servers|Server groups", "menu_access")
_FULL = [(_VIEWS, ".*"), _MENU]


class ProvisioningPlugin(Plugin):
    version = __version__
    title = "Provisioning"
    description = ("Creates, suspends and removes customers' accounts on control panels (servers and server "
                   "groups, one module per panel), after payment and dunning, with retries.")
    category = "provisioning"
    requires = ("catalog", "billing")  # products name the module; billing's service signals drive it
    role_permissions = {
        "Owner": _FULL,
        "Admin": _FULL,
        "Support": [(_VIEWS, _READ), ("ProvisioningActionView", "can_retry"), _MENU],
        "Read-only": [(_VIEWS, _READ), _MENU],
    }
    client_links = ()

    def __init__(self):
        super().__init__()
        self.domain = i18n.domain

    def init(self, app):
        from mpanel_provisioning import actions, client, models, runner  # noqa: F401

    def register_views(self, appbuilder):
        from mpanel_provisioning.views import register

        register(appbuilder)

    def blueprints(self):
        from mpanel_provisioning.client import blueprint

        return [blueprint]


__all__ = ["N_", "ProvisioningPlugin"]
