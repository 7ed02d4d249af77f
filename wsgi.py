"""WSGI entry point: ``gunicorn wsgi:app``."""

from mpanel import create_app

app = create_app()
