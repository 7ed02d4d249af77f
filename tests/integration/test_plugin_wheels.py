"""Plugin wheels carry compiled catalogues: built from a checkout without .mo files
(git ignores them), each wheel with translations has every language's messages.mo."""

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

PLUGINS = Path(__file__).parents[2] / "plugins"
TRANSLATED = sorted(p for p in PLUGINS.iterdir() if any(p.glob("mpanel_*/translations/*/LC_MESSAGES/*.po")))


@pytest.mark.parametrize("plugin", TRANSLATED, ids=lambda p: p.name)
def test_the_built_wheel_has_compiled_catalogues(plugin, tmp_path):
    source = tmp_path / plugin.name
    shutil.copytree(plugin, source, ignore=shutil.ignore_patterns("*.mo", "tests", "build", "*.egg-info",
                                                                  "__pycache__"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "--wheel-dir", str(tmp_path / "wheels"), str(source)], check=True, timeout=300,
                   capture_output=True)
    [wheel] = (tmp_path / "wheels").glob("*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    languages = {po.parent.parent.name for po in plugin.glob("mpanel_*/translations/*/LC_MESSAGES/messages.po")}
    found = {Path(n).parent.parent.name for n in names if n.endswith("LC_MESSAGES/messages.mo")}
    assert languages and found == languages, names
