"""Shared by the quote endpoints: parse the body, answer a FieldError as 400 naming the field."""

from flask import request
from flask_appbuilder.api import BaseApi
from marshmallow import ValidationError

from mpanel.core.errors import FieldError


class QuoteApi(BaseApi):
    def answer(self, schema, compute):
        """``compute(arguments)`` -> Quote; 200 with the quote, or 400 ``{"message": {field: [...]}}``."""
        try:
            arguments = schema().load(request.get_json(silent=True) or {})
            quote = compute(arguments)
        except ValidationError as error:
            return self.response_400(message=error.messages)
        except FieldError as exc:
            return self.response_400(message=exc.as_messages())
        return self.response(200, result=quote.to_dict())
