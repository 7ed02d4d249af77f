"""The registrar contract.

A registrar plugin sets ``registrar_class`` on its Plugin class to a subclass
of :class:`Registrar`. The domains plugin makes one instance per unit of work,
bound to the tenant in scope and its settings (``Plugin.tenant_settings``
overlaid with the stored ones), and closes it afterwards.

Names are always A-labels (``xn--mnchen-3ya.de``); statuses are the words in
:mod:`mpanel_domains.constants`. A failure raises a :class:`RegistrarError`
subclass so callers (action queue, billing, staff) can react to the reason.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import NoReturn


class RegistrarError(Exception):
    """A registrar refused or failed; ``str()`` is the reason shown to staff."""

    retryable = False  # worth trying the same request again later, unchanged

    def __init__(self, message: str, code: int | None = None):
        super().__init__(message)
        self.message, self.code = message, code


class NameTaken(RegistrarError):
    """The name is registered already (by anybody)."""


class InvalidAuthCode(RegistrarError):
    """The transfer (EPP) code is wrong, or this account may not act on the name."""


class RegistryUnavailable(RegistrarError):
    """The registry could not be reached or failed internally; try again later.

    For a change (register, renew, ...) the outcome may be unknown: check the
    name's state before trying again."""

    retryable = True


class InsufficientFunds(RegistrarError):
    """The tenant's account at the registrar cannot pay for the operation."""


class DomainNotFound(RegistrarError):
    """The registry does not know the name."""


class NotSupported(RegistrarError):
    """This registrar does not offer the operation."""


@dataclass(frozen=True)
class Availability:
    name: str
    available: bool
    reason: str | None = None


@dataclass(frozen=True)
class DomainState:
    """What the registry says about a name."""

    name: str
    status: str
    expires_at: date | None = None
    nameservers: tuple[str, ...] = ()
    locked: bool | None = None  # transfer lock; None when unknown
    ours: bool = True  # sponsored by this tenant's registrar account


@dataclass(frozen=True)
class ContactData:
    """A domain contact as registrars need it; ``phone`` is ``+CC.NUMBER``."""

    first_name: str
    last_name: str
    email: str
    phone: str
    street: tuple[str, ...]
    city: str
    postcode: str
    country: str  # ISO 3166-1 alpha-2
    company: str | None = None
    region: str | None = None


@dataclass(frozen=True)
class RegistryEvent:
    """A notice from the registry's message queue that changes a domain."""

    name: str
    kind: str  # "transferred_away"
    message: str = ""


class Registrar:
    """Base class of registrar integrations; subclasses override what they offer."""

    title = "Registrar"

    def __init__(self, name: str, settings: Mapping):
        self.name = name  # the plugin name, stored on each domain
        self.settings = dict(settings)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def close(self) -> None:
        """Release connections; the instance is not used afterwards."""

    def _unsupported(self, what: str) -> NoReturn:
        raise NotSupported(f"{self.title} cannot {what}")

    # -- reading ------------------------------------------------------------------

    def check(self, names: Sequence[str]) -> list[Availability]:
        """Availability of many names in one go, in the order given."""
        self._unsupported("check availability")

    def info(self, name: str) -> DomainState:
        """Status, expiry, name servers and lock. A name sponsored by another
        account is ``DomainState(name, TRANSFERRED_AWAY, ours=False)``."""
        self._unsupported("look up domains")

    def sync(self, names: Sequence[str]) -> dict[str, DomainState | RegistrarError]:
        """The state of many names for the periodic sync; a name whose lookup
        failed maps to the error. Bulk-capable registrars override this."""
        result: dict[str, DomainState | RegistrarError] = {}
        for name in names:
            try:
                result[name] = self.info(name)
            except RegistrarError as exc:
                result[name] = exc
        return result

    def poll(self) -> list[RegistryEvent]:
        """Read (and acknowledge) the registry's messages since the last poll."""
        return []

    def get_auth_code(self, name: str) -> str:
        """The current transfer (EPP) code of a name sponsored by this account."""
        self._unsupported("give out transfer codes")

    # -- changing -------------------------------------------------------------------

    def register(self, name: str, years: int, nameservers: Sequence[str],
                 contacts: Mapping[str, str]) -> DomainState:
        """Register ``name``; ``contacts`` maps a role (registrant, admin, tech,
        billing) to a handle from :meth:`save_contact`."""
        self._unsupported("register domains")

    def transfer(self, name: str, auth_code: str, years: int = 1) -> DomainState:
        """Request a transfer in; status ACTIVE when it completed, else PENDING_TRANSFER."""
        self._unsupported("transfer domains")

    def renew(self, name: str, current_expiry: date, years: int) -> DomainState:
        """Extend the registration by ``years`` from ``current_expiry`` (the registry's)."""
        self._unsupported("renew domains")

    def restore(self, name: str) -> DomainState:
        """Restore a name from the redemption period (RFC 3915 restore request).
        Registries differ in whether the expiry moves; the action queue renews
        afterwards when it is still before the date paid for."""
        self._unsupported("restore domains")

    def update_nameservers(self, name: str, nameservers: Sequence[str]) -> None:
        """Replace the name servers."""
        self._unsupported("change name servers")

    def save_contact(self, contact: ContactData, handle: str | None = None) -> str:
        """Create a contact (no handle) or update it; returns its handle."""
        self._unsupported("keep contacts")

    def set_contacts(self, name: str, contacts: Mapping[str, str]) -> None:
        """Point a domain's roles at these contact handles."""
        self._unsupported("change domain contacts")

    def set_lock(self, name: str, locked: bool) -> None:
        """Turn the transfer lock on or off."""
        self._unsupported("lock domains")

    def set_id_protection(self, name: str, enabled: bool) -> None:
        """Hide (or show again) the contacts' personal data in public WHOIS/RDAP."""
        self._unsupported("protect contact data")
