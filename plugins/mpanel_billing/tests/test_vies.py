"""The online VAT id check through python-stdnum and zeep against a local VIES
(vies_server.py): valid and invalid answers decide reverse charge; "could not
check" keeps the last answer, is recorded for a retry and told to staff, and
never changes the tax by itself."""

import sys
from pathlib import Path

import pytest
import stdnum.eu.vat
from mpanel_billing.models import Invoice, VatCheck
from mpanel_billing.tax import vies
from sqlalchemy import select

from mpanel.core.audit import AuditLog

sys.path.insert(0, str(Path(__file__).parent))  # the local VIES beside this file
from vies_server import Vies

FR = "FR40303265045"  # valid check digits


@pytest.fixture
def local_vies(monkeypatch):
    server = Vies()
    monkeypatch.setattr(stdnum.eu.vat, "vies_wsdl", server.wsdl)  # where check_vies fetches the WSDL
    yield server
    server.stop()


def category(billing, customer):
    return billing.load(billing.invoice(customer), lambda i: i.lines[0].tax_category)


def test_valid_invalid_and_could_not_check(billing, local_vies):
    billing.configure(vies_check=True)
    customer = billing.customer(country="FR", vat_id=FR, company="Client SARL")
    local_vies.valid.add(FR)
    assert category(billing, customer) == "AE"  # VIES: valid, reverse charge
    assert local_vies.requests == [FR]
    local_vies.down = True
    assert category(billing, customer) == "AE"  # could not check: the last answer stands
    rows = billing.run(lambda s: [(r.vat_id, r.valid, "MS_UNAVAILABLE" in r.error) for r in vies.unchecked(s)])
    assert rows == [(FR, True, True)]
    notices = billing.run(lambda s: [(a.action, a.summary["kept"]) for a in s.scalars(
        select(AuditLog).where(AuditLog.action == "vat_id.check_failed"))])
    assert notices == [("vat_id.check_failed", "valid")]
    local_vies.down = False
    assert billing.run(vies.retry_unchecked) == 1 and billing.run(vies.unchecked) == []
    local_vies.valid.clear()
    assert category(billing, customer) == "S"  # VIES answered invalid: VAT is charged
    local_vies.down = True
    assert category(billing, customer) == "S"  # and stays so while VIES cannot answer
    assert billing.run(lambda s: s.scalars(select(VatCheck.valid)).all()) == [False]


def test_never_answered_keeps_the_check_digits_verdict_and_tells_staff(billing, local_vies):
    billing.configure(vies_check=True)
    local_vies.down = True
    customer = billing.customer(country="FR", vat_id=FR, company="Client SARL")
    assert category(billing, customer) == "AE"
    assert billing.run(lambda s: s.scalar(select(AuditLog.summary).where(
        AuditLog.action == "vat_id.check_failed")))["last_answer"] is None
    assert billing.run(lambda s: s.scalar(select(Invoice.id).limit(1))) is not None


def test_the_periodic_retry_asks_vies_again_and_is_recorded(billing, local_vies):
    from mpanel_billing.tax.vies_retry import vies_retry

    from mpanel.modules.automation.models import AutomationRun

    billing.configure(vies_check=True)
    customer = billing.customer(country="FR", vat_id=FR, company="Client SARL")
    local_vies.down = True
    assert category(billing, customer) == "AE"
    still_down = vies_retry.run_tenant(billing.id)
    assert still_down["status"] == "ok", still_down
    assert (still_down["counts"]["answered"], still_down["counts"]["still_waiting"]) == (0, 1)
    local_vies.down = False
    local_vies.valid.add(FR)
    asked_before = len(local_vies.requests)
    result = vies_retry.run_tenant(billing.id)
    assert result["status"] == "ok" and result["counts"] == {"waiting": 1, "answered": 1, "still_waiting": 0}
    assert local_vies.requests[asked_before:] == [FR]
    assert billing.run(vies.unchecked) == []
    rows = billing.run(lambda s: [(r.status, r.counts.get("answered")) for r in s.scalars(
        select(AutomationRun).where(AutomationRun.task == "billing.vies_retry.tenant").order_by(AutomationRun.id))])
    assert rows == [("ok", 0), ("ok", 1)]
    billing.configure(vies_check=False)
    assert vies_retry.run_tenant(billing.id)["counts"] == {"vies_check": "off"}
