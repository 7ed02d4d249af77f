"""Parse EPP greetings and responses into the data classes of models.py."""

from datetime import datetime

from lxml import etree

from . import namespaces as ns
from .errors import ProtocolError
from .models import (
    CheckResult,
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

N = ns.NSMAP
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True)


def _parse(raw: bytes, child: str) -> etree._Element:
    """Return the single child of <epp> named child, or raise ProtocolError."""
    try:
        root = etree.fromstring(raw, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise ProtocolError(None, f"malformed XML from server: {exc}") from exc
    el = root.find(f"epp:{child}", N)
    if root.tag != f"{{{ns.EPP}}}epp" or el is None:
        raise ProtocolError(None, f"expected an EPP {child}")
    return el


def _date(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _texts(el: etree._Element, path: str) -> list[str]:
    return [child.text for child in el.findall(path, N)]


def _attrs(el: etree._Element, path: str, attr: str) -> list[str]:
    return [child.get(attr) for child in el.findall(path, N)]


def parse_greeting(raw: bytes) -> Greeting:
    greeting = _parse(raw, "greeting")
    return Greeting(
        sv_id=greeting.findtext("epp:svID", None, N),
        sv_date=_date(greeting.findtext("epp:svDate", None, N)),
        versions=_texts(greeting, "epp:svcMenu/epp:version"),
        langs=_texts(greeting, "epp:svcMenu/epp:lang"),
        obj_uris=_texts(greeting, "epp:svcMenu/epp:objURI"),
        ext_uris=_texts(greeting, "epp:svcMenu/epp:svcExtension/epp:extURI"),
    )


def _number(value: str | None, what: str) -> int:
    if value is None or not value.strip().isdigit():
        raise ProtocolError(None, f"the server sent a response whose {what} is not a number: {value!r}")
    return int(value)


def parse_response(raw: bytes) -> Response:
    """The parsed response; a malformed one (no ``<result>``, a non-numeric code, a date
    or element that cannot be read) is a :class:`ProtocolError`, never another exception."""
    response = _parse(raw, "response")
    try:
        return _response(response)
    except ProtocolError:
        raise
    except (AttributeError, ValueError, TypeError, IndexError, KeyError) as exc:
        raise ProtocolError(None, f"the server sent a response that cannot be read: {exc}") from exc


def _response(response) -> Response:
    result = response.find("epp:result", N)
    if result is None:
        raise ProtocolError(None, "the server sent a response without <result>")
    queue = response.find("epp:msgQ", N)
    if queue is not None:
        msg = queue.find("epp:msg", N)
        queue = MessageQueue(
            count=_number(queue.get("count"), "message count"), id=queue.get("id"),
            q_date=_date(queue.findtext("epp:qDate", None, N)),
            msg="".join(msg.itertext()).strip() if msg is not None else None)
    data = response.find("epp:resData/*", N)
    return Response(
        code=_number(result.get("code"), "result code"),
        msg=result.findtext("epp:msg", "", N),
        cl_trid=response.findtext("epp:trID/epp:clTRID", None, N),
        sv_trid=response.findtext("epp:trID/epp:svTRID", None, N),
        msg_q=queue,
        data=_RES_DATA[data.tag](data, response) if data is not None and data.tag in _RES_DATA else None,
    )


def _check_data(el, _response) -> list[CheckResult]:
    results = []
    for cd in el:
        name = cd[0]  # domain:name, host:name or contact:id
        avail = name.get("avail") in ("1", "true")
        results.append(CheckResult(name.text, avail, cd[1].text if len(cd) > 1 else None))
    return results


def _created(el, _response) -> Created:
    # (name | id, crDate, exDate?) in all three object schemas
    return Created(el[0].text, _date(el[1].text), _date(el[2].text) if len(el) > 2 else None)


def _domain_info(el, response) -> DomainInfo:
    def text(name):
        return el.findtext(f"domain:{name}", None, N)

    return DomainInfo(
        name=text("name"), roid=text("roid"),
        statuses=_attrs(el, "domain:status", "s"),
        registrant=text("registrant"),
        contacts=[(c.get("type"), c.text) for c in el.findall("domain:contact", N)],
        ns=_texts(el, "domain:ns/domain:hostObj") + _texts(el, "domain:ns/domain:hostAttr/domain:hostName"),
        hosts=_texts(el, "domain:host"),
        cl_id=text("clID"), cr_id=text("crID"),
        cr_date=_date(text("crDate")), up_date=_date(text("upDate")),
        ex_date=_date(text("exDate")), tr_date=_date(text("trDate")),
        auth_info=el.findtext("domain:authInfo/domain:pw", None, N),
        rgp_statuses=_attrs(response, "epp:extension/rgp:infData/rgp:rgpStatus", "s"),
    )


def _renewed(el, _response) -> Renewed:
    return Renewed(el.findtext("domain:name", None, N), _date(el.findtext("domain:exDate", None, N)))


def _transfer_data(el, _response) -> TransferData:
    def text(name):
        return el.findtext(f"domain:{name}", None, N)

    return TransferData(
        name=text("name"), tr_status=text("trStatus"),
        re_id=text("reID"), re_date=_date(text("reDate")),
        ac_id=text("acID"), ac_date=_date(text("acDate")), ex_date=_date(text("exDate")))


def _host_info(el, _response) -> HostInfo:
    return HostInfo(
        name=el.findtext("host:name", None, N), roid=el.findtext("host:roid", None, N),
        statuses=_attrs(el, "host:status", "s"), addrs=_texts(el, "host:addr"),
        cl_id=el.findtext("host:clID", None, N), cr_date=_date(el.findtext("host:crDate", None, N)))


def _postal_info(el) -> PostalInfo:
    def text(path):
        return el.findtext(f"contact:{path}", None, N)

    return PostalInfo(
        name=text("name"), city=text("addr/contact:city"), cc=text("addr/contact:cc"),
        street=tuple(_texts(el, "contact:addr/contact:street")), org=text("org"),
        sp=text("addr/contact:sp"), pc=text("addr/contact:pc"), type=el.get("type"))


def _contact_info(el, _response) -> ContactInfo:
    def text(name):
        return el.findtext(f"contact:{name}", None, N)

    return ContactInfo(
        id=text("id"), roid=text("roid"), statuses=_attrs(el, "contact:status", "s"),
        postal_info=[_postal_info(p) for p in el.findall("contact:postalInfo", N)],
        voice=text("voice"), fax=text("fax"), email=text("email"), cl_id=text("clID"),
        cr_date=_date(text("crDate")), up_date=_date(text("upDate")),
        auth_info=el.findtext("contact:authInfo/contact:pw", None, N))


_RES_DATA = {
    f"{{{ns.DOMAIN}}}chkData": _check_data,
    f"{{{ns.HOST}}}chkData": _check_data,
    f"{{{ns.CONTACT}}}chkData": _check_data,
    f"{{{ns.DOMAIN}}}creData": _created,
    f"{{{ns.HOST}}}creData": _created,
    f"{{{ns.CONTACT}}}creData": _created,
    f"{{{ns.DOMAIN}}}infData": _domain_info,
    f"{{{ns.HOST}}}infData": _host_info,
    f"{{{ns.CONTACT}}}infData": _contact_info,
    f"{{{ns.DOMAIN}}}renData": _renewed,
    f"{{{ns.DOMAIN}}}trnData": _transfer_data,
}
