"""The vocabularies of domains, their contacts and registrar actions."""

# Domain status, as staff and customers see it (registrars report the same words).
PENDING_REGISTRATION = "pending_registration"
PENDING_TRANSFER = "pending_transfer"
ACTIVE = "active"
EXPIRED = "expired"
GRACE = "grace"
REDEMPTION = "redemption"
TRANSFERRED_AWAY = "transferred_away"
CANCELLED = "cancelled"
FRAUD = "fraud"
STATUSES = (PENDING_REGISTRATION, PENDING_TRANSFER, ACTIVE, EXPIRED, GRACE, REDEMPTION, TRANSFERRED_AWAY,
            CANCELLED, FRAUD)
# At the registry under this tenant's registrar account: synced, changeable, renewable.
REGISTERED = (ACTIVE, EXPIRED, GRACE, REDEMPTION)
# A record that no longer holds its name (another record may take the name).
CLOSED = (TRANSFERRED_AWAY, CANCELLED, FRAUD)

CONTACT_ROLES = ("registrant", "admin", "tech", "billing")

# Registrar actions and their queue states.
REGISTER, TRANSFER, RENEW, RESTORE = "register", "transfer", "renew", "restore"
UPDATE_NS, UPDATE_CONTACTS, LOCK, ID_PROTECTION = "update_ns", "update_contacts", "lock", "id_protection"
ACTIONS = (REGISTER, TRANSFER, RENEW, UPDATE_NS, UPDATE_CONTACTS, LOCK, ID_PROTECTION, RESTORE)
QUEUED, RUNNING, DONE, FAILED, RESOLVED = "queued", "running", "done", "failed", "resolved"
ACTION_STATES = (QUEUED, RUNNING, DONE, FAILED, RESOLVED)
OPEN_STATES = (QUEUED, RUNNING, FAILED)
# Errors that no retry fixes: billing credits the customer at once (see docs in README).
PERMANENT_ERRORS = ("NameTaken", "InvalidAuthCode", "DomainNotFound")
# The error name sent with domain_action_finished when staff give an action up.
GIVEN_UP = "ResolvedAsFailed"

MAX_YEARS = 10
MAX_NAMESERVERS = 13
