"""The sandbox registrar: the registry is a table of the tenant's own.

Names whose first label is in ``RESERVED`` (example, google, ...) count as
registered elsewhere; a transfer works with any code except one starting
with "bad". A name more than ``GRACE_DAYS`` past its expiry is in redemption:
it must be restored before it can be renewed. Writes join the caller's transaction.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import secrets

from mpanel_domains.constants import ACTIVE, EXPIRED, REDEMPTION
from mpanel_domains.registrar import (
    Availability,
    DomainNotFound,
    DomainState,
    InvalidAuthCode,
    NameTaken,
    Registrar,
    RegistrarError,
)
from sqlalchemy import select

from mpanel.extensions import db
from mpanel_registrar_demo.models import DemoContact, DemoRegistration

RESERVED = frozenset({"example", "google", "amazon", "taken"})
GRACE_DAYS = 30


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


class DemoRegistrar(Registrar):
    title = "Demo registrar (sandbox)"

    def _row(self, name: str) -> DemoRegistration | None:
        return db.session.scalar(select(DemoRegistration).where(DemoRegistration.name == name))

    def _own(self, name: str) -> DemoRegistration:
        row = self._row(name)
        if row is None:
            raise DomainNotFound(f"{name} is not registered in the sandbox")
        return row

    def _state(self, row: DemoRegistration) -> DomainState:
        today = dt.date.today()
        if row.expires_at >= today:
            status = ACTIVE
        else:
            status = EXPIRED if (today - row.expires_at).days <= GRACE_DAYS else REDEMPTION
        return DomainState(row.name, status, row.expires_at, tuple(row.nameservers), row.locked)

    def _taken(self, name: str) -> bool:
        return name.split(".")[0] in RESERVED or self._row(name) is not None

    def check(self, names):
        return [Availability(name, not self._taken(name), "In use" if self._taken(name) else None) for name in names]

    def info(self, name):
        if name.split(".")[0] in RESERVED:
            return DomainState(name, ACTIVE, ours=False)
        return self._state(self._own(name))

    def _create(self, name: str, years: int, nameservers=(), contacts=None) -> DomainState:
        row = DemoRegistration(name=name, expires_at=_add_years(dt.date.today(), years),
                               nameservers=list(nameservers), contacts=dict(contacts or {}),
                               auth_code=secrets.token_urlsafe(12))
        db.session.add(row)
        db.session.flush()
        return self._state(row)

    def register(self, name, years, nameservers, contacts):
        if self._taken(name):
            raise NameTaken(f"{name} is already registered")
        return self._create(name, years, nameservers, contacts)

    def transfer(self, name, auth_code, years=1):
        if auth_code.lower().startswith("bad") or self._row(name) is not None:
            raise InvalidAuthCode(f"the transfer code for {name} is not valid")
        return self._create(name, years)

    def renew(self, name, current_expiry, years):
        row = self._own(name)
        if self._state(row).status == REDEMPTION:
            raise RegistrarError(f"{name} is in redemption: restore it first")
        row.expires_at = _add_years(row.expires_at, years)
        return self._state(row)

    def restore(self, name):
        """Out of redemption; the sandbox lets a restored name run until today (renew it next)."""
        row = self._own(name)
        if self._state(row).status != REDEMPTION:
            raise RegistrarError(f"{name} is not in redemption")
        row.expires_at = dt.date.today()
        return self._state(row)

    def update_nameservers(self, name, nameservers):
        self._own(name).nameservers = list(nameservers)

    def save_contact(self, contact, handle=None):
        row = db.session.get(DemoContact, int(handle.removeprefix("DEMO-"))) if handle else None
        if row is None:
            row = DemoContact(data={})
            db.session.add(row)
        row.data = dataclasses.asdict(contact)
        db.session.flush()
        return row.handle

    def set_contacts(self, name, contacts):
        self._own(name).contacts = dict(contacts)

    def set_lock(self, name, locked):
        self._own(name).locked = locked

    def get_auth_code(self, name):
        return self._own(name).auth_code

    def set_id_protection(self, name, enabled):
        self._own(name).id_protection = enabled
