"""One pager for every REST list: ``page`` (from 0), ``page_size`` (1..100, default 25),
``sort`` (a column, ``-column`` for descending; default ``-id``, newest first) and
equality filters named by their column. Every bad parameter is named at once (400).
The answer is ``{"count": total, "result": [rows of the page]}``."""

from __future__ import annotations

from flask import request
from sqlalchemy import Boolean, Integer, String, func, inspect, select
from sqlalchemy.orm import joinedload, selectinload

from mpanel.core.errors import FieldError
from mpanel.web.routing import MAX_ID

PARAMETERS = ("page", "page_size", "sort")
MAX_PAGE_SIZE = 100


def paged(fn):
    """Mark a list endpoint: the document gives it the pager's parameters."""
    fn._paged = True
    return fn


class ListError(FieldError):
    """Bad list parameters, every one named."""

    def __init__(self, errors: dict):
        super().__init__({name: list(texts) for name, texts in errors.items()})


def _number(raw: str, maximum: int = MAX_ID) -> int:
    if not (raw.isascii() and raw.isdigit()) or int(raw) > maximum:
        raise ValueError(f"an integer from 0 to {maximum}")
    return int(raw)


def _filter_value(raw: str, kind):
    """``kind``: int, bool, a tuple of allowed values, or None for any text."""
    if kind is int:
        return _number(raw)
    if kind is bool:
        if raw not in ("true", "false"):
            raise ValueError("true or false")
        return raw == "true"
    if kind and raw not in kind:
        raise ValueError(f"one of {', '.join(kind)}")
    if not raw.isprintable() or len(raw) > 500:
        raise ValueError("text without control characters, up to 500 characters")
    return raw


def page(query, model, filters: dict, sorts=("id",)) -> tuple[int, list]:
    """(count, rows) of one page of ``query``; ``filters``: query parameter -> (column, kind);
    ``sorts``: the columns ``sort`` may name."""
    args, errors = request.args, {}
    for name, (column, kind) in filters.items():
        if name in args:
            try:
                query = query.where(column == _filter_value(args[name], kind))
            except ValueError as error:
                errors[name] = [str(error)]
    try:
        number = _number(args.get("page", "0"))
    except ValueError as error:
        errors["page"] = [str(error)]
    try:
        size = _number(args.get("page_size", "25"), MAX_PAGE_SIZE)
        if size == 0:
            raise ValueError(f"an integer from 1 to {MAX_PAGE_SIZE}")
    except ValueError as error:
        errors["page_size"] = [str(error)]
    sort = args.get("sort", "-id")
    if sort.removeprefix("-") not in sorts:
        errors["sort"] = [f"one of {', '.join(sorts)}, with - for descending"]
    if errors:
        raise ListError(errors)
    column = getattr(model, sort.removeprefix("-"))
    order = column.desc() if sort.startswith("-") else column.asc()
    count = select(func.count()).select_from(query.order_by(None).subquery())
    from mpanel.extensions import db

    rows = db.session.scalars(query.order_by(order, model.id.desc()).offset(number * size).limit(size))
    return db.session.scalar(count), rows.unique().all()


def _kind(column):
    if isinstance(column.type, Boolean):
        return bool
    if isinstance(column.type, Integer):
        return int
    if isinstance(column.type, String):
        return getattr(column.type, "enums", None) or None
    return "skip"  # dates, numbers, JSON: no equality filter


def model_filters(model, names) -> dict:
    """Equality filters of a model's ``search_columns``; a relation filters by its key
    (``customer`` -> ``customer_id``)."""
    mapper, filters = inspect(model), {}
    for name in names:
        if name in mapper.relationships:
            (local,) = mapper.relationships[name].local_columns
            filters[f"{name}_id"] = (getattr(model, local.key), int)
        elif name in mapper.columns:
            kind = _kind(mapper.columns[name])
            if kind != "skip":
                filters[name] = (getattr(model, name), kind)
    return filters


def sort_columns(model, names) -> tuple:
    columns = inspect(model).columns
    return tuple(dict.fromkeys(["id", *(n for n in names if n in columns)]))


def model_list(api) -> tuple[int, list]:
    """A ModelApi's list: its ``search_columns`` filter, its ``order_columns`` sort."""
    model = api.datamodel.obj
    relations = inspect(model).relationships
    shown = {column.split(".")[0] for column in api.list_columns} & set(relations.keys())
    query = select(model).options(*((selectinload if relations[name].uselist else joinedload)(getattr(model, name))
                                    for name in sorted(shown)))
    return page(query, model, model_filters(model, api.search_columns), sort_columns(model, api.order_columns))
