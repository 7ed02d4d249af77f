"""Kernel tests: the fixture plugin under tests/fixtures is installed by path,
so the engine discovers it through its entry point like any other plugin."""

import sys
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"
sys.path.insert(0, str(FIXTURES / "testplugin"))
