"""Domains of customers, their contacts, the registrar action queue and sent notices."""

from __future__ import annotations

from flask_appbuilder import Model
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import relationship

from mpanel.core import crypto
from mpanel.core.tenancy import CustomerOwned, TenantScoped
from mpanel_domains.constants import (
    ACTION_STATES,
    ACTIONS,
    CLOSED,
    CONTACT_ROLES,
    PENDING_REGISTRATION,
    QUEUED,
    STATUSES,
)
from mpanel_domains.names import check_nameservers, to_unicode


def _one_of(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _mask(value: str | None, keep: int) -> str:
    return "" if not value else value[:keep] + "•" * max(len(value) - keep, 3)


class DomainContact(CustomerOwned, Model):
    """A registrant/admin/tech/billing contact; ``registry_handles`` maps a
    registrar plugin to the contact's handle there."""

    __tablename__ = "domains_contacts"

    id = Column(Integer, primary_key=True)
    first_name = Column(String(100), nullable=False)
    last_name = Column(String(100), nullable=False)
    company = Column(String(200))
    email = Column(String(320), nullable=False)
    phone = Column(String(20), nullable=False)  # +CC.NUMBER
    address1 = Column(String(200), nullable=False)
    address2 = Column(String(200))
    city = Column(String(100), nullable=False)
    postcode = Column(String(16), nullable=False)
    region = Column(String(100))
    country = Column(String(2), nullable=False)
    registry_handles = Column(JSONB, nullable=False, default=dict)
    created_at = Column(DateTime(timezone=True), nullable=False, server_default=func.now())

    customer = relationship("Customer")

    @property
    def email_masked(self) -> str:
        """``j•••@example.com``: what staff lists show (GDPR: data minimisation)."""
        local, _, host = (self.email or "").partition("@")
        return f"{_mask(local, 1)}@{host}" if host else _mask(local, 1)

    @property
    def phone_masked(self) -> str:
        phone = self.phone or ""
        return _mask(phone[:-2], 4) + phone[-2:] if len(phone) > 6 else _mask(phone, 0)

    def __repr__(self) -> str:
        return f"{self.company or self.first_name + ' ' + self.last_name} <{self.email_masked}>"


class Domain(CustomerOwned, Model):
    __tablename__ = "domains_domains"
    __table_args__ = (
        # One live record per name; closed ones stay for the history.
        Index("uq_domains_domains_live_name", "tenant_id", "name", unique=True,
              postgresql_where=text(f"NOT ({_one_of('status', CLOSED)})")),
        CheckConstraint(_one_of("status", STATUSES), name="ck_domains_domains_status"),
    )

    id = Column(Integer, primary_key=True)
    name = Column(String(253), nullable=False, index=True)  # A-label
    tld = Column(String(63), nullable=False)
    registrar = Column(String(64), nullable=False)  # the registrar plugin's name
    status = Column(String(24), nullable=False, default=PENDING_REGISTRATION)
    registered_at = Column(Date)
    expires_at = Column(Date, index=True)
    auto_renew = Column(Boolean, nullable=False, default=True)
    registrar_lock = Column(Boolean, nullable=False, default=True)
    id_protection = Column(Boolean, nullable=False, default=False)
    dns_management = Column(Boolean, nullable=False, default=False)
    nameservers = Column(ARRAY(String(253)), nullable=False, default=list)
    # The EPP code, encrypted; the attribute is named "secret" so the audit log never copies it.
    secret = Column("auth_code", Text)
    registrant_id = Column(Integer, ForeignKey("domains_contacts.id", ondelete="RESTRICT"), index=True)
    admin_id = Column(Integer, ForeignKey("domains_contacts.id", ondelete="RESTRICT"), index=True)
    tech_id = Column(Integer, ForeignKey("domains_contacts.id", ondelete="RESTRICT"), index=True)
    billing_id = Column(Integer, ForeignKey("domains_contacts.id", ondelete="RESTRICT"), index=True)
    last_synced_at = Column(DateTime(timezone=True))
    sync_error = Column(Text)
    created_at = Column(DateTime(timezone=True), nullable=False, server_default=func.now())

    customer = relationship("Customer")
    registrant = relationship(DomainContact, foreign_keys=[registrant_id])
    admin = relationship(DomainContact, foreign_keys=[admin_id])
    tech = relationship(DomainContact, foreign_keys=[tech_id])
    billing = relationship(DomainContact, foreign_keys=[billing_id])

    @property
    def display_name(self) -> str:
        """The U-label (münchen.de) for people; ``name`` holds the A-label."""
        return to_unicode(self.name)

    @property
    def auth_code(self) -> str | None:
        return crypto.decrypt(self.secret) if self.secret else None

    @auth_code.setter
    def auth_code(self, value: str | None) -> None:
        self.secret = crypto.encrypt(value) if value else None

    @property
    def nameserver_text(self) -> str:
        """Name servers one per line (the admin form's field)."""
        return "\n".join(to_unicode(host) for host in self.nameservers or ())

    @nameserver_text.setter
    def nameserver_text(self, value: str) -> None:
        self.nameservers = check_nameservers(value or "")

    def contact_ids(self) -> dict[str, int | None]:
        """Role -> contact id (the REST answer; no extra queries)."""
        return {role: getattr(self, f"{role}_id") for role in CONTACT_ROLES}

    def contacts(self) -> dict[str, DomainContact]:
        """Role -> contact, for the roles that have one."""
        return {role: getattr(self, role) for role in CONTACT_ROLES if getattr(self, role) is not None}

    def __repr__(self) -> str:
        return self.display_name


class DomainAction(CustomerOwned, Model):
    """One registrar call to make (or made) for a domain, run from the outbox with retries."""

    __tablename__ = "domains_actions"
    __table_args__ = (
        CheckConstraint(_one_of("action", ACTIONS), name="ck_domains_actions_action"),
        CheckConstraint(_one_of("status", ACTION_STATES), name="ck_domains_actions_status"),
        # A caller's idempotency key (e.g. billing's "invoice 42 line 3").
        Index("uq_domains_actions_reference", "tenant_id", "reference", unique=True,
              postgresql_where=text("reference IS NOT NULL")),
    )

    id = Column(Integer, primary_key=True)
    domain_id = Column(Integer, ForeignKey("domains_domains.id", ondelete="CASCADE"), nullable=False, index=True)
    action = Column(String(24), nullable=False)
    params = Column(JSONB, nullable=False, default=dict)
    status = Column(String(16), nullable=False, default=QUEUED, index=True)
    attempts = Column(Integer, nullable=False, default=0)
    last_error = Column(Text)
    reference = Column(String(200))
    resolved_by = Column(String(320))
    created_at = Column(DateTime(timezone=True), nullable=False, server_default=func.now())
    updated_at = Column(DateTime(timezone=True), nullable=False, server_default=func.now(), onupdate=func.now())
    finished_at = Column(DateTime(timezone=True))

    domain = relationship(Domain, backref="actions")

    def __repr__(self) -> str:
        return f"{self.action} {self.domain} ({self.status})"


class DomainNotice(TenantScoped, Model):
    """A renewal or expiry notice sent once per domain, kind and expiry date."""

    __tablename__ = "domains_notices"
    __table_args__ = (UniqueConstraint("domain_id", "kind", "expires_at", name="uq_domains_notices_once"),)
    audited = False

    id = Column(Integer, primary_key=True)
    domain_id = Column(Integer, ForeignKey("domains_domains.id", ondelete="CASCADE"), nullable=False, index=True)
    kind = Column(String(32), nullable=False)  # renewal_due, expiring_30, ..., expired
    expires_at = Column(Date, nullable=False)
    sent_at = Column(DateTime(timezone=True), nullable=False, server_default=func.now())


class DomainRenewal(CustomerOwned, Model):
    """A renewal (or restore from redemption) billed for a domain: at most one not
    cancelled per domain, expiry date and kind, so a repeated or concurrent renewal
    run never bills twice, while a cancelled one (auto-renew turned off, then on
    again) may be billed anew. ``invoice_id`` is billing's invoice; ``action_id``
    the registrar action queued once it was paid."""

    __tablename__ = "domains_renewals"
    __table_args__ = (
        Index("uq_domains_renewals_once", "domain_id", "expires_at", "kind", unique=True,
              postgresql_where=text("cancelled_at IS NULL")),
        CheckConstraint("kind IN ('renew', 'restore')", name="ck_domains_renewals_kind"),
    )

    id = Column(Integer, primary_key=True)
    domain_id = Column(Integer, ForeignKey("domains_domains.id", ondelete="CASCADE"), nullable=False, index=True)
    expires_at = Column(Date, nullable=False)
    kind = Column(String(16), nullable=False, default="renew")
    years = Column(Integer, nullable=False, default=1)
    late = Column(String(16))  # the late fee billed: grace, redemption, or none
    invoice_id = Column(Integer, index=True)
    action_id = Column(Integer, ForeignKey("domains_actions.id", ondelete="SET NULL"), index=True)
    note = Column(Text)  # why nothing was invoiced, or what happened to it
    cancelled_at = Column(DateTime(timezone=True))  # its invoice was cancelled
    created_at = Column(DateTime(timezone=True), nullable=False, server_default=func.now())

    domain = relationship(Domain)
    action = relationship(DomainAction)

    def __repr__(self) -> str:
        return f"{self.kind} {self.domain} {self.expires_at}"
