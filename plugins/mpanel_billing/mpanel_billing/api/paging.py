"""One page of a REST list, newest first: equality filters, ``page`` (from 0) and
``page_size`` (1..100) from the query string. Every bad parameter is named at once
(ListError, answered 400 by the ``transaction`` decorator)."""

from __future__ import annotations

from flask import request
from sqlalchemy import func, select

from mpanel.extensions import db

from ..errors import BillingInputError


class ListError(BillingInputError):
    """Bad list parameters, every one named."""

    def __init__(self, errors: dict):
        super().__init__(next(iter(errors)), "bad list parameters")
        self.errors = errors

    def as_messages(self) -> dict:
        return self.errors


def _filter_value(raw: str, kind):
    """``kind``: int, a tuple of allowed values, or None for any string."""
    if kind is int:
        if not raw.isdigit():
            raise ValueError("an integer")
        return int(raw)
    if kind and raw not in kind:
        raise ValueError(f"one of {', '.join(kind)}")
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
    number, size = args.get("page", "0"), args.get("page_size", "25")
    if not (number.isdigit() and size.isdigit() and 0 < int(size) <= 100):
        errors["page"] = ["page >= 0 and page_size 1..100"]
    if errors:
        raise ListError(errors)
    count = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = db.session.scalars(query.order_by(model.id.desc()).offset(int(number) * int(size)).limit(int(size)))
    return count, rows.all()
