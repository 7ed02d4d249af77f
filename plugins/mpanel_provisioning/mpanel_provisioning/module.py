"""The provisioning module contract: what a control panel (cPanel/WHM, Plesk, Proxmox, ...)
offers MPanel. A module is a class registered under the entry point group
``mpanel.provisioning_modules``; it is built with one server's connection details
(:class:`Connection`) and called by the action runner after commit, never inside a
billing transaction.

Every method must be safe to call again after a lost answer: ``create`` checks the
panel for an account of that username and adopts it if it exists; suspending a
suspended account, or removing a removed one, succeeds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib.metadata import entry_points

from mpanel.core.settings import Setting

GROUP = "mpanel.provisioning_modules"


class ProvisioningError(Exception):
    """The panel refused or failed the call. ``retryable``: trying later may help
    (connection refused, timeout, 5xx); else staff must look (bad package, bad token)."""

    def __init__(self, message: str, retryable: bool = False):
        super().__init__(message)
        self.retryable = retryable


@dataclass(frozen=True)
class Connection:
    host: str
    port: int
    username: str
    secret: str  # API token (preferred) or password, decrypted for this call only
    verify_tls: bool = True
    secure: bool = True  # https; a local test server speaks http
    timeout: float = 20.0


@dataclass
class AccountRequest:
    username: str
    password: str
    domain: str
    email: str
    settings: dict = field(default_factory=dict)  # the product's typed settings (package, template, ...)


@dataclass
class AccountResult:
    username: str
    adopted: bool = False  # the account existed already (an earlier attempt created it)
    message: str = ""
    details: dict = field(default_factory=dict)  # shown to staff (IP, node, VM id ...)


class ProvisioningModule:
    """Base class of a module; subclasses implement every method."""

    name = ""  # the entry point name, stored on the product
    title = ""
    default_port = 443
    username_max_length = 16
    product_settings: dict[str, Setting] = {}  # typed settings a product using the module fills in

    def __init__(self, connection: Connection):
        self.connection = connection

    def create(self, request: AccountRequest) -> AccountResult:
        raise NotImplementedError

    def suspend(self, username: str, reason: str) -> None:
        raise NotImplementedError

    def unsuspend(self, username: str) -> None:
        raise NotImplementedError

    def terminate(self, username: str) -> None:
        raise NotImplementedError

    def change_package(self, username: str, settings: dict) -> None:
        raise NotImplementedError

    def change_password(self, username: str, password: str) -> None:
        raise NotImplementedError

    def usage(self, username: str) -> dict:
        """What the panel reports: ``{"disk_mb": ..., "disk_limit_mb": ..., "bandwidth_mb": ...}``."""
        raise NotImplementedError

    def sso_url(self, username: str) -> str:
        """A one-time URL that logs the customer into the panel."""
        raise NotImplementedError

    def test_connection(self) -> str:
        """A short description of what answered; raises ProvisioningError if nothing did."""
        raise NotImplementedError

    @classmethod
    def parse_settings(cls, raw: dict) -> dict:
        """The product's settings typed by :attr:`product_settings`; ValueError names the key."""
        values = {}
        for key, setting in cls.product_settings.items():
            try:
                values[key] = setting.parse(raw.get(key, setting.default))
            except ValueError as exc:
                raise ValueError(f"{key}: {exc}") from exc
        return values


def modules() -> dict[str, type[ProvisioningModule]]:
    """Installed modules: name -> class."""
    found = {}
    for ep in entry_points(group=GROUP):
        cls = ep.load()
        cls.name = ep.name
        found[ep.name] = cls
    return found


def get_module(name: str) -> type[ProvisioningModule]:
    found = modules().get(name)
    if found is None:
        raise ProvisioningError(f"no provisioning module {name!r} is installed")
    return found
