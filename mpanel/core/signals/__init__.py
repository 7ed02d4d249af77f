"""Signals that reach only the plugins active for the tenant in scope.

Kernel receivers always run; a receiver defined in a plugin's package runs only
if that plugin is active for the current tenant (as pretix's EventPluginSignal).
Each area declares its signals in its own module with a docstring contract.
"""

from __future__ import annotations

from blinker import NamedSignal

from mpanel.core.tenancy import require_tenant_id


class TenantSignal(NamedSignal):
    """``send(sender, **kwargs)`` within a tenant scope; returns [(receiver, result)]."""

    def send(self, sender=None, /, **kwargs):
        from mpanel.core.plugins.engine import active_plugin_names, plugin_for_module
        from mpanel.extensions import db

        require_tenant_id()
        active = None
        results = []
        for receiver in self.receivers_for(sender):
            plugin = plugin_for_module(receiver.__module__)
            if plugin is not None:
                if active is None:
                    active = active_plugin_names(db.session)
                if plugin not in active:
                    continue
            results.append((receiver, receiver(sender, **kwargs)))
        return results


def tenant_signal(name: str, doc: str) -> TenantSignal:
    signal = TenantSignal(name, doc=doc)
    return signal
