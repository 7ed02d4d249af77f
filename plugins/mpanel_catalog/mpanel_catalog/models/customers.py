"""Customer groups with a discount; the kernel's customers are not altered."""

from flask_appbuilder import Model
from sqlalchemy import CheckConstraint, Column, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint, select
from sqlalchemy.orm import relationship

from mpanel.core.tenancy import CustomerOwned, TenantScoped


class CustomerGroup(TenantScoped, Model):
    __tablename__ = "catalog_customer_groups"
    __table_args__ = (
        CheckConstraint("discount_percent >= 0 AND discount_percent <= 100", name="ck_catalog_customer_groups_pct"),
    )

    id = Column(Integer, primary_key=True)
    name = Column(String(200), nullable=False)
    description = Column(Text)
    discount_percent = Column(Numeric(7, 4), nullable=False, default=0)

    members = relationship("CustomerGroupMember", back_populates="group", cascade="all, delete-orphan",
                           passive_deletes=True)

    @classmethod
    def of(cls, session, customer_id: int | None):
        """The customer's group, or None."""
        if customer_id is None:
            return None
        member = CustomerGroupMember
        return session.scalar(select(cls).join(member).where(member.customer_id == customer_id))

    def __repr__(self) -> str:
        return self.name


class CustomerGroupMember(CustomerOwned, Model):
    """A customer's group (at most one); a contact sees only its own row."""

    __tablename__ = "catalog_customer_group_members"
    __table_args__ = (UniqueConstraint("customer_id", name="uq_catalog_customer_group_members_customer"),)

    id = Column(Integer, primary_key=True)
    group_id = Column(Integer, ForeignKey("catalog_customer_groups.id", ondelete="CASCADE"), nullable=False,
                      index=True)

    group = relationship("CustomerGroup", back_populates="members")
    customer = relationship("Customer")

    def __repr__(self) -> str:
        return f"{self.customer} in {self.group}"
