"""Per-tenant settings of services and the billing run (namespace ``billing``)."""

from __future__ import annotations

from dataclasses import dataclass

from mpanel.core.settings import Setting, get_settings

PRORATION = ("immediate", "period_end")

DEFAULTS = {
    "renewal_lead_days": Setting(14, "int", minimum=0, maximum=3650),  # invoice this many days before due
    "suspend_after_days": Setting(7, "int", minimum=0, maximum=3650),  # days overdue before suspension; 0: never
    "terminate_after_days": Setting(30, "int", minimum=0, maximum=3650),  # ... before termination; 0: never
    # Up-/downgrades: prorated now, or at the end of the period.
    "change_proration": Setting("immediate", "choice", choices=PRORATION),
    "run_batch_size": Setting(500, "int", minimum=1, maximum=100000),  # customers per batch of the billing run
}


@dataclass(frozen=True)
class ServiceSettings:
    renewal_lead_days: int
    suspend_after_days: int
    terminate_after_days: int
    change_proration: str
    run_batch_size: int


def load(session) -> ServiceSettings:
    values = get_settings(session, "billing", DEFAULTS)
    try:
        numbers = {key: int(str(values[key]).strip()) for key in DEFAULTS if key != "change_proration"}
    except ValueError as exc:
        raise ValueError(f"billing service setting: {exc}") from None
    if min(numbers.values()) < 0 or numbers["run_batch_size"] < 1:
        raise ValueError("billing service settings must not be negative")
    if values["change_proration"] not in PRORATION:
        raise ValueError(f"billing setting change_proration: one of {', '.join(PRORATION)}")
    return ServiceSettings(change_proration=values["change_proration"], **numbers)
