"""One way to read a REST request body.

Every write to ``/api/`` with a body is checked before any endpoint runs
(:func:`check_request`): its type must be JSON (415) unless the endpoint declares
another with :func:`accepts`; a JSON body is size- and depth-capped before it is
parsed, must be UTF-8 without NUL bytes or lone surrogates, and must be an object.
Endpoints read it with :func:`json_body`.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal

from flask import current_app, g, request

from mpanel.core.errors import FieldError

from .fields import make_strict

WRITES = ("POST", "PUT", "PATCH", "DELETE")
MAX_BYTES = 1024 * 1024
MAX_DEPTH = 32
_STRINGS = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKETS = re.compile(rb"[\[\]{}]")


class BodyError(FieldError):
    """A body the API does not read at all: wrong type (415), too large (413), malformed (400)."""

    def __init__(self, message: str, status: int = 400):
        super().__init__("body", message, status=status)


def accepts(*mimetypes: str):
    """Declare the body types an endpoint reads instead of JSON (e.g. ``application/xml``)."""

    def mark(fn):
        fn._accepts = frozenset(mimetypes)
        return fn

    return mark


def _declared_types() -> frozenset:
    view = current_app.view_functions.get(request.endpoint)
    return getattr(view, "_accepts", frozenset())


def is_json_type(mimetype: str) -> bool:
    return mimetype == "application/json" or (mimetype.startswith("application/") and mimetype.endswith("+json"))


def _depth(data: bytes) -> int:
    deepest = depth = 0
    for match in _BRACKETS.finditer(_STRINGS.sub(b"", data)):
        depth += 1 if match.group() in (b"[", b"{") else -1
        deepest = max(deepest, depth)
    return deepest


def _finite(text: str) -> Decimal:
    """JSON decimals become Decimal, never float; beyond a double's range is refused."""
    number = Decimal(text)
    if abs(number.adjusted()) > 308:
        raise ValueError("number out of range")
    return number


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def _check_text(value, field: str) -> None:
    """NUL bytes and lone surrogates reach no database: refuse them naming the field."""
    if isinstance(value, str):
        if "\x00" in value:
            raise FieldError(field, "must not contain NUL characters")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise FieldError(field, "must be valid Unicode text") from None
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_text(key, field)
            _check_text(item, field)
    elif isinstance(value, list):
        for item in value:
            _check_text(item, field)


def parse(data: bytes):
    """The JSON object in ``data``, or :class:`BodyError` / :class:`FieldError`."""
    limit = current_app.config.get("API_MAX_BODY_BYTES", MAX_BYTES)
    if len(data) > limit:
        raise BodyError(f"the body is larger than {limit} bytes", 413)
    if _depth(data) > MAX_DEPTH:
        raise BodyError(f"the body nests deeper than {MAX_DEPTH} levels")
    try:
        text = data.decode("utf-8")
        body = json.loads(text, parse_float=_finite, parse_constant=_refuse_constant)
    except UnicodeDecodeError:
        raise BodyError("the body must be UTF-8") from None
    except (ValueError, RecursionError):
        raise BodyError("the body must be valid JSON") from None
    if not isinstance(body, dict):
        raise BodyError("the body must be a JSON object")
    for key, value in body.items():
        _check_text(key, "body")
        _check_text(value, key)
    return body


def check_request() -> None:
    """before_request for ``/api/`` writes: refuse a body the API cannot read, keep the parsed one."""
    if request.method not in WRITES or not request.path.startswith("/api/"):
        return
    length = request.content_length
    limit = current_app.config.get("API_MAX_BODY_BYTES", MAX_BYTES)
    if length is not None and length > limit and request.mimetype not in _declared_types():
        raise BodyError(f"the body is larger than {limit} bytes", 413)
    if not length and not request.headers.get("Transfer-Encoding"):
        g.api_body = {}
        return
    if request.mimetype in _declared_types():
        return
    if not is_json_type(request.mimetype):
        raise BodyError("send the body as application/json", 415)
    if length is not None:  # checked against the limit above
        data = request.get_data(cache=True)
    else:  # chunked: read no more than the limit
        data = request.stream.read(limit + 1)
        request._cached_data = data  # request.get_data() still answers the body
    body = parse(data)
    g.api_body = body
    request._cached_json = (body, body)  # FAB's ModelRestApi reads request.json


def json_body(schema=None):
    """The request's JSON object (``{}`` without a body), loaded through ``schema`` if given.

    A marshmallow ``ValidationError`` propagates; :mod:`mpanel.api.errors` answers it.
    """
    body = g.get("api_body")
    if body is None:
        if request.mimetype and not is_json_type(request.mimetype) and request.get_data():
            raise BodyError("send the body as application/json", 415)
        body = parse(request.get_data()) if request.get_data() else {}
    return body if schema is None else make_strict(schema).load(body)
