"""Departments, tickets and their messages (replies and staff-only notes)."""

from __future__ import annotations

from flask_appbuilder import Model
from sqlalchemy import Boolean, CheckConstraint, Column, DateTime, ForeignKey, Integer, String, Text, func
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import relationship

from mpanel.core.tenancy import CustomerOwned, TenantScoped
from mpanel_support.constants import PRIORITIES, STATUSES, VISIBILITIES


def _one_of(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Department(TenantScoped, Model):
    __tablename__ = "support_departments"
    __table_args__ = (CheckConstraint(_one_of("visibility", VISIBILITIES), name="support_departments_visibility"),)

    id = Column(Integer, primary_key=True)
    name = Column(String(100), nullable=False)
    email = Column(String(320))
    visibility = Column(String(16), nullable=False, default="customers")
    auto_reply = Column(Text)

    def __str__(self):
        return self.name


class Ticket(CustomerOwned, Model):
    __tablename__ = "support_tickets"
    __table_args__ = (CheckConstraint(_one_of("status", STATUSES), name="support_tickets_status"),
                      CheckConstraint(_one_of("priority", PRIORITIES), name="support_tickets_priority"))

    id = Column(Integer, primary_key=True)
    department_id = Column(Integer, ForeignKey("support_departments.id", ondelete="RESTRICT"), nullable=False,
                           index=True)
    department = relationship(Department)
    subject = Column(String(200), nullable=False)
    status = Column(String(16), nullable=False, default="open", index=True)
    priority = Column(String(16), nullable=False, default="medium")
    assignee_id = Column(Integer, ForeignKey("ab_user.id", ondelete="SET NULL"))
    assignee = relationship("MPanelUser", foreign_keys=[assignee_id])
    tags = Column(ARRAY(String(50)), nullable=False, default=list)
    related = Column(String(100))  # "service:12", "domain:3", "invoice:7"
    created_at = Column(DateTime(timezone=True), nullable=False, server_default=func.now())
    updated_at = Column(DateTime(timezone=True), nullable=False, server_default=func.now(), onupdate=func.now())
    messages = relationship("TicketMessage", back_populates="ticket", order_by="TicketMessage.id")

    def __str__(self):
        return f"#{self.id} {self.subject}"

    def public_messages(self):
        return [m for m in self.messages if not m.internal]


class TicketMessage(TenantScoped, Model):
    """A reply (customer or staff) or, with ``internal``, a note customers never see."""

    __tablename__ = "support_messages"

    id = Column(Integer, primary_key=True)
    ticket_id = Column(Integer, ForeignKey("support_tickets.id", ondelete="CASCADE"), nullable=False, index=True)
    ticket = relationship(Ticket, back_populates="messages")
    author_id = Column(Integer, ForeignKey("ab_user.id", ondelete="SET NULL"))
    author = relationship("MPanelUser", foreign_keys=[author_id])
    from_staff = Column(Boolean, nullable=False, default=False)
    internal = Column(Boolean, nullable=False, default=False)
    body = Column(Text, nullable=False)  # plain text (shown escaped); no HTML bodies yet
    created_at = Column(DateTime(timezone=True), nullable=False, server_default=func.now())


class CannedReply(TenantScoped, Model):
    __tablename__ = "support_canned_replies"

    id = Column(Integer, primary_key=True)
    title = Column(String(100), nullable=False)
    body = Column(Text, nullable=False)

    def __str__(self):
        return self.title
