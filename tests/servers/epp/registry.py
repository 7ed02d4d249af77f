"""Registry state and command semantics of the test server.

Not thread-safe: the server serializes calls. Transfers complete at once
(serverApproved), so no transfer is ever pending.
"""

import copy
from collections import defaultdict, deque
from dataclasses import dataclass, field
from datetime import datetime
from itertools import count

from lxml import etree

from .messages import CONTACT, DOMAIN, EPP, HOST, PREFIXES, RGP, MessageQueue, child, element, now, timestamp

MAX_YEARS = 10
TRANSFER_BLOCKERS = {"clientTransferProhibited", "serverTransferProhibited", "pendingDelete"}
RENEW_BLOCKERS = {"clientRenewProhibited", "serverRenewProhibited"}
UPDATE_BLOCKERS = {"clientUpdateProhibited", "serverUpdateProhibited"}


class Fail(Exception):
    def __init__(self, code: int, msg: str | None = None):
        super().__init__(code, msg)
        self.code, self.msg = code, msg


@dataclass
class Reply:
    code: int = 1000
    msg: str | None = None
    res_data: etree._Element | None = None
    extension: etree._Element | None = None
    msg_q: MessageQueue | None = None


@dataclass
class Session:
    cl_id: str | None = None  # set by a successful login
    ext_uris: frozenset[str] = frozenset()


@dataclass
class Transfer:
    status: str
    re_id: str
    re_date: datetime
    ac_id: str
    ac_date: datetime
    ex_date: datetime


@dataclass
class Domain:
    name: str
    roid: str
    cl_id: str
    cr_date: datetime
    ex_date: datetime
    auth_info: str
    registrant: str | None = None
    contacts: list[tuple[str, str]] = field(default_factory=list)
    ns: list[str] = field(default_factory=list)
    statuses: set[str] = field(default_factory=set)
    up_date: datetime | None = None
    tr_date: datetime | None = None
    transfer: Transfer | None = None
    rgp_status: str | None = None


@dataclass
class Host:
    name: str
    roid: str
    cl_id: str
    cr_date: datetime
    addrs: list[tuple[str, str]]  # (v4 | v6, address)


@dataclass
class Contact:
    id: str
    roid: str
    cl_id: str
    cr_date: datetime
    postal_info: list[etree._Element]  # stored as sent, re-emitted in info
    voice: str | None
    fax: str | None
    email: str
    auth_info: str
    statuses: set[str] = field(default_factory=set)
    up_date: datetime | None = None


@dataclass
class PollMessage:
    id: str
    q_date: datetime
    text: str
    res_data: etree._Element


def add_years(moment: datetime, years: int) -> datetime:
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year + years, day=28)


# Lookups in the namespace of the object element; el may be None.
def _path(el, path: str) -> str:
    namespace = etree.QName(el).namespace
    return "/".join(f"{{{namespace}}}{step}" for step in path.split("/"))


def _text(el, path: str) -> str | None:
    return None if el is None else el.findtext(_path(el, path))


def _texts(el, path: str) -> list[str]:
    return [] if el is None else [c.text for c in el.findall(_path(el, path))]


def _contacts(el) -> list[tuple[str, str]]:
    """(type, id) of the domain:contact children; el may be None."""
    return [] if el is None else [(c.get("type"), c.text) for c in el.findall(_path(el, "contact"))]


def _statuses(el) -> set[str]:
    return set() if el is None else {c.get("s") for c in el.findall(_path(el, "status"))}


def _period_years(obj) -> int:
    period = obj.find(_path(obj, "period"))
    if period is None:
        return 1
    years = int(period.text)
    if period.get("unit") == "m":
        if years % 12:
            raise Fail(2306, "Period must be whole years")
        years //= 12
    if not 1 <= years <= MAX_YEARS:
        raise Fail(2306, f"Period must be 1 to {MAX_YEARS} years")
    return years


def _client_statuses(statuses: set[str]) -> set[str]:
    for status in statuses:
        if not status.startswith("client"):
            raise Fail(2306, f"Status {status} cannot be set by a registrar")
    return statuses


class Registry:
    def __init__(self):
        self.domains: dict[str, Domain] = {}
        self.hosts: dict[str, Host] = {}
        self.contacts: dict[str, Contact] = {}
        self.queues: dict[str, deque[PollMessage]] = defaultdict(deque)
        self._ids = count(1)

    def execute(self, session: Session, action: etree._Element) -> Reply:
        """Run one command (the element under <command>) for a logged-in session."""
        verb = etree.QName(action).localname
        try:
            if verb == "poll":
                return self._poll(session, action)
            obj = action[0]
            handler = getattr(self, f"_{PREFIXES[etree.QName(obj).namespace]}_{verb}", None)
            return handler(session, obj) if handler else Reply(2101)
        except Fail as exc:
            return Reply(exc.code, exc.msg)

    # -- test controls ----------------------------------------------------------

    def seed_domain(self, name: str, cl_id: str, auth_info: str, *, years: int = 1,
                    statuses=()) -> Domain:
        created = now()
        domain = Domain(name.lower(), self._roid("D"), cl_id, created, add_years(created, years),
                        auth_info, statuses=set(statuses))
        self.domains[domain.name] = domain
        return domain

    def set_rgp(self, name: str, status: str | None) -> None:
        self.domains[name.lower()].rgp_status = status

    # -- helpers ------------------------------------------------------------------

    def _roid(self, kind: str) -> str:
        return f"{kind}{next(self._ids)}-MPTEST"

    def _lookup(self, table: dict, key: str | None):
        if key not in table:
            raise Fail(2303, f"{key} does not exist")
        return table[key]

    def _sponsored(self, session: Session, table: dict, key: str | None):
        obj = self._lookup(table, key)
        if obj.cl_id != session.cl_id:
            raise Fail(2201, f"{key} is sponsored by another registrar")
        return obj

    def _readable(self, session: Session, table: dict, key: str | None, obj_el):
        """Sponsor, or anybody who knows the authInfo (RFC 5731/5733 info)."""
        obj = self._lookup(table, key)
        if obj.cl_id != session.cl_id and _text(obj_el, "authInfo/pw") != obj.auth_info:
            raise Fail(2201, f"{key} is sponsored by another registrar")
        return obj

    def _require(self, table: dict, keys) -> None:
        for key in keys:
            self._lookup(table, key)

    def _check(self, obj, key: str, table: dict, normalize=str) -> Reply:
        res = element(etree.QName(obj).namespace, "chkData")
        for name in _texts(obj, key):
            cd = child(res, "cd")
            taken = normalize(name) in table
            child(cd, key, name, avail=int(not taken))
            if taken:
                child(cd, "reason", "In use")
        return Reply(res_data=res)

    def _created(self, namespace: str, key: str, name: str, cr_date, ex_date=None) -> Reply:
        res = element(namespace, "creData")
        child(res, key, name)
        child(res, "crDate", timestamp(cr_date))
        if ex_date:
            child(res, "exDate", timestamp(ex_date))
        return Reply(res_data=res)

    def _enqueue(self, cl_id: str, text: str, res_data) -> None:
        self.queues[cl_id].append(PollMessage(str(next(self._ids)), now(), text, res_data))

    # -- domains --------------------------------------------------------------------

    def _domain_check(self, session, obj) -> Reply:
        return self._check(obj, "name", self.domains, str.lower)

    def _domain_create(self, session, obj) -> Reply:
        name = _text(obj, "name").lower()
        if name in self.domains:
            raise Fail(2302, f"{name} is already registered")
        years = _period_years(obj)
        nameservers = [h.lower() for h in _texts(obj, "ns/hostObj")]
        self._require(self.hosts, nameservers)
        registrant = _text(obj, "registrant")
        contacts = _contacts(obj)
        self._require(self.contacts, [registrant] if registrant else [])
        self._require(self.contacts, [contact_id for _, contact_id in contacts])
        created = now()
        domain = Domain(name, self._roid("D"), session.cl_id, created, add_years(created, years),
                        _text(obj, "authInfo/pw"), registrant, contacts, nameservers)
        self.domains[name] = domain
        return self._created(DOMAIN, "name", name, created, domain.ex_date)

    def _domain_info(self, session, obj) -> Reply:
        domain = self._readable(session, self.domains, _text(obj, "name").lower(), obj)
        res = element(DOMAIN, "infData")
        child(res, "name", domain.name)
        child(res, "roid", domain.roid)
        for status in sorted(domain.statuses) or ["ok"]:
            child(res, "status", s=status)
        if domain.registrant:
            child(res, "registrant", domain.registrant)
        for kind, contact_id in domain.contacts:
            child(res, "contact", contact_id, type=kind)
        if domain.ns:
            nameservers = child(res, "ns")
            for host in domain.ns:
                child(nameservers, "hostObj", host)
        child(res, "clID", domain.cl_id)
        child(res, "crDate", timestamp(domain.cr_date))
        if domain.up_date:
            child(res, "upDate", timestamp(domain.up_date))
        child(res, "exDate", timestamp(domain.ex_date))
        if domain.tr_date:
            child(res, "trDate", timestamp(domain.tr_date))
        if domain.cl_id == session.cl_id:
            child(child(res, "authInfo"), "pw", domain.auth_info)
        extension = None
        if domain.rgp_status and RGP in session.ext_uris:
            extension = element(RGP, "infData")
            child(extension, "rgpStatus", s=domain.rgp_status)
        return Reply(res_data=res, extension=extension)

    def _domain_renew(self, session, obj) -> Reply:
        domain = self._sponsored(session, self.domains, _text(obj, "name").lower())
        if domain.rgp_status == "redemptionPeriod":
            raise Fail(2304, "The domain is in its redemption period: restore it first")
        if domain.statuses & RENEW_BLOCKERS:
            raise Fail(2304)
        if _text(obj, "curExpDate") != domain.ex_date.date().isoformat():
            raise Fail(2306, "curExpDate does not match the current expiry date")
        expires = add_years(domain.ex_date, _period_years(obj))
        if expires > add_years(now(), MAX_YEARS):
            raise Fail(2306, f"Registrations cannot exceed {MAX_YEARS} years")
        domain.ex_date = expires
        res = element(DOMAIN, "renData")
        child(res, "name", domain.name)
        child(res, "exDate", timestamp(expires))
        return Reply(res_data=res)

    def _domain_transfer(self, session, obj) -> Reply:
        domain = self._lookup(self.domains, _text(obj, "name").lower())
        op = obj.getparent().get("op")
        if op == "query":
            involved = {domain.cl_id} | ({domain.transfer.re_id, domain.transfer.ac_id}
                                         if domain.transfer else set())
            if session.cl_id not in involved and _text(obj, "authInfo/pw") != domain.auth_info:
                raise Fail(2201)
            if domain.transfer is None:
                raise Fail(2301)
            return Reply(res_data=self._transfer_data(domain))
        if op != "request":
            raise Fail(2301)
        if domain.cl_id == session.cl_id:
            raise Fail(2106, "The domain is already yours")
        if domain.statuses & TRANSFER_BLOCKERS:
            raise Fail(2304, f"{domain.name} is locked against transfer")
        if _text(obj, "authInfo/pw") != domain.auth_info:
            raise Fail(2201, "Invalid authInfo")
        moment, loser = now(), domain.cl_id
        domain.ex_date = add_years(domain.ex_date, _period_years(obj))
        domain.cl_id, domain.tr_date, domain.up_date = session.cl_id, moment, moment
        domain.transfer = Transfer("serverApproved", session.cl_id, moment, loser, moment, domain.ex_date)
        self._enqueue(loser, f"Transfer of {domain.name} to {session.cl_id} completed",
                      self._transfer_data(domain))
        return Reply(res_data=self._transfer_data(domain))

    def _transfer_data(self, domain: Domain) -> etree._Element:
        transfer = domain.transfer
        res = element(DOMAIN, "trnData")
        child(res, "name", domain.name)
        child(res, "trStatus", transfer.status)
        child(res, "reID", transfer.re_id)
        child(res, "reDate", timestamp(transfer.re_date))
        child(res, "acID", transfer.ac_id)
        child(res, "acDate", timestamp(transfer.ac_date))
        child(res, "exDate", timestamp(transfer.ex_date))
        return res

    def _domain_update(self, session, obj) -> Reply:
        domain = self._sponsored(session, self.domains, _text(obj, "name").lower())
        command = obj.getparent().getparent()
        restore = command.find(f"{{{EPP}}}extension/{{{RGP}}}update/{{{RGP}}}restore")
        if restore is not None:
            return self._restore(session, domain, restore)
        add, rem, chg = (obj.find(_path(obj, tag)) for tag in ("add", "rem", "chg"))
        add_statuses, rem_statuses = _client_statuses(_statuses(add)), _client_statuses(_statuses(rem))
        if (domain.statuses - rem_statuses) & UPDATE_BLOCKERS:
            raise Fail(2304)
        add_ns = [h.lower() for h in _texts(add, "ns/hostObj")]
        rem_ns = {h.lower() for h in _texts(rem, "ns/hostObj")}
        self._require(self.hosts, add_ns)
        add_contacts, rem_contacts = _contacts(add), set(_contacts(rem))
        self._require(self.contacts, [contact_id for _, contact_id in add_contacts])
        registrant = _text(chg, "registrant")
        if registrant:
            self._lookup(self.contacts, registrant)
        domain.ns = [h for h in domain.ns if h not in rem_ns] + [h for h in add_ns if h not in domain.ns]
        domain.contacts = [c for c in domain.contacts if c not in rem_contacts] + [
            c for c in add_contacts if c not in domain.contacts]
        domain.statuses = (domain.statuses - rem_statuses) | add_statuses
        if registrant is not None:
            domain.registrant = registrant or None  # an empty element removes it
        domain.auth_info = _text(chg, "authInfo/pw") or domain.auth_info
        domain.up_date = now()
        return Reply()

    def _restore(self, session, domain: Domain, restore) -> Reply:
        """RFC 3915 restore request. This registry needs no restore report: the
        name leaves redemption at once, its expiry unchanged (renew it next)."""
        if RGP not in session.ext_uris:
            raise Fail(2103, "The rgp-1.0 extension was not announced at login")
        if restore.get("op") != "request":
            raise Fail(2306, "Only restore requests are supported")
        if domain.rgp_status != "redemptionPeriod":
            raise Fail(2304, "The domain is not in its redemption period")
        domain.rgp_status = None
        domain.up_date = now()
        return Reply()

    # -- hosts ----------------------------------------------------------------------

    def _host_check(self, session, obj) -> Reply:
        return self._check(obj, "name", self.hosts, str.lower)

    def _host_create(self, session, obj) -> Reply:
        name = _text(obj, "name").lower()
        if name in self.hosts:
            raise Fail(2302, f"{name} already exists")
        addrs = [(a.get("ip", "v4"), a.text) for a in obj.findall(_path(obj, "addr"))]
        host = Host(name, self._roid("H"), session.cl_id, now(), addrs)
        self.hosts[name] = host
        return self._created(HOST, "name", name, host.cr_date)

    def _host_info(self, session, obj) -> Reply:
        # Host data is public (RFC 5732 has no authInfo for hosts).
        host = self._lookup(self.hosts, _text(obj, "name").lower())
        linked = any(host.name in domain.ns for domain in self.domains.values())
        res = element(HOST, "infData")
        child(res, "name", host.name)
        child(res, "roid", host.roid)
        child(res, "status", s="linked" if linked else "ok")
        for ip, addr in host.addrs:
            child(res, "addr", addr, ip=ip)
        child(res, "clID", host.cl_id)
        child(res, "crID", host.cl_id)
        child(res, "crDate", timestamp(host.cr_date))
        return Reply(res_data=res)

    # -- contacts -------------------------------------------------------------------

    def _contact_check(self, session, obj) -> Reply:
        return self._check(obj, "id", self.contacts)

    def _contact_create(self, session, obj) -> Reply:
        contact_id = _text(obj, "id")
        if contact_id in self.contacts:
            raise Fail(2302, f"{contact_id} already exists")
        contact = Contact(
            contact_id, self._roid("C"), session.cl_id, now(),
            [copy.deepcopy(p) for p in obj.findall(_path(obj, "postalInfo"))],
            _text(obj, "voice"), _text(obj, "fax"), _text(obj, "email"), _text(obj, "authInfo/pw"))
        self.contacts[contact_id] = contact
        return self._created(CONTACT, "id", contact_id, contact.cr_date)

    def _contact_info(self, session, obj) -> Reply:
        contact = self._readable(session, self.contacts, _text(obj, "id"), obj)
        res = element(CONTACT, "infData")
        child(res, "id", contact.id)
        child(res, "roid", contact.roid)
        for status in sorted(contact.statuses) or ["ok"]:
            child(res, "status", s=status)
        res.extend(copy.deepcopy(p) for p in contact.postal_info)
        for tag in ("voice", "fax"):
            if getattr(contact, tag):
                child(res, tag, getattr(contact, tag))
        child(res, "email", contact.email)
        child(res, "clID", contact.cl_id)
        child(res, "crID", contact.cl_id)
        child(res, "crDate", timestamp(contact.cr_date))
        if contact.up_date:
            child(res, "upDate", timestamp(contact.up_date))
        if contact.cl_id == session.cl_id:
            child(child(res, "authInfo"), "pw", contact.auth_info)
        return Reply(res_data=res)

    def _contact_update(self, session, obj) -> Reply:
        contact = self._sponsored(session, self.contacts, _text(obj, "id"))
        add, rem, chg = (obj.find(_path(obj, tag)) for tag in ("add", "rem", "chg"))
        add_statuses, rem_statuses = _client_statuses(_statuses(add)), _client_statuses(_statuses(rem))
        if (contact.statuses - rem_statuses) & UPDATE_BLOCKERS:
            raise Fail(2304)
        contact.statuses = (contact.statuses - rem_statuses) | add_statuses
        for new in [] if chg is None else chg.findall(_path(chg, "postalInfo")):
            self._merge_postal_info(contact, new)
        contact.voice = _text(chg, "voice") or contact.voice
        contact.fax = _text(chg, "fax") or contact.fax
        contact.email = _text(chg, "email") or contact.email
        contact.auth_info = _text(chg, "authInfo/pw") or contact.auth_info
        contact.up_date = now()
        return Reply()

    @staticmethod
    def _merge_postal_info(contact: Contact, new: etree._Element) -> None:
        """Replace the parts given in a chg postalInfo, keeping schema order."""
        old = next((p for p in contact.postal_info if p.get("type") == new.get("type")), None)
        parts = {etree.QName(c).localname: c for c in ([] if old is None else old)}
        parts.update((etree.QName(c).localname, c) for c in new)
        merged = element(CONTACT, "postalInfo", type=new.get("type"))
        merged.extend(copy.deepcopy(parts[tag]) for tag in ("name", "org", "addr") if tag in parts)
        contact.postal_info = [p for p in contact.postal_info if p is not old] + [merged]

    # -- poll -----------------------------------------------------------------------

    def _poll(self, session, action) -> Reply:
        queue = self.queues[session.cl_id]
        if action.get("op") == "req":
            if not queue:
                return Reply(1300)
            head = queue[0]
            return Reply(1301, res_data=head.res_data,
                         msg_q=MessageQueue(len(queue), head.id, head.q_date, head.text))
        msg_id = action.get("msgID")
        if not queue or queue[0].id != msg_id:
            raise Fail(2303, f"No message {msg_id} to acknowledge")
        queue.popleft()
        return Reply(msg_q=MessageQueue(len(queue), msg_id))
