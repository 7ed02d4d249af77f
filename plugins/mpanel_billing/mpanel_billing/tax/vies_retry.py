"""Every few hours, per tenant with the online check on: ask VIES again about the
VAT ids it could not answer for (:func:`.vies.retry_unchecked`), recorded on
automation status (``billing.vies_retry.tenant``) with what is still waiting."""

from __future__ import annotations

from huey import crontab

from mpanel.core.tasks import per_tenant_periodic


@per_tenant_periodic(crontab(minute="41", hour="*/3"), "billing.vies_retry", uses=("billing",))
def vies_retry(counts: dict) -> int:
    from mpanel.extensions import db

    from .. import settings
    from . import vies

    if not settings.load(db.session).vies_check:
        counts["vies_check"] = "off"
        return 0
    counts["waiting"] = len(vies.unchecked(db.session))
    counts["answered"] = vies.retry_unchecked(db.session)
    db.session.commit()
    counts["still_waiting"] = len(vies.unchecked(db.session))
    return 0
