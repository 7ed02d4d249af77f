"""XML for the test registry's greeting and responses (lxml)."""

import copy
from dataclasses import dataclass
from datetime import UTC, datetime

from lxml import etree

EPP = "urn:ietf:params:xml:ns:epp-1.0"
DOMAIN = "urn:ietf:params:xml:ns:domain-1.0"
HOST = "urn:ietf:params:xml:ns:host-1.0"
CONTACT = "urn:ietf:params:xml:ns:contact-1.0"
RGP = "urn:ietf:params:xml:ns:rgp-1.0"
NS = {"epp": EPP, "domain": DOMAIN, "host": HOST, "contact": CONTACT, "rgp": RGP}
PREFIXES = {uri: prefix for prefix, uri in NS.items()}

SERVER_ID = "MPanel Test Registry"
RESULT_MESSAGES = {
    1000: "Command completed successfully",
    1300: "Command completed successfully; no messages",
    1301: "Command completed successfully; ack to dequeue",
    1500: "Command completed successfully; ending session",
    2001: "Command syntax error",
    2002: "Command use error",
    2101: "Unimplemented command",
    2104: "Billing failure",
    2106: "Object is not eligible for transfer",
    2200: "Authentication error",
    2201: "Authorization error",
    2301: "Object not pending transfer",
    2302: "Object exists",
    2303: "Object does not exist",
    2304: "Object status prohibits operation",
    2306: "Parameter value policy error",
    2400: "Command failed",
}


@dataclass(frozen=True)
class MessageQueue:
    count: int
    id: str
    q_date: datetime | None = None
    text: str | None = None


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.0Z")


def element(namespace: str, name: str, text=None, **attrib) -> etree._Element:
    """A detached element that declares its own namespace prefix."""
    el = etree.Element(f"{{{namespace}}}{name}", {k: str(v) for k, v in attrib.items()},
                       nsmap={PREFIXES[namespace]: namespace})
    if text is not None:
        el.text = str(text)
    return el


def child(parent: etree._Element, name: str, text=None, **attrib) -> etree._Element:
    """Append a child in the parent's namespace."""
    el = etree.SubElement(parent, f"{{{etree.QName(parent).namespace}}}{name}",
                          {k: str(v) for k, v in attrib.items()})
    if text is not None:
        el.text = str(text)
    return el


def _document() -> etree._Element:
    return etree.Element(f"{{{EPP}}}epp", nsmap={None: EPP})


def _serialize(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=False)


def greeting() -> bytes:
    root = _document()
    greet = child(root, "greeting")
    child(greet, "svID", SERVER_ID)
    child(greet, "svDate", timestamp(now()))
    menu = child(greet, "svcMenu")
    child(menu, "version", "1.0")
    child(menu, "lang", "en")
    for uri in (DOMAIN, HOST, CONTACT):
        child(menu, "objURI", uri)
    child(child(menu, "svcExtension"), "extURI", RGP)
    dcp = child(greet, "dcp")
    child(child(dcp, "access"), "all")
    statement = child(dcp, "statement")
    purpose = child(statement, "purpose")
    child(purpose, "admin")
    child(purpose, "prov")
    recipient = child(statement, "recipient")
    child(recipient, "ours")
    child(recipient, "public")
    child(child(statement, "retention"), "stated")
    return _serialize(root)


def response(code: int, cltrid: str | None, svtrid: str, *, msg: str | None = None,
             res_data: etree._Element | None = None, extension: etree._Element | None = None,
             msg_q: MessageQueue | None = None) -> bytes:
    root = _document()
    resp = child(root, "response")
    child(child(resp, "result", code=code), "msg", msg or RESULT_MESSAGES[code])
    if msg_q is not None:
        queue = child(resp, "msgQ", count=msg_q.count, id=msg_q.id)
        if msg_q.q_date:
            child(queue, "qDate", timestamp(msg_q.q_date))
        if msg_q.text:
            child(queue, "msg", msg_q.text)
    # Copies: the same element may be sent again (e.g. a poll message until acked).
    if res_data is not None:
        child(resp, "resData").append(copy.deepcopy(res_data))
    if extension is not None:
        child(resp, "extension").append(copy.deepcopy(extension))
    trid = child(resp, "trID")
    if cltrid:
        child(trid, "clTRID", cltrid)
    child(trid, "svTRID", svtrid)
    return _serialize(root)
