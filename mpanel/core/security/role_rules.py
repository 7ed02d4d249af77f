"""Who may hold which role: the platform operator (no tenant) only the
Operator role; tenant staff only tenant roles; a customer's contacts only the
Customer role. Checked on every flush of a user, so no form (FAB's user form
included), REST call or command can store a tenant role without a tenant or an
operator inside one."""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import Session

from mpanel.core.security.models import MPanelUser
from mpanel.core.security.roles import CUSTOMER, OPERATOR


class RoleRuleError(ValueError):
    pass


def check(user) -> None:
    names = {role.name for role in user.roles}
    if user.tenant_id is None:
        if user.customer_id is not None or names - {OPERATOR}:
            raise RoleRuleError("a user without a tenant can only be a platform operator: tenant roles need a "
                                "tenant (create staff on the tenant's host)")
    elif user.customer_id is not None:
        if names - {CUSTOMER}:
            raise RoleRuleError("a customer's contact can only have the Customer role")
    elif names & {OPERATOR, CUSTOMER}:
        raise RoleRuleError("tenant staff cannot have the Operator or Customer role")


def _before_flush(session, _context, _instances) -> None:
    for user in [*session.new, *session.dirty]:
        if isinstance(user, MPanelUser):
            check(user)


def install() -> None:
    if not event.contains(Session, "before_flush", _before_flush):
        event.listen(Session, "before_flush", _before_flush)
