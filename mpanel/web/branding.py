"""The tenant's brand on client pages and the storefront: name, logo, colours, footer
(account settings ``brand_*``), falling back on the tenant's name, never "MPanel"
on a tenant's host."""

from __future__ import annotations

from flask import current_app, g

from mpanel.modules.accounts import settings


def _luminance(colour: str) -> float:
    """WCAG relative luminance of ``#rrggbb``."""

    def channel(hex_pair: str) -> float:
        c = int(hex_pair, 16) / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, gr, b = (channel(colour[i:i + 2]) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * gr + 0.0722 * b


def text_colour(background: str) -> str:
    """Black or white, whichever contrasts more with ``background`` (WCAG AA for the header)."""
    lum = _luminance(background)
    return "#000000" if (lum + 0.05) / 0.05 > 1.05 / (lum + 0.05) else "#ffffff"


def brand(session) -> dict:
    """``name``, ``logo`` (URL or ""), ``colour``, ``on_colour`` (text on it) and ``footer``."""
    values = settings.get(session)
    tenant = g.get("tenant")
    colour = values.get("brand_color") or settings.DEFAULTS["brand_color"].default
    try:
        on_colour = text_colour(colour)
    except ValueError:  # a value stored before the check: fall back on the default
        colour = settings.DEFAULTS["brand_color"].default
        on_colour = text_colour(colour)
    name = values.get("brand_name") or (tenant.name if tenant else current_app.config["APP_NAME"])
    return {"name": name, "logo": values.get("brand_logo_url") or "", "colour": colour, "on_colour": on_colour,
            "footer": values.get("brand_footer") or ""}
