"""Mail texts a tenant wrote: one per mail kind and language, used instead of the
built-in template of that kind (mailing.py)."""

from flask_appbuilder import Model
from sqlalchemy import Column, Integer, String, Text, UniqueConstraint

from mpanel.core.tenancy import TenantScoped

MAIL_KINDS = ("invoice", "credit_note", "receipt", "reminder", "overdue", "late_fee")
ANY_LANGUAGE = ""


class MailTemplate(TenantScoped, Model):
    __tablename__ = "billing_mail_templates"
    __table_args__ = (UniqueConstraint("tenant_id", "kind", "language"),)

    id = Column(Integer, primary_key=True)
    kind = Column(String(32), nullable=False)
    language = Column(String(8), nullable=False, default=ANY_LANGUAGE)  # "" = every language without its own
    subject = Column(String(200), nullable=False)
    body = Column(Text, nullable=False)

    def __repr__(self) -> str:
        return f"{self.kind} ({self.language or '*'})"
