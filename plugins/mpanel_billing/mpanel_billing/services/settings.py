"""Per-tenant settings of services and the billing run (namespace ``billing``)."""

from __future__ import annotations

from dataclasses import dataclass

from mpanel.core.settings import get_settings

PRORATION = ("immediate", "period_end")

DEFAULTS = {
    "renewal_lead_days": 14,  # invoice a service this many days before its next due date
    "suspend_after_days": 7,  # days overdue before a service is suspended; 0: never
    "terminate_after_days": 30,  # days overdue before it is terminated; 0: never
    "change_proration": "immediate",  # up-/downgrades: prorated now, or at the end of the period
    "run_batch_size": 500,  # customers per batch of the billing run
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
