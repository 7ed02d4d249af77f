"""Fixed vocabularies of the catalogue (stored as strings, checked by the database)."""

from decimal import Decimal

# Billing cycle -> length in months (0: charged once).
CYCLES = {
    "onetime": 0,
    "monthly": 1,
    "quarterly": 3,
    "semiannually": 6,
    "annually": 12,
    "biennially": 24,
    "triennially": 36,
}
PRODUCT_TYPES = ("shared_hosting", "reseller_hosting", "vps", "dedicated_server", "domain", "ssl_certificate",
                 "licence", "other")
OPTION_KINDS = ("dropdown", "radio", "yesno", "quantity")
# percent: value % off; fixed: value off per unit; override: the price becomes value; free_setup: no setup fee.
COUPON_KINDS = ("percent", "fixed", "override", "free_setup")
# once: the first period only; repeating: the first ``duration_cycles`` periods; forever: every period.
COUPON_DURATIONS = ("once", "repeating", "forever")
TLD_KINDS = ("gtld", "cctld")
TLD_ACTIONS = ("register", "transfer", "renew")
MAX_DOMAIN_YEARS = 10
# ICANN's fee per domain-year for gTLDs when a tenant has not set its own; ccTLDs have none.
DEFAULT_ICANN_FEE = {"gtld": Decimal("0.20"), "cctld": Decimal("0")}
