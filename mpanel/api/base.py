"""The bases of every REST API: :class:`Api` (hand-written endpoints) and
:class:`ModelApi` (FAB's CRUD on one model). Both answer every refusal in the one
shape ``{"message": {field: [text]}}`` and document it (:mod:`.openapi`)."""

from __future__ import annotations

import functools
import logging
import sys

from flask_appbuilder import ModelRestApi
from flask_appbuilder.api import BaseApi
from werkzeug.exceptions import HTTPException

from mpanel.core.storage import StorageError
from mpanel.extensions import db

from . import openapi, paging
from .errors import answer, message
from .fields import make_strict, money_as_strings

log = logging.getLogger(__name__)

REQUEST = "request"  # the key of messages about the request as a whole


def safe(fn):
    """Answer what the endpoint raised: a client's fault in the one error shape (and
    nothing written), anything else a logged 500 without details."""

    @functools.wraps(fn)
    def run(self, *args, **kwargs):
        try:
            return fn(self, *args, **kwargs)
        except HTTPException as error:
            db.session.rollback()
            return self.response(error.code or 500, message={REQUEST: [error.description or error.name]})
        except StorageError:  # answered 503 by the app's handler (mpanel.web.errors)
            db.session.rollback()
            raise
        except Exception as error:
            db.session.rollback()
            known = answer(error)
            if known is None:
                log.exception("REST endpoint %s failed", fn.__name__)
                return self.response(500, message={REQUEST: ["internal error"]})
            return self.response(known[0], message=known[1])

    return run


def transaction(fn):
    """Commit what the endpoint did (errors roll back in :func:`safe`)."""

    @functools.wraps(fn)
    def run(self, *args, **kwargs):
        response = fn(self, *args, **kwargs)
        db.session.commit()
        return response

    return run


class Dialect:
    """FAB's answers in the dialect's shape."""

    def response_400(self, message=None):
        return self.response(400, message=_shape(message, "bad request"))

    def response_401(self):
        return self.response(401, message={REQUEST: ["sign in or send a token"]})

    def response_403(self):
        return self.response(403, message={REQUEST: ["not allowed"]})

    def response_404(self):
        return self.response(404, message={REQUEST: ["not found"]})

    def response_422(self, message=None):
        known = answer(sys.exception()) if sys.exception() else None  # FAB's DatabaseException
        if known is not None:
            return self.response(known[0], message=known[1])
        return self.response(400, message=_shape(message, "invalid"))

    def response_500(self, message=None):
        error = sys.exception()
        known = answer(error) if error else None
        if error is not None:
            db.session.rollback()
        if known is not None:
            return self.response(known[0], message=known[1])
        return self.response(500, message={REQUEST: ["internal error"]})

    def add_apispec_components(self, api_spec):
        super().add_apispec_components(api_spec)
        openapi.add_components(api_spec)

    def operation_helper(self, path=None, operations=None, methods=None, func=None, **kwargs):
        super().operation_helper(path, operations, methods, func, **kwargs)
        openapi.complete(self, path, operations, methods, func)


def _shape(text, default: str) -> dict:
    return message(text) or {REQUEST: [default]}


class Api(Dialect, BaseApi):
    """Hand-written endpoints."""


class ModelApi(Dialect, ModelRestApi):
    """CRUD on one model: strict input types, the one pager for lists; a resource
    without write permissions has no write routes (nor operations in the document)."""

    def __init__(self):
        writes = {"can_post": "post", "can_put": "put", "can_delete": "delete"}
        if self.base_permissions is not None:
            self.exclude_route_methods = {*self.exclude_route_methods,
                                          *(m for p, m in writes.items() if p not in self.base_permissions)}
        super().__init__()

    def _init_model_schemas(self) -> None:
        super()._init_model_schemas()
        for schema in (self.list_model_schema, self.show_model_schema, self.add_model_schema,
                       self.edit_model_schema):
            if schema is not None:
                make_strict(money_as_strings(schema))

    def get_list_headless(self, **kwargs):
        """The dialect's pager instead of FAB's rison ``q``."""
        count, rows = paging.model_list(self)
        return self.response(200, count=count, ids=[row.id for row in rows],
                             result=self.list_model_schema.dump(rows, many=True))

    def _description_columns_json(self, cols=None):
        # gettext("") answers the catalogue's header: only columns with a description have one
        return {key: value for key, value in super()._description_columns_json(cols).items()
                if self.description_columns.get(key)}

    def _get_field_info(self, field, *args, **kwargs):
        info = super()._get_field_info(field, *args, **kwargs)
        for key, texts in (("description", self.description_columns), ("label", self.label_columns)):
            if not texts.get(field.name):
                info[key] = ""
        return info
