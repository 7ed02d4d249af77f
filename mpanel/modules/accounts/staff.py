"""A tenant's staff, for its Owners and Admins (the team page and REST): invite
staff with a role, change roles, deactivate and reactivate them. Only an Owner
grants or takes the Owner role (403), and the last active Owner stays one (409)."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from mpanel.core.errors import Conflict, FieldError
from mpanel.core.security import notify, sessions
from mpanel.core.security.hashing import new_token
from mpanel.core.security.models import MPanelUser
from mpanel.core.security.roles import TENANT_ROLES
from mpanel.core.security.users import create_user
from mpanel.modules.accounts import invitations
from mpanel.modules.accounts.signup import address_in_use, tell_known_address

MANAGERS = ("Owner", "Admin")


def roles_of(user) -> set[str]:
    return {role.name for role in user.roles}


def is_manager(user) -> bool:
    """An Owner or Admin of a tenant (not the operator, not a customer's contact)."""
    return user.tenant_id is not None and not user.customer_id and bool(roles_of(user) & set(MANAGERS))


def team_query():
    """The tenant's staff (its users without a customer)."""
    return select(MPanelUser).where(MPanelUser.customer_id.is_(None))


def member(session, user_id: int) -> MPanelUser | None:
    return session.scalar(team_query().where(MPanelUser.id == user_id))


def _active_owners(session, excluding: int) -> int:
    return sum(1 for u in session.scalars(team_query().where(MPanelUser.active.is_(True), MPanelUser.id != excluding))
               if "Owner" in roles_of(u))


def check_may_manage(me, target: MPanelUser | None, new_role: str | None = None, field: str = "role") -> None:
    """FieldError (403) unless ``me`` may change ``target`` (or grant ``new_role``)."""
    if "Owner" in roles_of(me):
        return
    if new_role == "Owner" or (target is not None and "Owner" in roles_of(target)):
        raise FieldError(field, _("Only an Owner can change an Owner or grant the Owner role."), status=403)


def _check_role(role) -> str:
    if role not in TENANT_ROLES:
        raise FieldError("role", _("Choose one of: %(roles)s", roles=", ".join(TENANT_ROLES)))
    return role


def invite(session, me, email: str, role: str, first_name: str, last_name: str, base_url: str, place: str,
           ip: str | None) -> None:
    """Invite ``email`` as staff with ``role``; an address in use gets the same answer
    (its holder is told instead). The caller commits."""
    role = _check_role(role)
    check_may_manage(me, None, role)
    email = email.strip().lower()
    if address_in_use(session, email):
        tell_known_address(session, email, base_url)
        return
    user = create_user(email, new_token(), role, first_name or "", last_name or "")
    session.flush()
    invitations.send(session, user, base_url, me.get_full_name(), place, ip)


def change_role(session, me, target: MPanelUser, role: str, find_role) -> None:
    """``find_role``: the security manager's lookup of a role by name."""
    role = _check_role(role)
    check_may_manage(me, target, role)
    if "Owner" in roles_of(target) and role != "Owner" and not _active_owners(session, target.id):
        raise Conflict("role", _("The tenant needs at least one active Owner."))
    target.roles = [find_role(role)]


def set_active(session, me, target: MPanelUser, active: bool) -> None:
    check_may_manage(me, target, field="active")
    if not active and "Owner" in roles_of(target) and not _active_owners(session, target.id):
        raise Conflict("active", _("The tenant needs at least one active Owner."))
    target.active = active
    if not active:
        sessions.revoke_all(session, target.id)
    notify.event(session, "staff_activated" if active else "staff_deactivated", target)
