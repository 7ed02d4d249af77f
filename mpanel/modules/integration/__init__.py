"""Tenant settings for how MPanel talks to the outside: mail sender, API limits, CORS."""
