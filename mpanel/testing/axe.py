"""axe-core accessibility checks for browser tests.

axe-core comes from npm (``make assets`` installs it under ``var/npm``, never committed).
It is evaluated through the DevTools protocol, so the page's Content-Security-Policy
does not need to allow it.
"""
from pathlib import Path

import pytest

AXE = Path(__file__).resolve().parents[2] / "var" / "npm" / "node_modules" / "axe-core" / "axe.min.js"
needs_axe = pytest.mark.skipif(not AXE.exists(), reason="axe-core is not installed: run `make assets`")

WCAG_A_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_violations(page, impacts=("serious", "critical")):
    """The WCAG 2 A/AA violations of ``page`` at the given impacts, as readable strings."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_A_AA)
    return [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
            for v in result["violations"] if v["impact"] in impacts]
