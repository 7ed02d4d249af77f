"""The online VAT id check as the tax decision uses it.

VIES is often down. "Could not check" is not "invalid": the customer keeps the
last answer VIES gave for the id (or, never answered, the verdict of the check
digits), the failure is recorded on the customer's ``VatCheck`` row for a
retry (``retry_unchecked``, and every later decision tries again) and staff are
told by an audit notice ``vat_id.check_failed``. Only an answer of VIES
changes the tax.
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from stdnum.eu import vat as eu_vat

from mpanel.core import audit
from mpanel.core.tenancy import require_tenant_id

from ..models.tax import VatCheck
from .vat import CouldNotCheck, check_online, is_eu, is_valid_for

log = logging.getLogger(__name__)


def _record(session, customer_id: int, number: str, **values) -> None:
    row = {"tenant_id": require_tenant_id(), "customer_id": customer_id, "vat_id": number,
           "attempted_at": dt.datetime.now(dt.UTC), **values}
    session.execute(insert(VatCheck).values(**row).on_conflict_do_update(
        index_elements=["tenant_id", "customer_id", "vat_id"], set_={k: row[k] for k in ("attempted_at", *values)}))


def vat_id_valid(session, customer, online: bool) -> bool:
    """Whether ``customer``'s VAT id counts as valid for the tax rules now."""
    if not is_valid_for(customer.vat_id, customer.country):
        return False
    if not online or not is_eu(customer.vat_id):
        return True
    number = eu_vat.compact(customer.vat_id)
    answers = session.info.setdefault("vies_answers", {})  # one question per id and transaction
    if number not in answers:
        answers[number] = _ask(session, customer, number)
    return answers[number]


def _ask(session, customer, number: str) -> bool:
    try:
        valid = check_online(number)
    except CouldNotCheck as exc:
        last = session.scalars(select(VatCheck).where(VatCheck.customer_id == customer.id,
                                                      VatCheck.vat_id == number)).one_or_none()
        kept = last.valid if last is not None and last.valid is not None else True
        log.warning("VIES could not check %s (kept %s): %s", number, "valid" if kept else "invalid", exc)
        _record(session, customer.id, number, error=str(exc)[:1000])
        audit.record(session, "vat_id.check_failed", "Customer", customer.id,
                     {"vat_id": number, "error": str(exc)[:200], "kept": "valid" if kept else "invalid",
                      "last_answer": last.checked_at.isoformat() if last is not None and last.checked_at else None})
        return kept
    _record(session, customer.id, number, valid=valid, checked_at=dt.datetime.now(dt.UTC), error=None)
    return valid


def unchecked(session) -> list[VatCheck]:
    """Checks VIES could not answer at their last attempt (for staff, and to retry)."""
    return list(session.scalars(select(VatCheck).where(VatCheck.error.is_not(None)).order_by(VatCheck.attempted_at)))


def retry_unchecked(session) -> int:
    """Try the unanswered checks again; returns how many VIES answered."""
    from mpanel.modules.customers.models import Customer

    answered = 0
    for row in unchecked(session):
        customer = session.get(Customer, row.customer_id)
        if customer is None or eu_vat.compact(customer.vat_id or "") != row.vat_id:
            continue
        session.info.pop("vies_answers", None)
        vat_id_valid(session, customer, online=True)
        session.flush()
        answered += session.get(VatCheck, row.id, populate_existing=True).error is None
    return answered
