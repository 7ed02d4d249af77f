"""Errors the billing services raise; the API turns them into 4xx JSON naming the field."""


class BillingError(ValueError):
    """A billing rule refused the request; ``field`` names what to fix."""

    status = 409

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message

    def as_messages(self) -> dict:
        return {self.field: [self.message]}


class BillingInputError(BillingError):
    """The request itself is invalid (400, not a state conflict)."""

    status = 400
