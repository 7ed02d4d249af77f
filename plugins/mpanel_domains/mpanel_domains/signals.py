"""Signals of the domains plugin (reach only plugins active for the tenant).

Receivers run inside the sender's transaction: put side effects (mail,
invoices that are sent, payments) in the outbox, and make them idempotent.
"""

from mpanel.core.signals import tenant_signal

domain_renewal_due = tenant_signal(
    "domain_renewal_due",
    """An auto-renewing domain reaches its renewal window (``renewal_days_before``
    days before expiry). Sent once per domain and expiry date.
    sender: the Domain. kwargs: expires_at (date), years (int, 1).
    Billing: invoice the renewal; on payment call ``actions.request_renewal``
    (after the payment commits, with a ``reference`` such as the invoice line).""",
)

domain_expiring = tenant_signal(
    "domain_expiring",
    """Reminder before and after expiry, once per domain, expiry date and step.
    sender: the Domain. kwargs: expires_at (date), days (int: days left,
    negative once expired), kind ("expiring_30", ..., "expired", and
    "redemption" once the registry holds it in redemption).
    The domains plugin mails the customer (:mod:`mpanel_domains.reminders`).""",
)

domain_action_finished = tenant_signal(
    "domain_action_finished",
    """A registrar action ended: done, or failed (not when it waits for an
    automatic retry). sender: the DomainAction. kwargs: domain, status, error
    (RegistrarError class name, ``ResolvedAsFailed`` when staff gave it up, or None).
    Billing: credit a failed paid register/transfer/renew/restore only when no
    retry can fix it: ``constants.PERMANENT_ERRORS`` or ``ResolvedAsFailed``
    (staff may still retry other failures).""",
)

domain_status_changed = tenant_signal(
    "domain_status_changed",
    """The sync saw a new status (e.g. expired, redemption, transferred_away).
    sender: the Domain. kwargs: old (str), new (str).
    Billing: stop renewing a domain that was transferred away or cancelled.""",
)

domain_auto_renew_changed = tenant_signal(
    "domain_auto_renew_changed",
    """Auto-renew was turned on or off (client area, staff form or REST).
    sender: the Domain. kwargs: enabled (bool).
    Billing: when off, cancel the open renewal invoice. Turned on again, the
    renewal falls due again (``domain_renewal_due``) at the next daily run.""",
)
