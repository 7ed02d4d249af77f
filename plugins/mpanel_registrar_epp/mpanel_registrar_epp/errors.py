"""Exceptions raised by the EPP client, one class per interesting result code."""


class EppError(Exception):
    """An EPP error result (code >= 2000), or a transport/protocol failure (code None)."""

    def __init__(self, code: int | None, message: str, response=None):
        super().__init__(f"{code} {message}" if code is not None else message)
        self.code = code
        self.message = message
        self.response = response  # the parsed Response, when there was one


class BillingFailure(EppError):
    """2104: the registrar account cannot pay for the operation."""


class AuthenticationError(EppError):
    """2200: login rejected (wrong client id or password)."""


class AuthorizationError(EppError):
    """2201: not the sponsoring registrar, or wrong authInfo."""


class ObjectExists(EppError):
    """2302: the object to create already exists."""


class ObjectDoesNotExist(EppError):
    """2303: the object does not exist."""


class StatusProhibitsOperation(EppError):
    """2304: a status such as clientTransferProhibited blocks the operation."""


class ParameterPolicyError(EppError):
    """2306: a value is schema-valid but outside registry policy (e.g. period)."""


class CommandFailed(EppError):
    """2400: the server failed internally."""


class ConnectionLost(EppError):
    """The connection dropped, or the server ended the session (2500-2502).

    Raised after a non-idempotent command was sent but not answered: its
    outcome is unknown, so check the object's state (info) before retrying.
    """


class ProtocolError(EppError):
    """The server sent something that is not a valid EPP frame or message."""


_BY_CODE = {
    2104: BillingFailure,
    2200: AuthenticationError,
    2201: AuthorizationError,
    2302: ObjectExists,
    2303: ObjectDoesNotExist,
    2304: StatusProhibitsOperation,
    2306: ParameterPolicyError,
    2400: CommandFailed,
    2500: ConnectionLost,
    2501: ConnectionLost,
    2502: ConnectionLost,
}


def error_for(code: int, message: str, response=None) -> EppError:
    """Build the typed exception for an EPP error result code."""
    return _BY_CODE.get(code, EppError)(code, message, response)
