"""The EPP registrar tests' fixtures come from the plugin's pytest plugin module."""

from mpanel_registrar_epp.testing import registrar, server, tenant  # noqa: F401  (fixtures)
