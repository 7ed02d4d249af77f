"""Creating staff, operators and customer contacts (CLI, demo data, tests)."""

from __future__ import annotations

from mpanel.core.security.hashing import new_token
from mpanel.core.security.passwords import hash_password
from mpanel.core.security.roles import CUSTOMER, OPERATOR
from mpanel.core.tenancy import current_tenant_id
from mpanel.extensions import appbuilder


class UserError(ValueError):
    pass


def create_user(email: str, password: str, role: str, first_name: str = "", last_name: str = "",
                customer=None, locale: str | None = None, contact_permissions: str = ""):
    """Add a user to the tenant in scope (or the platform); the caller commits."""
    sm = appbuilder.sm
    role_obj = sm.find_role(role)
    if role_obj is None:
        raise UserError(f"role {role!r} does not exist: run `flask mpanel init` first")
    if (role == OPERATOR) != (current_tenant_id() is None) or (role == CUSTOMER) != (customer is not None):
        raise UserError("operators have no tenant, tenant staff need one, and only contacts are customers")
    if sm.find_user(username=email) is not None:
        raise UserError(f"a user {email!r} already exists here")
    user = sm.user_model(username=email, email=email, first_name=first_name or email.split("@")[0],
                         last_name=last_name or "-", active=True, roles=[role_obj],
                         customer_id=customer.id if customer is not None else None,
                         locale=locale, contact_permissions=contact_permissions)
    user.password = hash_password(password)
    sm.session.add(user)
    return user


def create_contact(customer, email: str, password: str | None,
                   permissions=("billing", "services", "technical", "domains"), owner: bool = False,
                   first_name: str = "", last_name: str = ""):
    """A login for ``customer``; ``password`` None: none yet (an invitation sets it)."""
    user = create_user(email, password or new_token(), CUSTOMER, first_name or customer.first_name,
                       last_name or customer.last_name, customer=customer, locale=customer.language,
                       contact_permissions=",".join(permissions))
    user.contact_owner = owner
    return user

