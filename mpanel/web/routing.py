"""Ids in URLs are PostgreSQL integers: a larger number names nothing of ours and
gets 404 from the router, instead of an out-of-range error from the database."""

from __future__ import annotations

from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def install(app) -> None:
    """Before any route is added: every ``<int:...>`` is bounded."""
    app.url_map.converters["int"] = IdConverter
