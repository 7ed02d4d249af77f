"""Service lifecycle signals, sent inside the transaction of the change (sender: the
Service; ``previous``: the status before). Receivers (provisioning, mail) put their
side effects in the outbox. A repeated request changes nothing and sends nothing."""

from mpanel.core.signals import tenant_signal

service_activated = tenant_signal("service_activated", "A pending service became active (paid, or a trial).")
service_suspended = tenant_signal("service_suspended", "A service was suspended (overdue, or by staff).")
service_unsuspended = tenant_signal("service_unsuspended", "A suspended service is active again.")
service_terminated = tenant_signal("service_terminated", "A service was terminated: remove it from the server.")
service_cancelled = tenant_signal("service_cancelled", "A service was cancelled (by request, or never paid).")

client_service_panels = tenant_signal(
    "client_service_panels",
    """While the client area renders a service's page (read only: no writes). sender: the
    Service. A receiver returns HTML (markupsafe.Markup, escaped by the receiver) shown on the
    page, e.g. provisioning's control panel login; None shows nothing.""")
