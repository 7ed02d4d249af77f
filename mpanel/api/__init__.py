"""The REST dialect every ``/api/v1`` endpoint speaks (``docs/api.md``).

- :mod:`.body`: one way to read a request body (JSON object, size and depth capped
  before parsing, 415 for any other type);
- :mod:`.errors`: one answer shape for bad input, ``{"message": {field: [text]}}``;
- :mod:`.base`: :class:`~.base.Api` and :class:`~.base.ModelApi`, the bases of every API;
- :mod:`.fields`: strict marshmallow fields (money as strings, no coercion);
- :mod:`.paging`: one pager for every list;
- :mod:`.openapi`: request and response schemas declared once, in the OpenAPI document;
- :mod:`.csrf`: cookie-authenticated writes carry the CSRF token.
"""
