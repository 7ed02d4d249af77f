"""Builders for EPP commands (RFC 5730-5733); each returns the serialized XML.

Child elements are emitted in the order the XSD sequences require.
"""

import ipaddress
from collections.abc import Iterable, Mapping
from datetime import date

from lxml import etree

from . import namespaces as ns
from .models import ContactData, PostalInfo

TRANSFER_LOCK = "clientTransferProhibited"


def _el(namespace: str, name: str, text=None, **attrib) -> etree._Element:
    """A detached element; object-level elements declare their own prefix."""
    nsmap = {ns.PREFIXES[namespace]: namespace} if namespace != ns.EPP else None
    el = etree.Element(f"{{{namespace}}}{name}", {k: str(v) for k, v in attrib.items()}, nsmap=nsmap)
    if text is not None:
        el.text = str(text)
    return el


def _child(parent: etree._Element, name: str, text=None, **attrib) -> etree._Element:
    """Append a child element in the parent's namespace."""
    el = etree.SubElement(parent, f"{{{etree.QName(parent).namespace}}}{name}",
                          {k: str(v) for k, v in attrib.items()})
    if text is not None:
        el.text = str(text)
    return el


def _serialize(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=False)


def _root() -> etree._Element:
    return etree.Element(f"{{{ns.EPP}}}epp", nsmap={None: ns.EPP})


def _command(verb: str, cltrid: str, *children: etree._Element, **attrib) -> bytes:
    root = _root()
    command = _child(root, "command")
    action = _child(command, verb, **attrib)
    action.extend(children)
    _child(command, "clTRID", cltrid)
    return _serialize(root)


def _period(parent: etree._Element, years: int) -> None:
    if not 1 <= years <= 99:  # schema limit; registries usually allow 1..10
        raise ValueError(f"period must be 1..99 years, got {years}")
    _child(parent, "period", years, unit="y")


def _auth_info(parent: etree._Element, password: str) -> None:
    _child(_child(parent, "authInfo"), "pw", password)


def _nameservers(parent: etree._Element, hosts: Iterable[str]) -> None:
    hosts = list(hosts)
    if hosts:
        ns_el = _child(parent, "ns")
        for host in hosts:
            _child(ns_el, "hostObj", host)


def _statuses(parent: etree._Element, statuses: Iterable[str]) -> None:
    for status in statuses:
        _child(parent, "status", s=status)


def hello() -> bytes:
    root = _root()
    _child(root, "hello")
    return _serialize(root)


def login(client_id: str, password: str, *, cltrid: str, new_password: str | None = None,
          obj_uris: Iterable[str] = ns.OBJECT_URIS, ext_uris: Iterable[str] = ()) -> bytes:
    options = _el(ns.EPP, "options")
    _child(options, "version", "1.0")
    _child(options, "lang", "en")
    svcs = _el(ns.EPP, "svcs")
    for uri in obj_uris:
        _child(svcs, "objURI", uri)
    ext_uris = list(ext_uris)
    if ext_uris:
        extension = _child(svcs, "svcExtension")
        for uri in ext_uris:
            _child(extension, "extURI", uri)
    credentials = [_el(ns.EPP, "clID", client_id), _el(ns.EPP, "pw", password)]
    if new_password:
        credentials.append(_el(ns.EPP, "newPW", new_password))
    return _command("login", cltrid, *credentials, options, svcs)


def logout(*, cltrid: str) -> bytes:
    return _command("logout", cltrid)


def poll_request(*, cltrid: str) -> bytes:
    return _command("poll", cltrid, op="req")


def poll_ack(msg_id: str, *, cltrid: str) -> bytes:
    return _command("poll", cltrid, op="ack", msgID=msg_id)


def _check(namespace: str, key: str, names: Iterable[str], cltrid: str) -> bytes:
    check = _el(namespace, "check")
    for name in names:
        _child(check, key, name)
    return _command("check", cltrid, check)


def domain_check(names: Iterable[str], *, cltrid: str) -> bytes:
    return _check(ns.DOMAIN, "name", names, cltrid)


def domain_info(name: str, *, cltrid: str, auth_info: str | None = None) -> bytes:
    info = _el(ns.DOMAIN, "info")
    _child(info, "name", name, hosts="all")
    if auth_info:
        _auth_info(info, auth_info)
    return _command("info", cltrid, info)


def domain_create(name: str, *, cltrid: str, auth_info: str, period: int = 1,
                  nameservers: Iterable[str] = (), registrant: str | None = None,
                  contacts: Mapping[str, str] | None = None) -> bytes:
    """contacts maps a contact type (admin, tech, billing) to a contact id."""
    create = _el(ns.DOMAIN, "create")
    _child(create, "name", name)
    _period(create, period)
    _nameservers(create, nameservers)
    if registrant:
        _child(create, "registrant", registrant)
    for kind, contact_id in (contacts or {}).items():
        _child(create, "contact", contact_id, type=kind)
    _auth_info(create, auth_info)
    return _command("create", cltrid, create)


def domain_renew(name: str, cur_exp_date: date, *, cltrid: str, period: int = 1) -> bytes:
    renew = _el(ns.DOMAIN, "renew")
    _child(renew, "name", name)
    _child(renew, "curExpDate", cur_exp_date.isoformat())
    _period(renew, period)
    return _command("renew", cltrid, renew)


def domain_transfer(name: str, op: str, *, cltrid: str, auth_info: str | None = None,
                    period: int | None = None) -> bytes:
    """op is one of request, query, approve, reject, cancel."""
    transfer = _el(ns.DOMAIN, "transfer")
    _child(transfer, "name", name)
    if period is not None:
        _period(transfer, period)
    if auth_info:
        _auth_info(transfer, auth_info)
    return _command("transfer", cltrid, transfer, op=op)


def domain_update(name: str, *, cltrid: str, add_ns: Iterable[str] = (), rem_ns: Iterable[str] = (),
                  add_statuses: Iterable[str] = (), rem_statuses: Iterable[str] = (),
                  add_contacts: Iterable[tuple[str, str]] = (), rem_contacts: Iterable[tuple[str, str]] = (),
                  registrant: str | None = None, auth_info: str | None = None) -> bytes:
    """Contacts are (type, contact id) pairs: ("admin", "mp-c1")."""
    update = _el(ns.DOMAIN, "update")
    _child(update, "name", name)
    for tag, hosts, contacts, statuses in (("add", list(add_ns), list(add_contacts), list(add_statuses)),
                                           ("rem", list(rem_ns), list(rem_contacts), list(rem_statuses))):
        if hosts or contacts or statuses:
            section = _child(update, tag)
            _nameservers(section, hosts)
            for kind, contact_id in contacts:
                _child(section, "contact", contact_id, type=kind)
            _statuses(section, statuses)
    if registrant or auth_info:
        chg = _child(update, "chg")
        if registrant:
            _child(chg, "registrant", registrant)
        if auth_info:
            _auth_info(chg, auth_info)
    if len(update) == 1:
        raise ValueError("domain update needs at least one change")
    return _command("update", cltrid, update)


def domain_restore(name: str, *, cltrid: str) -> bytes:
    """RFC 3915 restore request: a domain update without changes (an empty ``chg``)
    that carries ``<rgp:update><rgp:restore op="request"/></rgp:update>``."""
    root = _root()
    command = _child(root, "command")
    update = _el(ns.DOMAIN, "update")
    _child(update, "name", name)
    _child(update, "chg")
    _child(command, "update").append(update)
    rgp = _el(ns.RGP, "update")
    _child(rgp, "restore", op="request")
    _child(command, "extension").append(rgp)
    _child(command, "clTRID", cltrid)
    return _serialize(root)


def host_check(names: Iterable[str], *, cltrid: str) -> bytes:
    return _check(ns.HOST, "name", names, cltrid)


def host_create(name: str, *, cltrid: str, addrs: Iterable[str] = ()) -> bytes:
    create = _el(ns.HOST, "create")
    _child(create, "name", name)
    for addr in addrs:
        _child(create, "addr", addr, ip=f"v{ipaddress.ip_address(addr).version}")
    return _command("create", cltrid, create)


def host_info(name: str, *, cltrid: str) -> bytes:
    info = _el(ns.HOST, "info")
    _child(info, "name", name)
    return _command("info", cltrid, info)


def contact_check(ids: Iterable[str], *, cltrid: str) -> bytes:
    return _check(ns.CONTACT, "id", ids, cltrid)


def _postal_info(parent: etree._Element, info: PostalInfo) -> None:
    el = _child(parent, "postalInfo", type=info.type)
    _child(el, "name", info.name)
    if info.org:
        _child(el, "org", info.org)
    addr = _child(el, "addr")
    for line in info.street:
        _child(addr, "street", line)
    _child(addr, "city", info.city)
    if info.sp:
        _child(addr, "sp", info.sp)
    if info.pc:
        _child(addr, "pc", info.pc)
    _child(addr, "cc", info.cc)


def contact_create(contact: ContactData, *, cltrid: str) -> bytes:
    create = _el(ns.CONTACT, "create")
    _child(create, "id", contact.id)
    for info in contact.postal_info:
        _postal_info(create, info)
    if contact.voice:
        _child(create, "voice", contact.voice)
    if contact.fax:
        _child(create, "fax", contact.fax)
    _child(create, "email", contact.email)
    _auth_info(create, contact.auth_info)
    return _command("create", cltrid, create)


def contact_info(contact_id: str, *, cltrid: str, auth_info: str | None = None) -> bytes:
    info = _el(ns.CONTACT, "info")
    _child(info, "id", contact_id)
    if auth_info:
        _auth_info(info, auth_info)
    return _command("info", cltrid, info)


def _disclose(parent: etree._Element, flag: bool) -> None:
    """Disclose (flag True) or withhold every personal element, in both postal forms."""
    disclose = _child(parent, "disclose", flag=int(flag))
    for tag in ("name", "org", "addr"):
        for kind in ("int", "loc"):
            _child(disclose, tag, type=kind)
    for tag in ("voice", "fax", "email"):
        _child(disclose, tag)


def contact_update(contact_id: str, *, cltrid: str, postal_info: Iterable[PostalInfo] = (),
                   voice: str | None = None, email: str | None = None, auth_info: str | None = None,
                   add_statuses: Iterable[str] = (), rem_statuses: Iterable[str] = (),
                   disclose: bool | None = None) -> bytes:
    """disclose: True publishes the personal data, False withholds it, None leaves it."""
    update = _el(ns.CONTACT, "update")
    _child(update, "id", contact_id)
    for tag, statuses in (("add", list(add_statuses)), ("rem", list(rem_statuses))):
        if statuses:  # contact add/rem must hold at least one status
            _statuses(_child(update, tag), statuses)
    chg = _child(update, "chg")
    for info in postal_info:
        _postal_info(chg, info)
    if voice:
        _child(chg, "voice", voice)
    if email:
        _child(chg, "email", email)
    if auth_info:
        _auth_info(chg, auth_info)
    if disclose is not None:
        _disclose(chg, disclose)
    if not len(chg):
        update.remove(chg)
    if len(update) == 1:
        raise ValueError("contact update needs at least one change")
    return _command("update", cltrid, update)
