"""Plugin discovery, loading (fail fast), ordering and per-tenant activation."""

from __future__ import annotations

import re
from importlib.metadata import entry_points

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import Version
from sqlalchemy import select

import mpanel
from mpanel.core.plugins.base import CATEGORIES, Plugin

GROUP = "mpanel.plugins"
_NAME = re.compile(r"^[a-z0-9_]+$")


class PluginError(RuntimeError):
    """A configured plugin is missing or broken; the message names it."""

    def __init__(self, name: str, problem: str):
        super().__init__(f"plugin {name!r}: {problem}")
        self.plugin = name


def discover() -> dict:
    """Installed plugins: entry point name -> entry point."""
    return {ep.name: ep for ep in entry_points(group=GROUP)}


def _load_one(name: str, ep) -> Plugin:
    if not _NAME.match(name):
        raise PluginError(name, "name must match [a-z0-9_]+")
    try:
        cls = ep.load()
    except Exception as exc:  # any import error must stop the start, named
        raise PluginError(name, f"cannot be imported: {type(exc).__name__}: {exc}") from exc
    if not (isinstance(cls, type) and issubclass(cls, Plugin)):
        raise PluginError(name, f"{ep.value} is not a subclass of mpanel Plugin")
    if cls.category not in CATEGORIES:
        raise PluginError(name, f"unknown category {cls.category!r}")
    try:
        compatible = Version(mpanel.__version__) in SpecifierSet(cls.kernel_requires)
    except InvalidSpecifier as exc:
        raise PluginError(name, f"bad kernel_requires: {exc}") from exc
    if not compatible:
        raise PluginError(name, f"needs kernel {cls.kernel_requires}, this is {mpanel.__version__}")
    plugin = cls()
    plugin.name = name
    return plugin


def _ordered(plugins: dict[str, Plugin]) -> list[Plugin]:
    """Dependencies first; a missing or circular dependency is an error."""
    ordered, state = [], {}

    def visit(name, chain):
        if state.get(name) == "done":
            return
        if state.get(name) == "visiting":
            raise PluginError(name, "circular dependency: " + " -> ".join([*chain, name]))
        state[name] = "visiting"
        for dep in plugins[name].requires:
            if dep not in plugins:
                raise PluginError(name, f"requires plugin {dep!r}, which is not enabled")
            visit(dep, [*chain, name])
        state[name] = "done"
        ordered.append(plugins[name])

    for name in sorted(plugins):
        visit(name, [])
    return ordered


def requirements(name: str, plugins: dict[str, Plugin]) -> set[str]:
    """Every plugin ``name`` requires, directly or through another."""
    found, todo = set(), list(plugins[name].requires)
    while todo:
        dep = todo.pop()
        if dep not in found:
            found.add(dep)
            todo.extend(plugins[dep].requires if dep in plugins else ())
    return found


def load_plugins(enabled: list[str]) -> list[Plugin]:
    """Load the configured plugins in dependency order, or raise PluginError."""
    installed = discover()
    names = sorted(installed) if list(enabled) == ["all"] else list(enabled)
    plugins = {}
    for name in names:
        if name not in installed:
            raise PluginError(name, f"is enabled in MPANEL_ENABLED_PLUGINS but not installed (no {GROUP} entry point)")
        plugins[name] = _load_one(name, installed[name])
    return _ordered(plugins)


def loaded_plugins(app=None) -> dict[str, Plugin]:
    from flask import current_app

    return (app or current_app).extensions["mpanel_plugins"]


def plugin_for_module(module: str, app=None) -> str | None:
    """The plugin whose package holds ``module`` (None for kernel code)."""
    top = module.split(".")[0]
    for plugin in loaded_plugins(app).values():
        if plugin.package == top:
            return plugin.name
    return None


def active_plugin_names(session) -> set[str]:
    """Plugins the tenant in scope has activated (and that are loaded)."""
    from mpanel.core.plugins.models import TenantPlugin

    rows = session.scalars(select(TenantPlugin.plugin).where(TenantPlugin.active.is_(True)))
    return set(rows) & set(loaded_plugins())


def set_active(session, name: str, active: bool) -> None:
    """Activate or deactivate a loaded plugin (and its requirements) for the tenant in scope."""
    from mpanel.core.plugins.models import TenantPlugin

    plugins = loaded_plugins()
    if name not in plugins:
        raise PluginError(name, "is not installed and enabled")
    names = [name]
    if active:
        names += sorted(requirements(name, plugins))
    else:
        dependants = [p.name for p in plugins.values() if name in requirements(p.name, plugins)]
        active_now = active_plugin_names(session)
        blocking = sorted(set(dependants) & active_now)
        if blocking:
            raise PluginError(name, f"is required by active plugins: {', '.join(blocking)}")
    for item in names:
        row = session.scalar(select(TenantPlugin).where(TenantPlugin.plugin == item))
        if row is None:
            session.add(TenantPlugin(plugin=item, active=active))
        else:
            row.active = active
