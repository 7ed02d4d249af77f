"""Plain data classes for command input and parsed responses.

Field names follow the EPP element names in snake case (cr_date = crDate).
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class PostalInfo:
    name: str
    city: str
    cc: str  # ISO 3166 two-letter country code
    street: tuple[str, ...] = ()  # at most 3 lines
    org: str | None = None
    sp: str | None = None  # state or province
    pc: str | None = None  # postal code
    type: str = "int"  # "int" (ASCII only) or "loc"


@dataclass(frozen=True)
class ContactData:
    """Input for contact create. Phone numbers use the EPP form +CC.NUMBER."""

    id: str
    postal_info: tuple[PostalInfo, ...]
    email: str
    auth_info: str
    voice: str | None = None
    fax: str | None = None


@dataclass(frozen=True)
class Greeting:
    sv_id: str
    sv_date: datetime | None
    versions: list[str]
    langs: list[str]
    obj_uris: list[str]
    ext_uris: list[str]


@dataclass(frozen=True)
class MessageQueue:
    count: int
    id: str
    q_date: datetime | None = None
    msg: str | None = None


@dataclass(frozen=True)
class Response:
    """A parsed EPP response; data holds the parsed resData (or None)."""

    code: int
    msg: str
    cl_trid: str | None
    sv_trid: str | None
    msg_q: MessageQueue | None = None
    data: Any = None


@dataclass(frozen=True)
class CheckResult:
    name: str  # domain/host name or contact id
    avail: bool
    reason: str | None = None


@dataclass(frozen=True)
class Created:
    name: str  # domain/host name or contact id
    cr_date: datetime | None
    ex_date: datetime | None = None


@dataclass(frozen=True)
class DomainInfo:
    name: str
    roid: str
    statuses: list[str]
    registrant: str | None
    contacts: list[tuple[str, str]]  # (type, contact id)
    ns: list[str]
    hosts: list[str]  # subordinate hosts
    cl_id: str
    cr_id: str | None
    cr_date: datetime | None
    up_date: datetime | None
    ex_date: datetime | None
    tr_date: datetime | None
    auth_info: str | None  # only shown to the sponsoring registrar
    rgp_statuses: list[str] = field(default_factory=list)  # RFC 3915


@dataclass(frozen=True)
class Renewed:
    name: str
    ex_date: datetime | None


@dataclass(frozen=True)
class TransferData:
    name: str
    tr_status: str
    re_id: str
    re_date: datetime | None
    ac_id: str
    ac_date: datetime | None
    ex_date: datetime | None = None


@dataclass(frozen=True)
class HostInfo:
    name: str
    roid: str
    statuses: list[str]
    addrs: list[str]
    cl_id: str
    cr_date: datetime | None


@dataclass(frozen=True)
class ContactInfo:
    id: str
    roid: str
    statuses: list[str]
    postal_info: list[PostalInfo]
    voice: str | None
    fax: str | None
    email: str
    cl_id: str
    cr_date: datetime | None
    up_date: datetime | None
    auth_info: str | None
