"""Where the installation's non-package folders live (migrations/, translations/).

A checkout uses the repository root; an installed wheel (Docker) sets MPANEL_HOME.
"""

import os
from pathlib import Path

HOME = Path(os.environ.get("MPANEL_HOME") or Path(__file__).resolve().parent.parent)
MIGRATIONS = HOME / "migrations"
TRANSLATIONS = HOME / "translations"
TEMPLATES = Path(__file__).resolve().parent / "web" / "templates"
