"""A failed registrar action tells the staff who chose it (kernel: mpanel.modules.notifications)."""

from __future__ import annotations

from mpanel.modules.notifications import staff_notice

from .signals import domain_action_finished


@domain_action_finished.connect
def _finished(action, domain=None, status=None, error=None, **kwargs):
    if status != "failed":
        return
    name = domain.name if domain is not None else ""
    staff_notice.send(action, event="action_failed", key=f"domain-action:{action.id}",
                      subject=f"Registrar action failed: {action.action} {name}",
                      body=f"The {action.action} of {name} failed ({error or 'unknown error'}).")
