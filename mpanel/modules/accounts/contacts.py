"""A customer's logins: staff invite the customer (its owner contact, made on
the first invitation), and the owner invites further contacts with
permissions, changes or revokes them. Addresses already in use get the same
answer; the holder of the address is told instead."""

from __future__ import annotations

from sqlalchemy import func, select

from mpanel.core import audit
from mpanel.core.errors import FieldError
from mpanel.core.security.models import CONTACT_PERMISSIONS, MPanelUser
from mpanel.core.security.users import create_contact
from mpanel.modules.accounts import invitations
from mpanel.modules.accounts.signup import address_in_use, tell_known_address
from mpanel.modules.customers.models import Customer


def permissions_of(values) -> tuple[str, ...]:
    values = list(values or ())
    unknown = [v for v in values if v not in CONTACT_PERMISSIONS]
    if unknown or not all(isinstance(v, str) for v in values):
        raise FieldError("permissions", f"choose from {', '.join(CONTACT_PERMISSIONS)}")
    return tuple(p for p in CONTACT_PERMISSIONS if p in values)


def contacts_of(session, customer_id: int) -> list[MPanelUser]:
    return list(session.scalars(select(MPanelUser).where(MPanelUser.customer_id == customer_id)
                                .order_by(MPanelUser.contact_owner.desc(), MPanelUser.email)))


def owner_of(session, customer_id: int) -> MPanelUser | None:
    return session.scalar(select(MPanelUser).where(MPanelUser.customer_id == customer_id,
                                                   MPanelUser.contact_owner.is_(True)))


def invite_customer(session, customer: Customer, base_url: str, inviter: str, place: str) -> None:
    """Invite the customer's owner contact (made now if there is none), at the customer's address."""
    owner = owner_of(session, customer.id)
    if owner is None:
        taken = session.scalar(select(MPanelUser.id).where(func.lower(MPanelUser.username) == customer.email.lower()))
        if taken:
            tell_known_address(session, customer.email, base_url)
            return
        owner = create_contact(customer, customer.email.lower(), None, CONTACT_PERMISSIONS, owner=True)
        session.flush()
    invitations.send(session, owner, base_url, inviter, place)


def invite_contact(session, customer: Customer, email: str, first_name: str, last_name: str, permissions,
                   base_url: str, inviter: str, place: str) -> None:
    email = (email or "").strip().lower()
    if "@" not in email or len(email) > 320:
        raise FieldError("email", "enter an e-mail address")
    chosen = permissions_of(permissions)
    if address_in_use(session, email):
        tell_known_address(session, email, base_url)
        return
    user = create_contact(customer, email, None, chosen, first_name=first_name, last_name=last_name)
    session.flush()
    invitations.send(session, user, base_url, inviter, place)


def contact(session, customer_id: int, user_id: int) -> MPanelUser | None:
    return session.scalar(select(MPanelUser).where(MPanelUser.id == user_id, MPanelUser.customer_id == customer_id))


def change(session, user: MPanelUser, permissions) -> None:
    if user.contact_owner:
        raise FieldError("permissions", "the owner may do everything", status=409)
    user.contact_permissions = ",".join(permissions_of(permissions))
    audit.record(session, "contact_permissions_changed", "User", user.id, {"permissions": user.contact_permissions})


def revoke(session, user: MPanelUser) -> None:
    if user.contact_owner:
        raise FieldError("contact", "the owner's login cannot be revoked", status=409)
    audit.record(session, "contact_revoked", "User", user.id, {"email": user.email})
    session.delete(user)
