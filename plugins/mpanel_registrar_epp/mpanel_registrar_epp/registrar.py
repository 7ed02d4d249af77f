"""``EppRegistrar``: the domains plugin's Registrar contract over EPP.

One EPP session per instance, opened on first use with the tenant's settings
(the certificate and key are written to a private temporary folder only
while the TLS context loads them). EPP result codes become the contract's
typed errors; see :data:`ERRORS`.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import os
import secrets
import tempfile
from collections.abc import Sequence
from datetime import UTC, datetime

from mpanel_domains.constants import ACTIVE, EXPIRED, GRACE, PENDING_TRANSFER, REDEMPTION, TRANSFERRED_AWAY
from mpanel_domains.registrar import (
    Availability,
    ContactData,
    DomainNotFound,
    DomainState,
    InsufficientFunds,
    InvalidAuthCode,
    NameTaken,
    Registrar,
    RegistrarError,
    RegistryEvent,
    RegistryUnavailable,
)

from mpanel_registrar_epp import pem
from mpanel_registrar_epp.client import EppClient
from mpanel_registrar_epp.commands import TRANSFER_LOCK
from mpanel_registrar_epp.errors import (
    AuthorizationError,
    BillingFailure,
    CommandFailed,
    ConnectionLost,
    EppError,
    ObjectDoesNotExist,
    ObjectExists,
    ProtocolError,
)
from mpanel_registrar_epp.models import ContactData as EppContact
from mpanel_registrar_epp.models import DomainInfo, PostalInfo, TransferData

# EPP error -> contract error; anything else becomes a plain RegistrarError.
ERRORS = {
    ObjectExists: NameTaken,  # 2302
    AuthorizationError: InvalidAuthCode,  # 2201
    BillingFailure: InsufficientFunds,  # 2104
    ObjectDoesNotExist: DomainNotFound,  # 2303
    CommandFailed: RegistryUnavailable,  # 2400
    ConnectionLost: RegistryUnavailable,  # dropped, or 2500-2502
    ProtocolError: RegistryUnavailable,
}
CHECK_BATCH = 20  # names per <check>; registries cap it
MAX_POLL = 100  # messages read per sync
COMPLETED_TRANSFER = ("serverApproved", "clientApproved")


def _mapped(method):
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except EppError as exc:
            error = next((ERRORS[cls] for cls in type(exc).__mro__ if cls in ERRORS), RegistrarError)
            raise error(f"{exc}", exc.code) from exc

    return wrapper


def _write_private(folder: str, name: str, text: str) -> str:
    path = os.path.join(folder, name)
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as file:
        file.write(text)
    return path


def _new_secret(length: int = 16) -> str:
    """An authInfo/handle-safe random string with letters, digits and a symbol."""
    return secrets.token_urlsafe(length)[: length - 1] + "!"


def _day(moment: datetime | None):
    return moment.astimezone(UTC).date() if moment else None


def _status(info: DomainInfo) -> str:
    """The domains plugin's status word for what the registry reports (RFC 5731 + RFC 3915)."""
    rgp = set(info.rgp_statuses)
    if rgp & {"redemptionPeriod", "pendingRestore"}:
        return REDEMPTION
    if "autoRenewPeriod" in rgp:
        return GRACE
    if (info.ex_date and info.ex_date < datetime.now(UTC)) or "pendingDelete" in info.statuses:
        return EXPIRED
    return ACTIVE


def _postal(contact: ContactData) -> PostalInfo:
    fields = (contact.first_name, contact.last_name, contact.company or "", contact.city, *contact.street)
    return PostalInfo(
        name=f"{contact.first_name} {contact.last_name}", city=contact.city, cc=contact.country,
        street=tuple(contact.street[:3]), org=contact.company, sp=contact.region, pc=contact.postcode,
        type="int" if all(value.isascii() for value in fields) else "loc")


class EppRegistrar(Registrar):
    title = "EPP registry"

    def __init__(self, name, settings):
        super().__init__(name, settings)
        self._client: EppClient | None = None

    @property
    def client(self) -> EppClient:
        if self._client is None:
            self._client = self._connect()
        return self._client

    def _connect(self) -> EppClient:
        settings = self.settings
        missing = [key for key in ("host", "client_id", "password") if not settings.get(key)]
        if missing:
            raise RegistrarError(f"EPP registrar settings are incomplete: {', '.join(missing)}")
        try:
            port, timeout = int(settings.get("port") or 700), float(settings.get("timeout") or 30)
        except ValueError:
            raise RegistrarError("EPP registrar settings: port and timeout must be numbers") from None
        with tempfile.TemporaryDirectory(prefix="mpanel-epp-") as folder:  # mode 0700
            try:
                files = {key: _write_private(folder, f"{key}.pem", pem.normalise(settings[key]))
                         for key in ("certificate", "private_key", "ca_certificate") if settings.get(key)}
                return EppClient(settings["host"], port, settings["client_id"], settings["password"],
                                 cert_file=files.get("certificate"), key_file=files.get("private_key"),
                                 ca_file=files.get("ca_certificate"), timeout=timeout)
            except (OSError, ValueError) as exc:  # ssl.SSLError is an OSError
                raise RegistrarError(f"EPP client certificate, key or CA cannot be loaded: {exc}") from None

    def close(self):
        if self._client is not None:
            client, self._client = self._client, None
            try:
                client.logout()
            except (EppError, OSError):
                client.close()

    # -- reading ------------------------------------------------------------------

    @_mapped
    def check(self, names: Sequence[str]) -> list[Availability]:
        names, result = list(names), []
        for start in range(0, len(names), CHECK_BATCH):
            for item in self.client.domain_check(names[start:start + CHECK_BATCH]).data:
                result.append(Availability(item.name.lower(), item.avail, item.reason))
        return result

    def _info(self, name: str) -> DomainInfo:
        return self.client.domain_info(name).data

    @_mapped
    def info(self, name: str) -> DomainState:
        try:
            info = self._info(name)
        except AuthorizationError:  # sponsored by another registrar
            return DomainState(name, TRANSFERRED_AWAY, ours=False)
        if info.cl_id and info.cl_id != self.client.client_id:  # registries answer non-sponsors too
            return DomainState(name, TRANSFERRED_AWAY, ours=False)
        return DomainState(name, _status(info), _day(info.ex_date), tuple(h.lower() for h in info.ns),
                           TRANSFER_LOCK in info.statuses)

    @_mapped
    def get_auth_code(self, name: str) -> str:
        code = self._info(name).auth_info
        if not code:
            raise RegistrarError(f"the registry returned no transfer code for {name}")
        return code

    @_mapped
    def poll(self) -> list[RegistryEvent]:
        """Completed transfers away from this account; every message is acknowledged."""
        events = []
        for _ in range(MAX_POLL):
            response = self.client.poll_request()
            if response.msg_q is None or response.code == 1300:
                break
            data = response.data
            if (isinstance(data, TransferData) and data.ac_id == self.client.client_id
                    and data.re_id != self.client.client_id and data.tr_status in COMPLETED_TRANSFER):
                events.append(RegistryEvent(data.name.lower(), TRANSFERRED_AWAY, response.msg_q.msg or ""))
            self.client.poll_ack(response.msg_q.id)
        return events

    # -- changing -------------------------------------------------------------------

    def _ensure_hosts(self, hosts: Sequence[str]) -> None:
        """Host objects for name servers the registry does not know yet (no glue addresses)."""
        if hosts:
            for item in self.client.host_check(list(hosts)).data:
                if item.avail:
                    self.client.host_create(item.name)

    @_mapped
    def register(self, name, years, nameservers, contacts) -> DomainState:
        self._ensure_hosts(nameservers)
        created = self.client.domain_create(
            name, auth_info=_new_secret(), period=years, nameservers=nameservers,
            registrant=contacts.get("registrant"),
            contacts={role: handle for role, handle in contacts.items() if role != "registrant"}).data
        return DomainState(name, ACTIVE, _day(created.ex_date), tuple(nameservers))

    @_mapped
    def transfer(self, name, auth_code, years=1) -> DomainState:
        data = self.client.domain_transfer_request(name, auth_code, period=years).data
        if data.tr_status in COMPLETED_TRANSFER:
            return DomainState(name, ACTIVE, _day(data.ex_date))
        if data.tr_status == "pending":
            return DomainState(name, PENDING_TRANSFER, ours=False)
        raise RegistrarError(f"the transfer of {name} ended as {data.tr_status}")

    @_mapped
    def renew(self, name, current_expiry, years) -> DomainState:
        renewed = self.client.domain_renew(name, current_expiry, period=years).data
        return DomainState(name, ACTIVE, _day(renewed.ex_date))

    @_mapped
    def restore(self, name) -> DomainState:
        """RFC 3915 restore request; the registry's state afterwards (its expiry may not move)."""
        self.client.domain_restore(name)
        return self.info(name)

    @_mapped
    def update_nameservers(self, name, nameservers) -> None:
        current = [host.lower() for host in self._info(name).ns]
        add = [host for host in nameservers if host not in current]
        remove = [host for host in current if host not in nameservers]
        if add or remove:
            self._ensure_hosts(add)
            self.client.domain_update(name, add_ns=add, rem_ns=remove)

    @_mapped
    def save_contact(self, contact, handle=None) -> str:
        postal, voice = _postal(contact), contact.phone
        if handle:
            self.client.contact_update(handle, postal_info=[postal], voice=voice, email=contact.email)
            return handle
        handle = self._handle_for(contact)
        try:
            self.client.contact_create(EppContact(handle, (postal,), contact.email, _new_secret(), voice=voice))
        except ObjectExists:
            # Created by an earlier attempt whose result was lost or rolled back: reuse it.
            if self.client.contact_info(handle).data.cl_id != self.client.client_id:
                raise
            self.client.contact_update(handle, postal_info=[postal], voice=voice, email=contact.email)
        return handle

    def _handle_for(self, contact: ContactData) -> str:
        """The same handle for the same contact data of this account and tenant, so a
        registration that failed or was rolled back after creating it leaves no stray copy."""
        from mpanel.core.tenancy import current_tenant_id

        key = "\0".join([self.client.client_id, str(current_tenant_id()), *map(str, dataclasses.astuple(contact))])
        return "MP" + hashlib.sha256(key.encode()).hexdigest()[:12].upper()

    @_mapped
    def set_contacts(self, name, contacts) -> None:
        info = self._info(name)
        wanted = {(role, handle) for role, handle in contacts.items() if role != "registrant"}
        roles = {role for role, _handle in wanted}
        current = {(role, handle) for role, handle in info.contacts if role in roles}
        registrant = contacts.get("registrant")
        registrant = registrant if registrant and registrant != info.registrant else None
        if wanted - current or current - wanted or registrant:
            self.client.domain_update(name, add_contacts=sorted(wanted - current),
                                      rem_contacts=sorted(current - wanted), registrant=registrant)

    @_mapped
    def set_lock(self, name, locked) -> None:
        if (TRANSFER_LOCK in self._info(name).statuses) != locked:
            self.client.set_transfer_lock(name, locked)

    @_mapped
    def set_id_protection(self, name, enabled) -> None:
        """Withhold (or publish again) the personal data of every contact of the domain."""
        info = self._info(name)
        for handle in sorted({info.registrant, *(h for _role, h in info.contacts)} - {None}):
            self.client.contact_update(handle, disclose=not enabled)
