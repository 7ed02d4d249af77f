"""The one error type for bad input and refused actions.

Services raise :class:`FieldError` naming the field at fault; REST answers it with
``status`` and ``{"message": {field: [text]}}``, pages show it as a form error.
"""

from __future__ import annotations


class FieldError(ValueError):
    """Bad input (400) or a state conflict (``status=409``), named by field.

    ``str()`` is the first message, shown to the user.
    """

    status = 400

    def __init__(self, field: str | dict, message: str | None = None, *, status: int | None = None):
        if isinstance(field, dict):  # several fields at once: {field: message or [messages]}
            self.fields = {name: list(text) if isinstance(text, list | tuple) else [text]
                           for name, text in field.items()}
        else:
            self.fields = {field: [message or ""]}
        self.field, messages = next(iter(self.fields.items()))
        self.message = messages[0]
        if status is not None:
            self.status = status
        super().__init__(self.message)

    def as_messages(self) -> dict[str, list[str]]:
        """The shape of marshmallow validation errors: ``{field: [message]}``."""
        return {name: list(texts) for name, texts in self.fields.items()}


class Conflict(FieldError):
    """The request is well formed but the record's state refuses it (409)."""

    status = 409
