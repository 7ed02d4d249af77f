"""The catalogue tests' fixtures come from the plugin's pytest plugin module."""

from mpanel_catalog.testing import owner, scope, shop  # noqa: F401  (fixtures)
