"""One answer for every bad input: ``status`` and ``{"message": {field: [text, ...]}}``.

:func:`answer` maps :class:`~mpanel.core.errors.FieldError` (and ``Conflict``), marshmallow's
``ValidationError`` and database refusals to it. A database refusal is named by the column
(unique: 409, foreign key / check / not null / out of range: 422); the SQL text, its
parameters and constraint or trigger names never reach the client.
"""

from __future__ import annotations

from marshmallow import ValidationError
from sqlalchemy.exc import DataError, IntegrityError, InternalError, ProgrammingError

from mpanel.core.errors import FieldError

# PostgreSQL SQLSTATE -> (status, message)
_STATES = {
    "23505": (409, "already exists"),
    "23503": (422, "refers to a record that does not exist or is still in use"),
    "23502": (422, "is required"),
    "23514": (422, "is not allowed"),
    "23P01": (409, "overlaps an existing record"),
    "22003": (422, "is out of range"),
    "22001": (422, "is too long"),
    "22008": (422, "is out of range"),
    "22007": (422, "is not a valid date or time"),
    "22P02": (422, "is not valid"),
    "P0001": (409, "cannot be changed in this state"),
}


def _columns_of(constraint: str | None) -> list[str]:
    """The model columns a named constraint covers (without ``tenant_id``)."""
    if not constraint:
        return []
    from mpanel.extensions import db

    for table in db.Model.metadata.tables.values():
        for candidate in [*table.constraints, *table.indexes]:
            if candidate.name == constraint:
                names = [c.name for c in candidate.columns if c.name != "tenant_id"]
                return names
    return []


def database_messages(error) -> tuple[int, dict] | None:
    """(status, messages) for a database refusal caused by the request's values, else None."""
    orig = getattr(error, "orig", None)
    state = getattr(orig, "sqlstate", None)
    if state not in _STATES:
        return None
    status, text = _STATES[state]
    diag = getattr(orig, "diag", None)
    field = getattr(diag, "column_name", None) or next(iter(_columns_of(getattr(diag, "constraint_name", None))),
                                                        None)
    return status, {field or "body": [f"{field or 'a value'} {text}" if not field else text]}


def _flatten(messages) -> dict:
    """marshmallow's messages as ``{field: [text]}`` (nested fields keep their nesting)."""
    if isinstance(messages, dict):
        return {str(key): value if isinstance(value, list | dict) else [str(value)] for key, value in messages.items()}
    if isinstance(messages, list):
        return {"body": [str(m) for m in messages]}
    return {"body": [str(messages)]}


def answer(error: BaseException) -> tuple[int, dict] | None:
    """(status, ``{field: [text]}``) for a refusal a client caused, or None for a server fault."""
    if isinstance(error, FieldError):
        return error.status, error.as_messages()
    if isinstance(error, ValidationError):
        return 400, _flatten(error.messages)
    if isinstance(error, IntegrityError | DataError | InternalError | ProgrammingError):
        return database_messages(error)
    cause = error.__cause__
    if cause is not None and isinstance(cause, IntegrityError | DataError):  # FAB's DatabaseException
        return database_messages(cause)
    return None


def message(text) -> dict:
    """A plain message in the one shape: ``{"body": [text]}`` (dicts pass as they are)."""
    if isinstance(text, dict):
        return _flatten(text)
    return {"body": [str(text)]} if text else {}
