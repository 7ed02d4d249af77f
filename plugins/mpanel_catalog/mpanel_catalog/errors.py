"""Errors that name the input field at fault, so every caller can answer 4xx."""


class FieldError(ValueError):
    """Bad input for one field; ``str()`` is the message shown to the user."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message

    def as_messages(self) -> dict[str, list[str]]:
        """The shape of FAB/marshmallow validation errors: ``{field: [message]}``."""
        return {self.field: [self.message]}
