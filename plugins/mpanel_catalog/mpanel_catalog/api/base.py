"""Shared by the quote endpoints: load the body, answer the quote."""

from mpanel.api.base import Api
from mpanel.api.body import json_body


class QuoteApi(Api):
    def answer(self, schema, compute):
        """``compute(arguments)`` -> Quote; 200 with the quote (bad input is answered by ``safe``)."""
        return self.response(200, result=compute(json_body(schema())).to_dict())
