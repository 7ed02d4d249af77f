"""One page of a REST list, newest first: equality filters, ``page`` (from 0) and
``page_size`` (1..100) from the query string. Every bad parameter is named at once
(ListError, answered 400 by the ``transaction`` decorator)."""

from __future__ import annotations

from flask import request
from sqlalchemy import func, select

from mpanel.core.errors import FieldError
from mpanel.extensions import db
from mpanel.web.routing import MAX_ID


class ListError(FieldError):
    """Bad list parameters, every one named."""

    def __init__(self, errors: dict):
        super().__init__(next(iter(errors)), "bad list parameters")
        self.errors = errors

    def as_messages(self) -> dict:
        return self.errors


def _number(raw: str, maximum: int = MAX_ID) -> int:
    if not (raw.isascii() and raw.isdigit()) or int(raw) > maximum:
        raise ValueError(f"an integer from 0 to {maximum}")
    return int(raw)


def _filter_value(raw: str, kind):
    """``kind``: int, a tuple of allowed values, or None for any text."""
    if kind is int:
        return _number(raw)
    if kind and raw not in kind:
        raise ValueError(f"one of {', '.join(kind)}")
    if not raw.isprintable():
        raise ValueError("text without control characters")
    return raw


def page(query, model, filters: dict) -> tuple[int, list]:
    """(count, rows) of one page of ``query``; ``filters``: query parameter -> (column, kind)."""
    args, errors = request.args, {}
    for name, (column, kind) in filters.items():
        if name in args:
            try:
                query = query.where(column == _filter_value(args[name], kind))
            except ValueError as error:
                errors[name] = [str(error)]
    try:
        number, size = _number(args.get("page", "0")), _number(args.get("page_size", "25"), 100)
        if size == 0:
            raise ValueError
    except ValueError:
        errors["page"] = [f"page 0..{MAX_ID} and page_size 1..100"]
    if errors:
        raise ListError(errors)
    count = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = db.session.scalars(query.order_by(model.id.desc()).offset(number * size).limit(size))
    return count, rows.all()
