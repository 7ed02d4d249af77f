"""The official validators (EN 16931, EPP) that live beside the repository in
``shared/validators``: found from ``MPANEL_VALIDATORS_DIR`` or the first
ancestor folder holding ``shared/validators`` (a checkout and its worktrees
alike), and loaded as a module without editing ``sys.path``."""

from __future__ import annotations

import importlib.util
import os
from functools import cache
from pathlib import Path


def validators_dir() -> Path:
    configured = os.environ.get("MPANEL_VALIDATORS_DIR")
    if configured:
        return Path(configured)
    here = Path(__file__).resolve()
    for folder in here.parents:
        candidate = folder / "shared" / "validators"
        if (candidate / "validate.py").is_file():
            return candidate
    raise FileNotFoundError("shared/validators not found above the repository; set MPANEL_VALIDATORS_DIR")


@cache
def validator():
    """The ``validate`` module of the shared validators (one per process)."""
    path = validators_dir() / "validate.py"
    spec = importlib.util.spec_from_file_location("mpanel_shared_validate", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
