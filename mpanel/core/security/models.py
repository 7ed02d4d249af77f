"""Users (FAB's ``ab_user`` extended with tenant and customer), refresh tokens,
and the account-security tables (second factor, devices, sessions, API keys)."""

from flask_appbuilder import Model
from flask_appbuilder.security.sqla.models import User
from flask_babel import lazy_gettext as _l
from sqlalchemy import BigInteger, Boolean, Column, DateTime, ForeignKey, Integer, String, UniqueConstraint, func
from sqlalchemy.dialects.postgresql import ARRAY, CIDR

from mpanel.core.tenancy import TenantScoped

# What a customer contact may do in the client area besides seeing the account, with its
# label: "billing" is invoices, payments and orders; "services" the services (WHMCS's "products").
CONTACT_PERMISSIONS = {"billing": _l("Invoices"), "services": _l("Services"), "technical": _l("Technical"),
                       "domains": _l("Domains"), "support": _l("Support")}


class MPanelUser(TenantScoped, User):
    """Staff (tenant set), platform operators (no tenant) and customer contacts
    (tenant and customer set). Username and e-mail are unique per tenant."""

    __tablename__ = "ab_user"
    __table_args__ = {"extend_existing": True}
    tenant_optional = True

    customer_id = Column(Integer, ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    locale = Column(String(10))
    contact_permissions = Column(String(200), nullable=False, default="", server_default="")
    # False from a self-service sign-up (or an e-mail change) until the mailed link is opened.
    email_verified = Column(Boolean, nullable=False, default=True, server_default="true")
    pending_email = Column(String(320))  # a new address, until its mailed link is opened
    # The contact who manages the customer's other contacts (sign-up or first invitation).
    contact_owner = Column(Boolean, nullable=False, default=False, server_default="false")

    @property
    def is_operator(self) -> bool:
        return self.tenant_id is None

    @property
    def is_contact(self) -> bool:
        return self.customer_id is not None

    def may(self, permission: str) -> bool:
        """A contact's client-area permission (a key of CONTACT_PERMISSIONS); owners may all."""
        return self.contact_owner or permission in self.contact_permissions.split(",")


class RefreshToken(TenantScoped, Model):
    """Every issued JWT refresh token; a used or revoked one is refused."""

    __tablename__ = "refresh_tokens"
    tenant_optional = True

    jti = Column(String(64), primary_key=True)
    family = Column(String(64), nullable=False, index=True)
    user_id = Column(Integer, ForeignKey("ab_user.id", ondelete="CASCADE"), nullable=False, index=True)
    issued_at = Column(DateTime(timezone=True), nullable=False, server_default=func.now())
    expires_at = Column(DateTime(timezone=True), nullable=False)
    used_at = Column(DateTime(timezone=True))
    revoked_at = Column(DateTime(timezone=True))
    ip = Column(String(45))
    user_agent = Column(String(300))


class SecurityAccount(TenantScoped, Model):
    """Per-user security state: TOTP, failed sign-ins, and the cut-off before
    which issued access tokens are refused (password reset, sign out everywhere)."""

    __tablename__ = "security_accounts"
    tenant_optional = True
    audited = False

    user_id = Column(Integer, ForeignKey("ab_user.id", ondelete="CASCADE"), primary_key=True)
    totp_secret = Column(String(300))  # encrypted with mpanel.core.crypto
    totp_confirmed_at = Column(DateTime(timezone=True))
    totp_last_step = Column(BigInteger)  # a TOTP code is accepted once (RFC 6238 section 5.2)
    failed_logins = Column(Integer, nullable=False, default=0)
    locked_until = Column(DateTime(timezone=True))
    tokens_valid_after = Column(DateTime(timezone=True))

    @property
    def mfa_enabled(self) -> bool:
        return self.totp_confirmed_at is not None

    @classmethod
    def of(cls, session, user_id: int, create: bool = False):
        """The user's row; added (empty) when ``create`` and there is none yet."""
        account = session.get(cls, user_id)
        if account is None and create:
            account = cls(user_id=user_id, failed_logins=0)
            session.add(account)
        return account


class RecoveryCode(TenantScoped, Model):
    __tablename__ = "security_recovery_codes"
    tenant_optional = True
    audited = False

    id = Column(Integer, primary_key=True)
    user_id = Column(Integer, ForeignKey("ab_user.id", ondelete="CASCADE"), nullable=False, index=True)
    code_hash = Column(String(64), nullable=False)
    used_at = Column(DateTime(timezone=True))


class Device(TenantScoped, Model):
    """A browser (its device cookie) one user signed in with; ``trusted_until``
    skips the second factor there ("remember this device")."""

    __tablename__ = "security_devices"
    __table_args__ = (UniqueConstraint("user_id", "token_hash"),)
    tenant_optional = True
    audited = False

    id = Column(Integer, primary_key=True)
    user_id = Column(Integer, ForeignKey("ab_user.id", ondelete="CASCADE"), nullable=False, index=True)
    token_hash = Column(String(64), nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False, server_default=func.now())
    last_seen_at = Column(DateTime(timezone=True), nullable=False, server_default=func.now())
    ip = Column(String(45))
    user_agent = Column(String(300))
    trusted_until = Column(DateTime(timezone=True))
    revoked_at = Column(DateTime(timezone=True))


class OneTimeToken(TenantScoped, Model):
    """Short-lived single-use secrets: the second sign-in step ("mfa", "enrol")
    and password reset links ("reset"). Only a hash is stored."""

    __tablename__ = "security_tokens"
    tenant_optional = True
    audited = False

    id = Column(Integer, primary_key=True)
    user_id = Column(Integer, ForeignKey("ab_user.id", ondelete="CASCADE"), nullable=False, index=True)
    purpose = Column(String(16), nullable=False)
    token_hash = Column(String(64), nullable=False, unique=True)
    created_at = Column(DateTime(timezone=True), nullable=False, server_default=func.now())
    expires_at = Column(DateTime(timezone=True), nullable=False)
    used_at = Column(DateTime(timezone=True))
    attempts = Column(Integer, nullable=False, default=0)
    ip = Column(String(45))


class WebSession(TenantScoped, Model):
    """Server-side registry of signed-in browser sessions (the Flask session
    holds only a random id), for listing, revoking and timeouts."""

    __tablename__ = "web_sessions"
    tenant_optional = True
    audited = False

    id = Column(Integer, primary_key=True)
    user_id = Column(Integer, ForeignKey("ab_user.id", ondelete="CASCADE"), nullable=False, index=True)
    sid_hash = Column(String(64), nullable=False, unique=True)
    created_at = Column(DateTime(timezone=True), nullable=False, server_default=func.now())
    last_seen_at = Column(DateTime(timezone=True), nullable=False, server_default=func.now())
    ip = Column(String(45))
    user_agent = Column(String(300))
    revoked_at = Column(DateTime(timezone=True))


class ApiKey(TenantScoped, Model):
    """An integrator's key: ``mpk_`` + 256 random bits, stored as a SHA-256 hash.
    It acts as its user (staff, or a customer's contact), narrowed to its scopes."""

    __tablename__ = "api_keys"
    audited = False

    id = Column(Integer, primary_key=True)
    user_id = Column(Integer, ForeignKey("ab_user.id", ondelete="CASCADE"), nullable=False, index=True)
    customer_id = Column(Integer, ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    name = Column(String(100), nullable=False)
    prefix = Column(String(16), nullable=False)  # shown in lists, e.g. "mpk_Ab3dE9xQ"
    key_hash = Column(String(64), nullable=False, unique=True)
    scopes = Column(ARRAY(String(32)), nullable=False)
    allowed_ips = Column(ARRAY(CIDR), nullable=False, default=list)  # empty: any address
    created_at = Column(DateTime(timezone=True), nullable=False, server_default=func.now())
    expires_at = Column(DateTime(timezone=True))
    last_used_at = Column(DateTime(timezone=True))
    last_used_ip = Column(String(45))
    revoked_at = Column(DateTime(timezone=True))
