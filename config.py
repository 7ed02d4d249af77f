"""Local overrides. Real settings come from mpanel/config/defaults.py and
MPANEL_* environment variables (which win over this file); put only what you
must pin for this checkout here, e.g.:

    BASE_DOMAIN = "panel.example.com"
"""
