"""Stripe's error envelope as exceptions raised by the fake API."""

from __future__ import annotations


class StripeError(Exception):
    """An API error: HTTP status plus the body ``{"error": {...}}``."""

    def __init__(self, status: int, message: str, *, type: str = "invalid_request_error", **fields):
        super().__init__(message)
        self.status = status
        self.error = {"type": type, "message": message}
        self.error.update({k: v for k, v in fields.items() if v is not None})
        if "code" in self.error:
            self.error["doc_url"] = f"https://stripe.com/docs/error-codes/{self.error['code'].replace('_', '-')}"

    def body(self) -> dict:
        return {"error": self.error}


class Unsupported(StripeError):
    """A valid Stripe request the test server does not implement (recorded as a violation)."""

    def __init__(self, what: str):
        super().__init__(400, f"StripeTestServer does not implement {what}.")


def invalid(message: str, param: str | None = None, code: str | None = None) -> StripeError:
    return StripeError(400, message, param=param, code=code)


def no_such(kind: str, object_id: str, param: str, status: int = 400) -> StripeError:
    return StripeError(status, f"No such {kind}: '{object_id}'", param=param, code="resource_missing")


def unexpected_state(verb: str, obj: dict, allowed: tuple[str, ...]) -> StripeError:
    kind = "PaymentIntent" if obj["object"] == "payment_intent" else "SetupIntent"
    return invalid(
        f"You cannot {verb} this {kind} because it has a status of {obj['status']}. "
        f"Only a {kind} with one of the following statuses may be {verb.removesuffix('e')}ed: "
        f"{', '.join(allowed)}.",
        code=f"{obj['object']}_unexpected_state",
    )
