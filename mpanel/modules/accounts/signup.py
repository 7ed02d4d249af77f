"""Customer sign-up: one transaction makes the customer, its owner contact
(the signed-up person, unverified) and the acceptance of the tenant's terms
and privacy texts; a mail carries a single-use link that verifies the address.

An address already in use gets the same answer and the same work (the
password is hashed either way); its owner is mailed instead, so the page
tells a stranger nothing."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from mpanel.core import mail
from mpanel.core.errors import Conflict, FieldError
from mpanel.core.security import onetime, passwords
from mpanel.core.security.hashing import digest, new_token
from mpanel.core.security.models import CONTACT_PERMISSIONS, MPanelUser
from mpanel.core.security.users import create_contact
from mpanel.core.tenancy import current_tenant_id, tenant_scope
from mpanel.modules.accounts import settings as account_settings
from mpanel.modules.accounts.models import Consent
from mpanel.modules.customers.models import Customer

VERIFY = "verify"
CUSTOMER_FIELDS = ("first_name", "last_name", "company", "vat_id", "address1", "address2", "postcode", "city",
                   "country", "language")


def check_password(password: str, email: str) -> None:
    try:
        passwords.check(password, SimpleNamespace(is_contact=True, username=email, email=email))
    except ValueError as exc:
        raise FieldError("password", str(exc)) from None


def address_in_use(session, email: str) -> bool:
    """Whether a login or customer of the tenant uses ``email``; looked up for the
    whole tenant even while a customer is in scope (a contact inviting someone)."""
    email = email.lower()
    with tenant_scope(current_tenant_id(), session=session):
        return session.scalar(select(func.count()).select_from(MPanelUser).where(
            func.lower(MPanelUser.username) == email)) > 0 or session.scalar(
            select(func.count()).select_from(Customer).where(func.lower(Customer.email) == email)) > 0


def check_open(session) -> None:
    if account_settings.signup_mode(session) == "closed":
        raise FieldError("email", _("Sign-up is closed. Please contact us."), status=403)


def check_accepted(session, terms_version: str, privacy_version: str) -> None:
    """Conflict unless the versions a REST client accepted are the tenant's current ones."""
    terms, stale = account_settings.get(session), {}
    for kind, version in (("terms", terms_version), ("privacy", privacy_version)):
        if str(version) != str(terms[f"{kind}_version"]):
            stale[f"{kind}_version"] = _("Version %(version)s is the current one: read and accept it.",
                                         version=terms[f"{kind}_version"])
    if stale:
        raise Conflict(stale)


def register(session, tenant, data: dict, ip: str | None, base_url: str) -> Customer | None:
    """Sign a customer up (the caller commits); None if the address was in use
    (its owner is told). Raises FieldError for a closed sign-up or a bad password."""
    check_open(session)
    email = data["email"].strip().lower()
    check_password(data["password"], email)
    if address_in_use(session, email):
        tell_known_address(session, email, base_url)
        return None
    customer = Customer(email=email, currency=tenant.default_currency,
                        active=account_settings.signup_mode(session) == "open",
                        **{name: (data.get(name) or None) for name in CUSTOMER_FIELDS})
    session.add(customer)
    session.flush()
    user = create_contact(customer, email, data["password"], CONTACT_PERMISSIONS, owner=True)
    user.email_verified = False
    session.flush()
    terms = account_settings.get(session)
    for kind in ("terms", "privacy"):
        session.add(Consent(customer_id=customer.id, kind=kind, version=str(terms[f"{kind}_version"]), ip=ip))
    send_verification(session, user, ip, base_url)
    return customer


def require_verified(user) -> None:
    """A contact orders only after confirming their address (client-area forms and REST alike)."""
    if getattr(user, "customer_id", None) and not user.email_verified:
        raise FieldError("email", _("Please confirm your e-mail address first: open the link we sent you."),
                         status=403)


def send_verification(session, user, ip: str | None, base_url: str) -> None:
    hours = current_app.config["VERIFY_TOKEN_HOURS"]
    raw = onetime.issue(session, user.id, VERIFY, dt.timedelta(hours=hours), ip)
    link = f"{base_url.rstrip('/')}/signup/verify/{raw}"
    mail.enqueue(session, user.email, _("Confirm your e-mail address"),
                 _("Welcome! To confirm %(email)s and finish your sign-up, open this link within %(hours)d "
                   "hours:\n\n%(link)s\n\nIf you did not sign up, ignore this message.",
                   email=user.email, hours=hours, link=link),
                 dedupe_key=f"accounts:verify:{digest(raw)}")


def tell_known_address(session, email: str, base_url: str) -> None:
    """Instead of a second account for an address in use (sign-up, invitation): tell its
    owner, after the same work as a new account (a password hash), so timing tells nothing."""
    passwords.hash_password(new_token())
    mail.enqueue(session, email, _("Confirm your e-mail address"),
                 _("Someone (hopefully you) tried to create an account for %(email)s, but an account with this "
                   "address exists already. Sign in at %(login)s, or choose a new password at %(reset)s. If this was "
                   "not you, ignore this message.", email=email, login=f"{base_url.rstrip('/')}/login/",
                   reset=f"{base_url.rstrip('/')}/security/reset/"),
                 dedupe_key=f"accounts:signup-known:{current_tenant_id()}:{email}:{dt.datetime.now(dt.UTC).isoformat()}")


def verify(session, raw: str) -> MPanelUser | None:
    """Mark the address of the token's user verified; None for an unknown,
    expired or used link."""
    token = onetime.find(session, raw, VERIFY)
    user = session.get(MPanelUser, token.user_id) if token else None
    if user is None or not onetime.use(session, token):
        return None
    user.email_verified = True
    return user
