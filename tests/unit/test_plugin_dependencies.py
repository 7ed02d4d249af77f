"""Plugins depend one way: a plugin's package imports only the kernel and the
plugins it requires (directly or through them), never one that requires it; the
engine refuses a plugin whose requirement is not enabled."""

import ast
from pathlib import Path

import pytest

from mpanel.core.plugins.engine import PluginError, discover, load_plugins, requirements

LOADERS = {"find_spec", "import_module", "__import__"}


def _installed() -> dict:
    """name -> Plugin of every installed first-party plugin (loaded, not started)."""
    names = sorted(name for name, ep in discover().items() if ep.value.startswith("mpanel_"))
    return {plugin.name: plugin for plugin in load_plugins(names)}


def imported_modules(package_dir: Path):
    """(file, line, module) of every absolute import in the package, also inside
    functions, and of every module named to importlib (``find_spec("x")``)."""
    for path in sorted(package_dir.rglob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                yield from ((path, node.lineno, alias.name) for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                yield path, node.lineno, node.module
            elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
                name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
                if name in LOADERS and isinstance(node.args[0].value, str):
                    yield path, node.lineno, node.args[0].value


def plugin_imports(plugins: dict) -> dict[str, dict[str, list[str]]]:
    """plugin -> {other plugin it imports: ["file:line", ...]}."""
    by_package = {plugin.package: name for name, plugin in plugins.items()}
    found = {}
    for name, plugin in plugins.items():
        uses = found.setdefault(name, {})
        for path, line, module in imported_modules(plugin.path):
            other = by_package.get(module.split(".")[0])
            if other is not None and other != name:
                uses.setdefault(other, []).append(f"{path.relative_to(plugin.path.parent)}:{line}")
    return found


def test_every_plugin_imports_only_what_it_requires_and_no_two_import_each_other():
    plugins = _installed()
    assert {"catalog", "billing", "domains", "registrar_epp"} <= set(plugins)
    imports = plugin_imports(plugins)
    undeclared = {f"{name} imports {other} ({', '.join(where[:3])}) without requiring it"
                  for name, uses in imports.items() for other, where in uses.items()
                  if other not in requirements(name, plugins)}
    mutual = {tuple(sorted((a, b))) for a, uses in imports.items() for b in uses if a in imports.get(b, {})}
    assert not undeclared, sorted(undeclared)
    assert not mutual, sorted(mutual)


def test_the_check_sees_imports_inside_functions_and_find_spec(tmp_path):
    (tmp_path / "mod.py").write_text(
        "def f():\n    from mpanel_domains import actions\n"
        "if find_spec('mpanel_domains') is not None:\n    pass\nimport mpanel_catalog.models\n")
    assert sorted(module for _path, _line, module in imported_modules(tmp_path)) == [
        "mpanel_catalog.models", "mpanel_domains", "mpanel_domains"]


def test_the_graph_is_the_documented_tree():
    plugins = _installed()
    assert plugins["billing"].requires == ("catalog",)
    assert {"catalog", "billing"} <= requirements("domains", plugins)
    assert "domains" in requirements("registrar_epp", plugins)
    assert "billing" in requirements("gateway_stripe", plugins)
    assert not plugins["catalog"].requires


def test_the_engine_refuses_a_plugin_whose_requirement_is_not_enabled():
    with pytest.raises(PluginError) as error:
        load_plugins(["billing"])  # billing requires catalog
    assert error.value.plugin == "billing"
    assert "'billing'" in str(error.value) and "'catalog'" in str(error.value) and "not enabled" in str(error.value)
    assert [p.name for p in load_plugins(["billing", "catalog"])] == ["catalog", "billing"]
