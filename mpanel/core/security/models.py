"""Users (FAB's ``ab_user`` extended with tenant and customer) and refresh tokens."""

from flask_appbuilder import Model
from flask_appbuilder.security.sqla.models import User
from sqlalchemy import Column, DateTime, ForeignKey, Integer, String, func

from mpanel.core.tenancy import TenantScoped

# What a customer contact may do in the client area besides seeing the account.
CONTACT_PERMISSIONS = ("billing", "technical", "domains")


class MPanelUser(TenantScoped, User):
    """Staff (tenant set), platform operators (no tenant) and customer contacts
    (tenant and customer set). Username and e-mail are unique per tenant."""

    __tablename__ = "ab_user"
    __table_args__ = {"extend_existing": True}
    tenant_optional = True

    customer_id = Column(Integer, ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    locale = Column(String(10))
    contact_permissions = Column(String(200), nullable=False, default="", server_default="")

    @property
    def is_operator(self) -> bool:
        return self.tenant_id is None

    @property
    def is_contact(self) -> bool:
        return self.customer_id is not None

    def may(self, permission: str) -> bool:
        """A contact's client-area permission (billing, technical, domains)."""
        return permission in self.contact_permissions.split(",")


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
