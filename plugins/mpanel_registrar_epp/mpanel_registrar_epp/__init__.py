"""Generic EPP (RFC 5730-5734) client for registrar integrations, and the EPP registrar plugin."""

__version__ = "0.1.0"

from .client import EppClient
from .errors import (
    AuthenticationError,
    AuthorizationError,
    BillingFailure,
    CommandFailed,
    ConnectionLost,
    EppError,
    ObjectDoesNotExist,
    ObjectExists,
    ParameterPolicyError,
    ProtocolError,
    StatusProhibitsOperation,
)
from .models import (
    CheckResult,
    ContactData,
    ContactInfo,
    Created,
    DomainInfo,
    Greeting,
    HostInfo,
    MessageQueue,
    PostalInfo,
    Renewed,
    Response,
    TransferData,
)

__all__ = [
    "AuthenticationError", "AuthorizationError", "BillingFailure", "CheckResult", "CommandFailed",
    "ConnectionLost", "ContactData", "ContactInfo", "Created", "DomainInfo", "EppClient", "EppError",
    "Greeting", "HostInfo", "MessageQueue", "ObjectDoesNotExist", "ObjectExists",
    "ParameterPolicyError", "PostalInfo", "ProtocolError", "Renewed", "Response",
    "StatusProhibitsOperation", "TransferData",
]
